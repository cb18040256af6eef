// TraceQL search over the store (Tempo's GET /api/search with `q`): scans traces, evaluates a
// compiled query on each (exec.h) and returns the matching traces with their spansets in the
// shape of Tempo's SearchResponse (query/search/search_result.h).
//
// Results are the first `limit` matching traces the scan visits, not a ranking — Tempo's
// semantics — unless the query carries `with(most_recent=true)`, which asks the store for the
// most recently ended traces first.
// Thread-safety: SearchTraceQL is reentrant; it only reads the store.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "query/search/search_result.h"
#include "query/traceql/ast.h"
#include "store/scan.h"
#include "store/store.h"

namespace th::query::exec {

struct SearchOptions {
  store::ScanRequest scan;
  uint32_t limit = 20;               // traces; 0 means no limit
  uint32_t spans_per_span_set = 3;   // Tempo's `spss`; 0 means the default, 3
  // Trace duration bounds (Tempo's minDuration / maxDuration, applied together with `q`).
  uint64_t min_duration_nanos = 0;
  uint64_t max_duration_nanos = 0;   // 0: no upper bound
};

// Runs search query `query` (validated by traceql::Parse) over `store`. Errors: InvalidArgument
// for metrics queries and for queries Tempo fails at run time (structural operators between
// several spansets of a trace), Unimplemented for unsupported constructs, and the scan's own
// errors (deadline, cancellation).
Result<SearchResult> SearchTraceQL(const store::Store& store, const traceql::Query& query,
                                   const SearchOptions& options);

}  // namespace th::query::exec

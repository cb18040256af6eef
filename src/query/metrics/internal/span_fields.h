// Reading one span's attributes and intrinsics as exec::Values, for what the metrics functions
// need beyond the search executor's public API: the by() label values, the *_over_time
// argument, and every attribute of a span for compare().
//
// Why a second lookup next to exec's (internal) one: exec exposes compiled filters over whole
// traces, not the value of a field on one span. Lookup order follows reference/tempo.md §a.1.6
// (span, resource, event, link, instrumentation; first hit wins); event- and link-level fields
// read the first event/link that has them. Nested-set intrinsics have no value here (nil).
//
// Ownership: returned Values point into the batch and into TraceFacts; see LookupField.
// Thread-safety: TraceFacts is per-trace, per-thread state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model/span_batch.h"
#include "query/exec/value.h"
#include "query/traceql/ast.h"

namespace th::query::metrics::internal {

// Trace-level facts, computed on first use for the trace being evaluated.
class TraceFacts {
 public:
  void Reset(const model::SpanBatch& trace);

  std::string_view root_service();
  std::string_view root_name();
  int64_t duration_nanos();
  std::string_view trace_id_hex();

  // Holds a string made for one lookup (a span id as hex) until the next Keep.
  std::string_view Keep(std::string s);

 private:
  void Compute();

  const model::SpanBatch* trace_ = nullptr;
  bool computed_ = false;
  std::string root_service_;
  std::string root_name_;
  int64_t duration_ = 0;
  std::string trace_id_hex_;
  std::string scratch_;
};

// The value of `attribute` on span `span` of `trace`; nil when missing. A value made here (span
// and link ids as hex) lives in `facts` and is valid until the next LookupField with it.
exec::Value LookupField(const model::SpanBatch& trace, uint32_t span,
                        const traceql::Attribute& attribute, TraceFacts* facts);

// The value as a metric sample: numbers as they are, durations in seconds (Tempo reports
// duration values of *_over_time and quantiles in seconds); nullopt for anything else.
std::optional<double> MetricNumber(const exec::Value& v);

// Calls `fn(label, value)` for what compare() groups by: the span's own and its resource's
// attributes (`span.x`, `resource.x`) and the intrinsics name, status, kind and statusMessage
// (when set). Durations are left out, as Tempo does: their cardinality is not useful.
void ForEachCompareField(const model::SpanBatch& trace, uint32_t span,
                         const std::function<void(std::string_view, const exec::Value&)>& fn);

}  // namespace th::query::metrics::internal

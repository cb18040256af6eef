// The one door the query engine uses to read traces (STYLE.md §2: the store knows nothing of
// TraceQL). A scan visits whole traces — every span the store has for the trace, decoded into
// one SpanBatch — because TraceQL evaluates one trace at a time. The engine may hand down plain
// conditions (ScanPredicate, store/block/scan_predicate.h) that a matching trace must meet; block
// scans use them to skip blocks, row groups and traces without building them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "model/ids.h"
#include "model/span_batch.h"
#include "store/block/scan_predicate.h"
#include "store/head/head.h"

namespace th::store {

using ScanPredicate = block::ScanPredicate;
using AttributeEquals = block::AttributeEquals;

struct ScanRequest {
  std::string tenant;
  TimeRange range;  // traces whose [start, end] overlaps it
  // Visit the most recently ended traces first (Tempo's `most_recent=true`); otherwise in no
  // particular order.
  bool most_recent_first = false;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancelled = nullptr;  // checked between traces
  // Stop with ResourceExhausted once this many spans were visited (0: no limit), so one query
  // cannot monopolise the store.
  uint64_t max_spans = 0;
  // Conditions one span of a matching trace meets (hints: traces that do not meet them may
  // still be visited, traces that do are never skipped).
  ScanPredicate predicate;
};

struct ScanStats {
  uint64_t traces = 0;
  uint64_t spans = 0;
  uint64_t bytes = 0;
  // Spans the predicate let the store skip without building them.
  uint64_t skipped_spans = 0;
};

// OK while a scan that has visited `spans_so_far` spans may go on; else ResourceExhausted (span
// limit), Cancelled or DeadlineExceeded, with the message the query API passes on.
Status CheckScanBudget(const ScanRequest& request, uint64_t spans_so_far);

// Called once per trace with all of its spans; return false to stop the scan.
using TraceVisitor = std::function<bool(const model::TraceId& id, const model::SpanBatch& spans)>;

}  // namespace th::store

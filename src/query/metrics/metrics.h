// TraceQL metrics (reference/tempo.md §a.7): a metrics query turns the spans that pass its
// pipeline into time series over a time range, as Tempo's /api/metrics/query_range and
// /api/metrics/query do.
//
// Model. The range [start, end) is cut into intervals of `step` (one interval for an instant
// query). Every span that survives the pipeline and starts inside the range contributes, at its
// start time, to interval floor((span start - start) / step) of its series. A series is named by
// its labels: the by() values (missing ones dropped; all missing: the first by() label with the
// value "nil"), `__name__` = function name without by(), plus `p` (quantile_over_time) or
// `__bucket` (histogram_over_time). Then come, in the order written: topk/bottomk (per data
// point) and comparison filters (non-matching points become NaN); arithmetic between metric
// expressions (labels matched exactly, a side without by() broadcast; NaN when either point is
// missing or on division by zero); and the query's own second stages.
//
// Units: durations are reported in seconds (min/max/avg/sum_over_time, quantiles, histogram
// buckets), as Tempo does; a duration threshold in a filter (`> 1s`) compares in seconds too.
//
// Thread-safety: a compiled MetricsQuery is immutable; Run may be called from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/traceql/ast.h"
#include "store/scan.h"
#include "store/store.h"

namespace th::query::metrics {

// A series label; the value is an OTLP AnyValue as JSON (`{"stringValue":"api"}`), as Tempo's
// Static.AsAnyValue writes it (durations, status and kind as strings, nil as "nil").
struct Label {
  std::string key;
  std::string value_json;
  friend bool operator==(const Label&, const Label&) = default;
};

struct Exemplar {
  std::vector<Label> labels;  // `trace:id`, `span:id`
  double value = 0;           // the span's attribute value; NaN for rate/count
  uint64_t timestamp_ms = 0;
};

// One value per interval; NaN where there is no data point.
struct Series {
  std::vector<Label> labels;
  std::vector<double> values;
  std::vector<Exemplar> exemplars;
};

// The intervals of a query: [start + i*step, start + (i+1)*step) for i < count.
struct TimeGrid {
  uint64_t start_unix_nano = 0;
  uint64_t end_unix_nano = 0;
  uint64_t step_nanos = 0;  // end - start for an instant query
  bool instant = false;

  size_t intervals() const;
  // The interval holding `t`, or -1 outside [start, end).
  int64_t IntervalOf(uint64_t t) const;
  // Timestamp of interval `i` in unix milliseconds: its start.
  uint64_t TimestampMs(size_t i) const;
};

struct MetricsRequest {
  store::ScanRequest scan;  // tenant, deadline, cancellation; the range is set from start/end
  uint64_t start_unix_nano = 0;
  uint64_t end_unix_nano = 0;
  uint64_t step_nanos = 0;  // 0: an instant query (one interval over the whole range)
  uint32_t max_exemplars = 0;
  size_t max_series = 1000;  // per metrics function and in the result
};

struct MetricsResult {
  TimeGrid grid;
  std::vector<Series> series;  // sorted by labels
  store::ScanStats stats;
};

class MetricsQuery {
 public:
  ~MetricsQuery();

  // Compiles a metrics query that traceql::Parse accepted. InvalidArgument for a search query
  // ("not a metrics query"); Unimplemented for what the search executor does not run.
  static Result<std::unique_ptr<MetricsQuery>> Compile(const traceql::Query& query);

  // Evaluates the query over `store`. Errors: InvalidArgument for a bad range or step (end not
  // after start, more than kMaxIntervals intervals) and when more than `max_series` series come
  // out; the scan's DeadlineExceeded / Cancelled; evaluation errors of the pipeline.
  Result<MetricsResult> Run(const store::Store& store, const MetricsRequest& request) const;

  struct Plan;

 private:
  MetricsQuery();
  std::unique_ptr<Plan> plan_;
};

// Most intervals a range query may ask for.
inline constexpr size_t kMaxIntervals = 11000;

// The step Tempo picks when a range query gives none (§a.7): (end - start) / 240 rounded down
// to a multiple of the largest of 1h, 5m, 1m, 15s, 5s, 1s that fits, at least 1s; for windows
// under a minute, a multiple of 50ms, at least 50ms.
uint64_t DefaultStepNanos(uint64_t start_unix_nano, uint64_t end_unix_nano);

}  // namespace th::query::metrics

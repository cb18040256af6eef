// The first metrics stage: folds spans into the series of one metrics function. One
// Accumulator per metrics function per Run (per-query state, STYLE.md §7); not thread-safe.
//
// Invariants: every series has exactly grid.intervals() slots in each of its arrays; the
// series map and the series vector hold the same series. Count-like functions (rate,
// count_over_time, histogram_over_time) report 0 in intervals without spans and value
// functions NaN, as Tempo's aggregators do; quantile_over_time reports 0 for an interval
// without observations (Tempo's Log2Quantile of no buckets).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/span_batch.h"
#include "query/metrics/internal/span_fields.h"
#include "query/metrics/metrics.h"
#include "query/traceql/ast.h"

#include "absl/container/flat_hash_map.h"

namespace th::query::metrics::internal {

// The power of two at or above `v` (Tempo's Log2Bucketize). Requires: v >= 2.
double Log2Bucket(uint64_t v);

// A bucket of a log2 histogram: `count` observations at or below `max` (and above the previous
// bucket's max).
struct HistogramBucket {
  double max = 0;
  uint64_t count = 0;
};

// The p-quantile of a log2 histogram, `buckets` sorted by max: the bucket holding the
// ceil(p * total)-th observation, interpolated exponentially between the previous bucket's max
// (or max / 2 for the first bucket) and its own. 0 for no observations or p outside [0, 1].
double Log2Quantile(double p, const std::vector<HistogramBucket>& buckets);

class Accumulator {
 public:
  // `by_keys[i]` is the label name of aggregate.by[i]. `aggregate` must outlive this object.
  Accumulator(const traceql::MetricsAggregate& aggregate, std::vector<std::string> by_keys,
              const TimeGrid& grid, size_t max_series, uint32_t max_exemplars);

  // Adds span `span` of `trace`, which starts in interval `interval`. `selected` says whether
  // compare()'s filter matched it (ignored by other functions). InvalidArgument when this would
  // create more than max_series series.
  Status Observe(const model::SpanBatch& trace, uint32_t span, size_t interval, bool selected,
                 TraceFacts* facts);

  // The finished series (unsorted; NaN-only series included).
  std::vector<Series> Finish();

 private:
  struct Acc {
    std::vector<Label> labels;
    std::vector<double> value;                        // count, sum, min or max
    std::vector<double> count;                        // avg_over_time
    std::vector<std::map<double, uint64_t>> buckets;  // quantile_over_time
    std::vector<Exemplar> exemplars;
    std::vector<uint8_t> exemplars_in_interval;
  };

  Result<Acc*> SeriesFor(std::vector<Label>&& labels);
  void AddExemplar(Acc* acc, const model::SpanBatch& trace, uint32_t span, size_t interval,
                   double value, TraceFacts* facts);
  void ObserveCompare(const model::SpanBatch& trace, uint32_t span, size_t interval, bool selected);
  std::vector<Series> FinishCompare();

  const traceql::MetricsAggregate& aggregate_;
  std::vector<std::string> by_keys_;
  TimeGrid grid_;
  size_t intervals_;
  size_t max_series_;
  uint32_t max_exemplars_;
  absl::flat_hash_map<std::string, size_t> index_;
  std::vector<Acc> series_;

  // compare(): counts per (selection?, attribute, value) and totals per (selection?, attribute).
  struct ValueCounts {
    std::string value_json;
    std::vector<double> counts;
  };
  std::map<std::string, std::map<std::string, ValueCounts>> compare_[2];
  std::map<std::string, std::vector<double>> compare_totals_[2];
};

}  // namespace th::query::metrics::internal

#include "query/metrics/internal/accumulator.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "common/strings.h"
#include "query/exec/value.h"
#include "query/metrics/internal/series.h"

namespace th::query::metrics::internal {
namespace {

using traceql::MetricsFunction;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Tempo keeps at most this many exemplars per interval of a series.
constexpr uint8_t kExemplarsPerInterval = 2;

// The log2 bucket Tempo files a value under (bucketizeAttribute): ints and durations of at least
// 2 (durations bucketed in nanoseconds, reported in seconds); other values are not bucketed.
std::optional<double> BucketOf(const exec::Value& v) {
  if (v.kind != exec::ValueKind::kInt && v.kind != exec::ValueKind::kDuration) return std::nullopt;
  if (v.i < 2) return std::nullopt;
  double b = Log2Bucket(static_cast<uint64_t>(v.i));
  return v.kind == exec::ValueKind::kDuration ? b / 1e9 : b;
}

std::string FloatJson(double v) { return exec::ValueJson(exec::Value::Float(v)); }

}  // namespace

double Log2Bucket(uint64_t v) {
  if (v > (uint64_t{1} << 63)) return std::ldexp(1.0, 64);
  return static_cast<double>(std::bit_ceil(v));
}

double Log2Quantile(double p, const std::vector<HistogramBucket>& buckets) {
  if (std::isnan(p) || p < 0 || p > 1 || buckets.empty()) return 0;
  uint64_t total = 0;
  for (const HistogramBucket& b : buckets) total += b.count;
  if (total == 0) return 0;
  // Rounding up favours the higher bucket on small counts, as Tempo does; at least one sample.
  uint64_t wanted =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p * static_cast<double>(total))));
  uint64_t seen = 0;
  size_t i = 0;
  for (; i < buckets.size(); ++i) {
    if (seen + buckets[i].count > wanted) break;
    seen += buckets[i].count;
    if (seen == wanted) return buckets[i].max;
  }
  if (i == buckets.size()) return buckets.back().max;
  double fraction = static_cast<double>(wanted - seen) / static_cast<double>(buckets[i].count);
  double hi = std::log2(buckets[i].max);
  double lo = i > 0 ? std::log2(buckets[i - 1].max) : hi - 1;
  return std::exp2(lo + (hi - lo) * fraction);
}

Accumulator::Accumulator(const traceql::MetricsAggregate& aggregate,
                         std::vector<std::string> by_keys, const TimeGrid& grid, size_t max_series,
                         uint32_t max_exemplars)
    : aggregate_(aggregate),
      by_keys_(std::move(by_keys)),
      grid_(grid),
      intervals_(grid.intervals()),
      max_series_(max_series),
      max_exemplars_(grid.instant ? 0 : max_exemplars) {}

Result<Accumulator::Acc*> Accumulator::SeriesFor(std::vector<Label>&& labels) {
  std::string key = LabelsKey(labels);
  auto it = index_.find(key);
  if (it != index_.end()) return &series_[it->second];
  size_t per_series = aggregate_.function == MetricsFunction::kQuantileOverTime
                          ? std::max<size_t>(1, aggregate_.quantiles.size())
                          : 1;
  if ((series_.size() + 1) * per_series > max_series_) {
    return absl::InvalidArgumentError(
        th::StrCat("metrics query exceeds the limit of ", max_series_,
                   " series: narrow the filter or the by() attributes"));
  }
  index_.emplace(std::move(key), series_.size());
  Acc& acc = series_.emplace_back();
  acc.labels = std::move(labels);
  bool count_like = aggregate_.function == MetricsFunction::kRate ||
                    aggregate_.function == MetricsFunction::kCountOverTime ||
                    aggregate_.function == MetricsFunction::kHistogramOverTime;
  acc.value.assign(intervals_, count_like ? 0.0 : kNaN);
  if (aggregate_.function == MetricsFunction::kAvgOverTime) acc.count.assign(intervals_, 0.0);
  if (aggregate_.function == MetricsFunction::kQuantileOverTime) acc.buckets.resize(intervals_);
  if (max_exemplars_ > 0) acc.exemplars_in_interval.assign(intervals_, 0);
  return &acc;
}

void Accumulator::AddExemplar(Acc* acc, const model::SpanBatch& trace, uint32_t span,
                              size_t interval, double value, TraceFacts* facts) {
  if (max_exemplars_ == 0 || acc->exemplars.size() >= max_exemplars_ ||
      acc->exemplars_in_interval[interval] >= kExemplarsPerInterval) {
    return;
  }
  ++acc->exemplars_in_interval[interval];
  Exemplar e;
  e.labels.push_back({"trace:id", exec::ValueJson(exec::Value::String(facts->trace_id_hex()))});
  traceql::Attribute span_id;
  span_id.intrinsic = traceql::Intrinsic::kSpanId;
  e.labels.push_back({"span:id", exec::ValueJson(LookupField(trace, span, span_id, facts))});
  e.value = value;
  e.timestamp_ms = trace.spans.start_time_unix_nano[span] / 1000000;
  acc->exemplars.push_back(std::move(e));
}

Status Accumulator::Observe(const model::SpanBatch& trace, uint32_t span, size_t interval,
                            bool selected, TraceFacts* facts) {
  const MetricsFunction fn = aggregate_.function;
  if (fn == MetricsFunction::kCompare) {
    ObserveCompare(trace, span, interval, selected);
    return absl::OkStatus();
  }

  std::vector<Label> labels;
  for (size_t i = 0; i < aggregate_.by.size(); ++i) {
    exec::Value v = LookupField(trace, span, aggregate_.by[i]->attribute, facts);
    if (!v.IsNil()) labels.push_back({by_keys_[i], exec::ValueJson(v)});
  }
  if (labels.empty() && !aggregate_.by.empty()) {
    // All by() values missing: Tempo keeps one label so the series is not nameless.
    labels.push_back({by_keys_[0], exec::ValueJson(exec::Value::Nil())});
  }

  double number = kNaN;
  std::optional<double> bucket;
  if (aggregate_.attribute != nullptr) {
    exec::Value v = LookupField(trace, span, aggregate_.attribute->attribute, facts);
    if (fn == MetricsFunction::kHistogramOverTime || fn == MetricsFunction::kQuantileOverTime) {
      bucket = BucketOf(v);
      if (!bucket) return absl::OkStatus();
      number = MetricNumber(v).value_or(kNaN);
    } else {
      std::optional<double> n = MetricNumber(v);
      if (!n) return absl::OkStatus();
      number = *n;
    }
  }
  if (fn == MetricsFunction::kHistogramOverTime) {
    labels.push_back({"__bucket", FloatJson(*bucket)});
  } else if (aggregate_.by.empty() && fn != MetricsFunction::kQuantileOverTime) {
    labels.push_back(
        {"__name__", exec::ValueJson(exec::Value::String(traceql::MetricsFunctionName(fn)))});
  }

  ASSIGN_OR_RETURN(Acc * acc, SeriesFor(std::move(labels)));
  double& slot = acc->value[interval];
  switch (fn) {
    case MetricsFunction::kRate:
    case MetricsFunction::kCountOverTime:
    case MetricsFunction::kHistogramOverTime:
      slot += 1;
      break;
    case MetricsFunction::kMinOverTime:
      slot = std::isnan(slot) ? number : std::min(slot, number);
      break;
    case MetricsFunction::kMaxOverTime:
      slot = std::isnan(slot) ? number : std::max(slot, number);
      break;
    case MetricsFunction::kSumOverTime:
    case MetricsFunction::kAvgOverTime:
      slot = std::isnan(slot) ? number : slot + number;
      if (fn == MetricsFunction::kAvgOverTime) acc->count[interval] += 1;
      break;
    case MetricsFunction::kQuantileOverTime:
      ++acc->buckets[interval][*bucket];
      break;
    case MetricsFunction::kCompare:
      break;
  }
  AddExemplar(acc, trace, span, interval, aggregate_.attribute != nullptr ? number : kNaN, facts);
  return absl::OkStatus();
}

std::vector<Series> Accumulator::Finish() {
  if (aggregate_.function == MetricsFunction::kCompare) return FinishCompare();
  std::vector<Series> out;
  double step_seconds = static_cast<double>(grid_.step_nanos) / 1e9;
  for (Acc& acc : series_) {
    if (aggregate_.function == MetricsFunction::kQuantileOverTime) {
      std::vector<std::vector<HistogramBucket>> hist(intervals_);
      for (size_t i = 0; i < intervals_; ++i) {
        for (const auto& [max, count] : acc.buckets[i]) hist[i].push_back({max, count});
      }
      std::vector<Series> per_q;
      for (double q : aggregate_.quantiles) {
        Series s;
        s.labels = acc.labels;
        s.labels.push_back({"p", FloatJson(q)});
        for (size_t i = 0; i < intervals_; ++i) s.values.push_back(Log2Quantile(q, hist[i]));
        per_q.push_back(std::move(s));
      }
      // Each exemplar goes to the quantile whose value in its interval is closest.
      for (Exemplar& e : acc.exemplars) {
        int64_t i = grid_.IntervalOf(e.timestamp_ms * 1000000);
        if (i < 0 || per_q.empty()) i = 0;
        size_t best = 0;
        for (size_t k = 1; k < per_q.size(); ++k) {
          if (std::abs(per_q[k].values[i] - e.value) < std::abs(per_q[best].values[i] - e.value)) {
            best = k;
          }
        }
        if (!per_q.empty()) per_q[best].exemplars.push_back(std::move(e));
      }
      for (Series& s : per_q) out.push_back(std::move(s));
      continue;
    }
    Series s;
    s.labels = std::move(acc.labels);
    s.values = std::move(acc.value);
    if (aggregate_.function == MetricsFunction::kRate) {
      for (double& v : s.values) v /= step_seconds;
    } else if (aggregate_.function == MetricsFunction::kAvgOverTime) {
      for (size_t i = 0; i < intervals_; ++i) {
        s.values[i] = acc.count[i] > 0 ? s.values[i] / acc.count[i] : kNaN;
      }
    }
    s.exemplars = std::move(acc.exemplars);
    out.push_back(std::move(s));
  }
  return out;
}

void Accumulator::ObserveCompare(const model::SpanBatch& trace, uint32_t span, size_t interval,
                                 bool selected) {
  auto& values = compare_[selected ? 1 : 0];
  auto& totals = compare_totals_[selected ? 1 : 0];
  ForEachCompareField(trace, span, [&](std::string_view attr, const exec::Value& v) {
    std::string value_json = exec::ValueJson(v);
    auto& per_value = values[std::string(attr)];
    ValueCounts& vc = per_value[value_json];
    if (vc.counts.empty()) {
      vc.value_json = value_json;
      vc.counts.assign(intervals_, 0.0);
    }
    vc.counts[interval] += 1;
    auto& t = totals[std::string(attr)];
    if (t.empty()) t.assign(intervals_, 0.0);
    t[interval] += 1;
  });
}

std::vector<Series> Accumulator::FinishCompare() {
  static constexpr std::string_view kTypes[2] = {"baseline", "selection"};
  static constexpr std::string_view kTotals[2] = {"baseline_total", "selection_total"};
  const std::string nil_json = exec::ValueJson(exec::Value::Nil());
  size_t top_n = static_cast<size_t>(std::max<int64_t>(aggregate_.compare_top_n, 1));
  std::vector<Series> out;
  std::map<std::string, bool> too_many;
  auto meta = [](std::string_view type) {
    return Label{"__meta_type", exec::ValueJson(exec::Value::String(type))};
  };
  for (int sel = 0; sel < 2; ++sel) {
    for (auto& [attr, per_value] : compare_[sel]) {
      std::vector<ValueCounts*> ranked;
      for (auto& [json, vc] : per_value) ranked.push_back(&vc);
      auto total = [](const ValueCounts* vc) {
        double t = 0;
        for (double c : vc->counts) t += c;
        return t;
      };
      // Highest totals first; ties by value so the choice is stable.
      std::stable_sort(
          ranked.begin(), ranked.end(),
          [&](const ValueCounts* a, const ValueCounts* b) { return total(a) > total(b); });
      if (ranked.size() > top_n) {
        too_many[attr] = true;
        ranked.resize(top_n);
      }
      for (ValueCounts* vc : ranked) {
        out.push_back({{meta(kTypes[sel]), {attr, vc->value_json}}, std::move(vc->counts), {}});
      }
    }
    for (auto& [attr, counts] : compare_totals_[sel]) {
      out.push_back({{meta(kTotals[sel]), {attr, nil_json}}, std::move(counts), {}});
    }
  }
  for (const auto& [attr, unused] : too_many) {
    out.push_back({{{"__meta_error", exec::ValueJson(exec::Value::String("__too_many_values__"))},
                    {attr, nil_json}},
                   {},
                   {}});
  }
  return out;
}

}  // namespace th::query::metrics::internal

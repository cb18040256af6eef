#include "common/metrics.h"

#include <algorithm>
#include <cmath>

#include "common/strings.h"

#include "absl/strings/str_replace.h"

namespace th::metrics {
namespace {

void AtomicAdd(std::atomic<double>& a, double d) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ",";
    th::StrAppend(
        &out, labels[i].first, "=\"",
        absl::StrReplaceAll(labels[i].second, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}}),
        "\"");
  }
  out += "}";
  return out;
}

// Adds one more label to an already rendered label set ("{a=\"1\"}" + le → "{a=\"1\",le=…}").
std::string WithLabel(const std::string& rendered, std::string_view key, std::string_view value) {
  std::string extra = th::StrCat(key, "=\"", value, "\"");
  if (rendered.empty()) return th::StrCat("{", extra, "}");
  return th::StrCat(rendered.substr(0, rendered.size() - 1), ",", extra, "}");
}

std::string FormatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  return th::StrCat(v);
}

}  // namespace

void Gauge::Add(double d) { AtomicAdd(value_, d); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i =
      static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Registry& Registry::Default() {
  static Registry* registry = new Registry();
  return *registry;
}

Registry::Family& Registry::FamilyFor(std::string_view name, Type type, std::string_view help) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}, {}, {}}).first;
  }
  return it->second;
}

Counter* Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, Type::kCounter, help).counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* Registry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, Type::kGauge, help).gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* Registry::GetHistogram(std::string_view name, std::string_view help,
                                  const std::vector<double>& bounds, const Labels& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, Type::kHistogram, help).histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return slot.get();
}

std::string Registry::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    static constexpr std::string_view kTypeNames[] = {"counter", "gauge", "histogram"};
    th::StrAppend(&out, "# HELP ", name, " ", family.help, "\n# TYPE ", name, " ",
                  kTypeNames[static_cast<int>(family.type)], "\n");
    for (const auto& [labels, c] : family.counters) {
      th::StrAppend(&out, name, labels, " ", c->Value(), "\n");
    }
    for (const auto& [labels, g] : family.gauges) {
      th::StrAppend(&out, name, labels, " ", FormatDouble(g->Value()), "\n");
    }
    for (const auto& [labels, h] : family.histograms) {
      std::vector<uint64_t> counts = h->CumulativeCounts();
      for (size_t i = 0; i < h->bounds().size(); ++i) {
        th::StrAppend(&out, name, "_bucket", WithLabel(labels, "le", FormatDouble(h->bounds()[i])),
                      " ", counts[i], "\n");
      }
      th::StrAppend(&out, name, "_bucket", WithLabel(labels, "le", "+Inf"), " ", counts.back(),
                    "\n", name, "_sum", labels, " ", FormatDouble(h->Sum()), "\n", name, "_count",
                    labels, " ", h->Count(), "\n");
    }
  }
  return out;
}

}  // namespace th::metrics

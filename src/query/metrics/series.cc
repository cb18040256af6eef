#include "query/metrics/internal/series.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "common/strings.h"

namespace th::query::metrics::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool Passes(traceql::CompareOp op, double v, double t) {
  switch (op) {
    case traceql::CompareOp::kEq:
      return v == t;
    case traceql::CompareOp::kNeq:
      return v != t;
    case traceql::CompareOp::kLt:
      return v < t;
    case traceql::CompareOp::kLte:
      return v <= t;
    case traceql::CompareOp::kGt:
      return v > t;
    case traceql::CompareOp::kGte:
      return v >= t;
  }
  return false;
}

bool HasPoint(const Series& s) {
  return std::any_of(s.values.begin(), s.values.end(), [](double v) { return !std::isnan(v); });
}

}  // namespace

std::string LabelsKey(const std::vector<Label>& labels) {
  std::string key;
  for (const Label& l : labels) {
    // Keys and JSON values never hold raw control characters, so these separators are safe.
    th::StrAppend(&key, l.key, '\x01', l.value_json, '\x02');
  }
  return key;
}

std::vector<Label> MatchLabels(const std::vector<Label>& labels) {
  std::vector<Label> out;
  for (const Label& l : labels) {
    if (l.key != "__name__") out.push_back(l);
  }
  return out;
}

bool IsUnlabelled(const Series& s) { return MatchLabels(s.labels).empty(); }

void ApplySecondStage(const traceql::SecondStage& stage, std::vector<Series>* series) {
  if (stage.kind == traceql::SecondStage::Kind::kFilter) {
    double t = ThresholdValue(stage.threshold);
    for (Series& s : *series) {
      for (double& v : s.values) {
        if (!std::isnan(v) && !Passes(stage.op, v, t)) v = kNaN;
      }
    }
  } else {
    bool top = stage.kind == traceql::SecondStage::Kind::kTopK;
    size_t k = static_cast<size_t>(std::max<int64_t>(stage.limit, 0));
    size_t intervals = series->empty() ? 0 : series->front().values.size();
    std::vector<std::string> keys;
    for (const Series& s : *series) keys.push_back(LabelsKey(s.labels));
    std::vector<std::vector<double>> kept(series->size(), std::vector<double>(intervals, kNaN));
    std::vector<size_t> order;
    for (size_t i = 0; i < intervals; ++i) {
      order.clear();
      for (size_t j = 0; j < series->size(); ++j) {
        if (!std::isnan((*series)[j].values[i])) order.push_back(j);
      }
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        double va = (*series)[a].values[i], vb = (*series)[b].values[i];
        if (va != vb) return top ? va > vb : va < vb;
        return keys[a] < keys[b];
      });
      for (size_t n = 0; n < std::min(k, order.size()); ++n) {
        kept[order[n]][i] = (*series)[order[n]].values[i];
      }
    }
    for (size_t j = 0; j < series->size(); ++j) (*series)[j].values = std::move(kept[j]);
  }
  series->erase(
      std::remove_if(series->begin(), series->end(), [](const Series& s) { return !HasPoint(s); }),
      series->end());
}

double ThresholdValue(const traceql::Value& v) {
  if (v.type == traceql::ValueType::kDuration) return static_cast<double>(v.i) / 1e9;
  return v.AsDouble();
}

double ApplyArith(traceql::ArithOp op, double l, double r) {
  if (std::isnan(l) || std::isnan(r)) return kNaN;
  switch (op) {
    case traceql::ArithOp::kAdd:
      return l + r;
    case traceql::ArithOp::kSub:
      return l - r;
    case traceql::ArithOp::kMul:
      return l * r;
    case traceql::ArithOp::kDiv:
      return r == 0 ? kNaN : l / r;
    case traceql::ArithOp::kMod:
      return r == 0 ? kNaN : std::fmod(l, r);
    case traceql::ArithOp::kPow:
      return std::pow(l, r);
  }
  return kNaN;
}

std::vector<Series> Combine(traceql::ArithOp op, const std::vector<Series>& lhs,
                            const std::vector<Series>& rhs, size_t intervals) {
  std::vector<Series> out;
  auto combine = [&](const Series& l, const Series& r, const std::vector<Label>& labels) {
    Series s;
    s.labels = labels;
    s.values.resize(intervals, kNaN);
    for (size_t i = 0; i < intervals; ++i) {
      double a = i < l.values.size() ? l.values[i] : kNaN;
      double b = i < r.values.size() ? r.values[i] : kNaN;
      s.values[i] = ApplyArith(op, a, b);
    }
    out.push_back(std::move(s));
  };
  bool l_scalar = lhs.size() == 1 && IsUnlabelled(lhs[0]);
  bool r_scalar = rhs.size() == 1 && IsUnlabelled(rhs[0]);
  if (r_scalar) {
    for (const Series& l : lhs) {
      combine(l, rhs[0], l_scalar && l.labels.empty() ? rhs[0].labels : l.labels);
    }
  } else if (l_scalar) {
    for (const Series& r : rhs) combine(lhs[0], r, r.labels);
  } else {
    std::map<std::string, const Series*> right;
    for (const Series& r : rhs) right.emplace(LabelsKey(MatchLabels(r.labels)), &r);
    for (const Series& l : lhs) {
      auto it = right.find(LabelsKey(MatchLabels(l.labels)));
      if (it != right.end()) combine(l, *it->second, l.labels);
    }
  }
  return out;
}

void Normalize(std::vector<Series>* series) {
  // compare()'s `__meta_error` markers say something by their labels alone.
  auto marker = [](const Series& s) {
    return !s.labels.empty() && s.labels.front().key == "__meta_error";
  };
  series->erase(std::remove_if(series->begin(), series->end(),
                               [&](const Series& s) { return !HasPoint(s) && !marker(s); }),
                series->end());
  std::sort(series->begin(), series->end(), [](const Series& a, const Series& b) {
    return LabelsKey(a.labels) < LabelsKey(b.labels);
  });
}

}  // namespace th::query::metrics::internal

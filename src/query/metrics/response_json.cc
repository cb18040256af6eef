#include "query/metrics/response_json.h"

#include <charconv>
#include <cmath>

#include "common/json.h"
#include "common/strings.h"

namespace th::query::metrics {
namespace {

// jsonpb writes non-finite doubles as strings.
void AppendDouble(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    out->append(GoJsonNumber(v));
  }
}

void AppendLabels(std::string* out, const std::vector<Label>& labels) {
  out->append("\"labels\":[");
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->push_back(',');
    th::StrAppend(out, "{\"key\":", JsonQuote(labels[i].key), ",\"value\":", labels[i].value_json,
                  "}");
  }
  out->push_back(']');
}

void AppendStats(std::string* out, const store::ScanStats& stats) {
  out->append("\"metrics\":{");
  bool first = true;
  auto field = [&](std::string_view name, std::string value) {
    if (!first) out->push_back(',');
    first = false;
    th::StrAppend(out, "\"", name, "\":", value);
  };
  // SearchMetrics: inspectedTraces is a uint32 (a number), the others uint64 (strings).
  if (stats.traces > 0) field("inspectedTraces", th::StrCat(stats.traces));
  if (stats.bytes > 0) field("inspectedBytes", th::StrCat("\"", stats.bytes, "\""));
  if (stats.spans > 0) field("inspectedSpans", th::StrCat("\"", stats.spans, "\""));
  field("completedJobs", "1");
  field("totalJobs", "1");
  out->push_back('}');
}

bool IsMarker(const Series& s) {
  return !s.labels.empty() && s.labels.front().key == "__meta_error";
}

}  // namespace

std::string GoJsonNumber(double v) {
  if (v == 0) return "0";
  // The shortest round-trip digits, then laid out as Go's encoding/json does: fixed notation in
  // [1e-6, 1e21), exponent form outside it. (std::to_chars' fixed form prints every digit of
  // large numbers, where Go pads the shortest digits with zeros.)
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  double a = std::fabs(v);
  if (a < 1e-6 || a >= 1e21) return sci;
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string sign = sci[0] == '-' ? "-" : "";
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  std::string out;
  if (exponent < 0) {
    out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
    out = digits + std::string(static_cast<size_t>(exponent) + 1 - digits.size(), '0');
  } else {
    out = digits.substr(0, static_cast<size_t>(exponent) + 1) + "." +
          digits.substr(static_cast<size_t>(exponent) + 1);
  }
  return sign + out;
}

std::string QueryRangeJson(const MetricsResult& result) {
  std::string out = "{";
  bool any = false;
  for (const Series& s : result.series) {
    std::string samples;
    for (size_t i = 0; i < s.values.size(); ++i) {
      if (std::isnan(s.values[i])) continue;
      if (!samples.empty()) samples.push_back(',');
      th::StrAppend(&samples, "{\"timestampMs\":\"", result.grid.TimestampMs(i), "\"");
      if (s.values[i] != 0) {  // jsonpb leaves zero values out
        samples.append(",\"value\":");
        AppendDouble(&samples, s.values[i]);
      }
      samples.push_back('}');
    }
    if (samples.empty() && !IsMarker(s)) continue;
    out.append(any ? "," : "\"series\":[");
    any = true;
    out.push_back('{');
    AppendLabels(&out, s.labels);
    if (!samples.empty()) th::StrAppend(&out, ",\"samples\":[", samples, "]");
    bool first_exemplar = true;
    for (const Exemplar& e : s.exemplars) {
      int64_t i = result.grid.IntervalOf(e.timestamp_ms * 1000000);
      // Tempo drops exemplars that fall on a missing data point.
      if (i >= 0 && static_cast<size_t>(i) < s.values.size() && std::isnan(s.values[i])) continue;
      out.append(first_exemplar ? ",\"exemplars\":[{" : ",{");
      first_exemplar = false;
      AppendLabels(&out, e.labels);
      if (e.value != 0) {
        out.append(",\"value\":");
        AppendDouble(&out, e.value);
      }
      th::StrAppend(&out, ",\"timestampMs\":\"", e.timestamp_ms, "\"}");
    }
    if (!first_exemplar) out.push_back(']');
    out.push_back('}');
  }
  if (any) out.append("],");
  AppendStats(&out, result.stats);
  out.push_back('}');
  return out;
}

std::string QueryInstantJson(const MetricsResult& result) {
  std::string out = "{";
  bool any = false;
  for (const Series& s : result.series) {
    double v = s.values.empty() ? std::nan("") : s.values[0];
    if (std::isnan(v) && !IsMarker(s)) continue;
    out.append(any ? ",{" : "\"series\":[{");
    any = true;
    AppendLabels(&out, s.labels);
    if (!std::isnan(v) && v != 0) {
      out.append(",\"value\":");
      AppendDouble(&out, v);
    }
    out.push_back('}');
  }
  if (any) out.append("],");
  AppendStats(&out, result.stats);
  out.push_back('}');
  return out;
}

}  // namespace th::query::metrics

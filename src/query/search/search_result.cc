#include "query/search/search_result.h"

#include <cmath>

#include "common/json.h"
#include "common/strings.h"

#include "absl/strings/escaping.h"

namespace th::query {

SpanResult MakeSpanResult(const model::SpanBatch& batch, uint32_t i) {
  const model::SpanColumns& c = batch.spans;
  SpanResult r;
  r.id = c.span_id[i];
  r.name = std::string(c.name[i]);
  r.start_unix_nano = c.start_time_unix_nano[i];
  r.duration_nanos = c.end_time_unix_nano[i] > c.start_time_unix_nano[i]
                         ? c.end_time_unix_nano[i] - c.start_time_unix_nano[i]
                         : 0;
  return r;
}

std::string AnyValueJson(const model::SpanBatch& batch, const model::AnyValue& v) {
  switch (v.type) {
    case model::ValueType::kString:
      return th::StrCat("{\"stringValue\":", JsonQuote(v.bytes), "}");
    case model::ValueType::kBool:
      return th::StrCat("{\"boolValue\":", v.bool_value, "}");
    case model::ValueType::kInt:
      return th::StrCat("{\"intValue\":\"", v.int_value, "\"}");
    case model::ValueType::kDouble:
      if (!std::isfinite(v.double_value)) {
        return th::StrCat("{\"doubleValue\":\"",
                          std::isnan(v.double_value) ? "NaN"
                          : v.double_value > 0       ? "Infinity"
                                                     : "-Infinity",
                          "\"}");
      }
      return th::StrCat("{\"doubleValue\":", v.double_value, "}");
    case model::ValueType::kBytes:
      return th::StrCat("{\"bytesValue\":\"",
                        absl::Base64Escape(absl::string_view(v.bytes.data(), v.bytes.size())),
                        "\"}");
    case model::ValueType::kArray: {
      std::string out = "{\"arrayValue\":{\"values\":[";
      for (uint32_t k = v.range.begin; k < v.range.end(); ++k) {
        if (k != v.range.begin) out += ",";
        out += AnyValueJson(batch, batch.array_values[k]);
      }
      return out + "]}}";
    }
    case model::ValueType::kKvList: {
      std::string out = "{\"kvlistValue\":{\"values\":[";
      for (uint32_t k = v.range.begin; k < v.range.end(); ++k) {
        if (k != v.range.begin) out += ",";
        th::StrAppend(&out, "{\"key\":", JsonQuote(batch.key_values[k].key),
                      ",\"value\":", AnyValueJson(batch, batch.key_values[k].value), "}");
      }
      return out + "]}}";
    }
    case model::ValueType::kEmpty:
      return "{}";
  }
  return "{}";
}

std::string TrimmedTraceIdHex(const model::TraceId& id) {
  std::string hex = model::ToHex(id.View());
  size_t first = hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : hex.substr(first);
}

namespace {

void AppendAttributes(const std::vector<ResultAttribute>& attrs, std::string* out) {
  *out += "\"attributes\":[";
  for (size_t k = 0; k < attrs.size(); ++k) {
    if (k > 0) *out += ",";
    th::StrAppend(out, "{\"key\":", JsonQuote(attrs[k].first), ",\"value\":", attrs[k].second, "}");
  }
  *out += "]";
}

void AppendSpanSet(const SpanSetResult& set, std::string* out) {
  *out += "{\"spans\":[";
  for (size_t k = 0; k < set.spans.size(); ++k) {
    const SpanResult& s = set.spans[k];
    if (k > 0) *out += ",";
    th::StrAppend(out, "{\"spanID\":\"", model::ToHex(s.id.View()),
                  "\",\"name\":", JsonQuote(s.name), ",\"startTimeUnixNano\":\"", s.start_unix_nano,
                  "\",\"durationNanos\":\"", s.duration_nanos, "\"");
    if (!s.attributes.empty()) {
      *out += ",";
      AppendAttributes(s.attributes, out);
    }
    *out += "}";
  }
  th::StrAppend(out, "],\"matched\":", set.matched);
  if (!set.attributes.empty()) {
    *out += ",";
    AppendAttributes(set.attributes, out);
  }
  *out += "}";
}

}  // namespace

std::string SearchResultJson(const SearchResult& result) {
  std::string out = "{\"traces\":[";
  for (size_t t = 0; t < result.traces.size(); ++t) {
    const TraceResult& tr = result.traces[t];
    const TraceSummary& s = tr.summary;
    if (t > 0) out += ",";
    th::StrAppend(&out, "{\"traceID\":\"", TrimmedTraceIdHex(s.id),
                  "\",\"rootServiceName\":", JsonQuote(s.root_service_name));
    if (!s.root_span_name.empty()) {
      th::StrAppend(&out, ",\"rootTraceName\":", JsonQuote(s.root_span_name));
    }
    th::StrAppend(&out, ",\"startTimeUnixNano\":\"", s.start_unix_nano, "\"");
    uint64_t duration_ms = s.duration_nanos() / 1000000;
    if (duration_ms > 0) th::StrAppend(&out, ",\"durationMs\":", duration_ms);
    if (!tr.span_sets.empty()) {
      // Tempo fills the deprecated `spanSet` with one of the spansets, and `spanSets` with all.
      out += ",\"spanSet\":";
      AppendSpanSet(tr.span_sets.front(), &out);
      out += ",\"spanSets\":[";
      for (size_t k = 0; k < tr.span_sets.size(); ++k) {
        if (k > 0) out += ",";
        AppendSpanSet(tr.span_sets[k], &out);
      }
      out += "]";
    }
    out += ",\"serviceStats\":{";
    bool first = true;
    for (const auto& [service, stats] : s.services) {
      if (!first) out += ",";
      first = false;
      th::StrAppend(&out, JsonQuote(service), ":{\"spanCount\":", stats.span_count);
      if (stats.error_count > 0) th::StrAppend(&out, ",\"errorCount\":", stats.error_count);
      out += "}";
    }
    out += "}}";
  }
  th::StrAppend(&out, "],\"metrics\":{\"inspectedTraces\":", result.stats.traces,
                ",\"inspectedBytes\":\"", result.stats.bytes, "\",\"inspectedSpans\":\"",
                result.stats.spans, "\",\"completedJobs\":1,\"totalJobs\":1}}");
  return out;
}

}  // namespace th::query

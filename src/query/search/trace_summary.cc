#include "query/search/trace_summary.h"

#include <algorithm>

namespace th::query {

std::string_view ServiceNameOf(const model::SpanBatch& batch, uint32_t span) {
  const model::Resource& r = batch.resources[batch.scopes[batch.spans.scope[span]].resource];
  for (uint32_t k = r.attributes.begin; k < r.attributes.end(); ++k) {
    const model::KeyValue& kv = batch.key_values[k];
    if (kv.key == "service.name" && kv.value.type == model::ValueType::kString) {
      return kv.value.bytes;
    }
  }
  return {};
}

TraceSummary SummarizeTrace(const model::TraceId& id, const model::SpanBatch& spans) {
  TraceSummary s;
  s.id = id;
  const model::SpanColumns& c = spans.spans;
  s.start_unix_nano = UINT64_MAX;
  bool have_root = false;
  uint64_t root_start = UINT64_MAX;
  for (uint32_t i = 0; i < c.size(); ++i) {
    s.start_unix_nano = std::min(s.start_unix_nano, c.start_time_unix_nano[i]);
    s.end_unix_nano = std::max(s.end_unix_nano, c.end_time_unix_nano[i]);
    std::string service(ServiceNameOf(spans, i));
    ServiceStats& stats = s.services[service];
    ++stats.span_count;
    if (c.status_code[i] == model::kStatusError) ++stats.error_count;
    // The root is the span without a parent; if several claim it (a broken trace), the earliest.
    if (c.parent_span_id[i].IsZero() && c.start_time_unix_nano[i] < root_start) {
      have_root = true;
      root_start = c.start_time_unix_nano[i];
      s.root_service_name = service;
      s.root_span_name = std::string(c.name[i]);
    }
  }
  if (c.size() == 0) s.start_unix_nano = 0;
  if (s.end_unix_nano < s.start_unix_nano) s.end_unix_nano = s.start_unix_nano;
  if (!have_root) s.root_service_name = std::string(kRootSpanNotYetReceived);
  return s;
}

}  // namespace th::query

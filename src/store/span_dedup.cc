#include "store/span_dedup.h"

#include "model/otlp_encode.h"

namespace th::store {

std::vector<uint32_t> SpanDedup::NewSpans(const model::SpanBatch& batch) {
  std::vector<uint32_t> out;
  out.reserve(batch.span_count());
  for (uint32_t i = 0; i < batch.span_count(); ++i) {
    if (FirstTime(batch.spans.trace_id[i], batch.spans.span_id[i])) out.push_back(i);
  }
  return out;
}

std::string MergeTraceParts(const std::vector<const model::SpanBatch*>& parts) {
  SpanDedup dedup;
  std::string out;
  for (const model::SpanBatch* part : parts) {
    std::vector<uint32_t> spans = dedup.NewSpans(*part);
    if (spans.empty()) continue;
    // TracesData is `repeated ResourceSpans resource_spans = 1`: encodings concatenate.
    if (spans.size() == part->span_count()) {
      model::EncodeOtlpTraces(*part, &out);
    } else {
      model::EncodeOtlpTraces(*part, spans, &out);
    }
  }
  return out;
}

}  // namespace th::store

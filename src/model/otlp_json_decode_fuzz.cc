// Fuzz target for DecodeOtlpTracesJson: any bytes must decode or fail with a status, never crash,
// and a decoded batch must keep SpanBatch's layout invariants (every Range inside its pool).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/otlp_decode.h"
#include "model/span_batch.h"

namespace th::model {
namespace {

// Aborts, so the fuzzer reports the input, when `r` is not inside a pool of `size` entries.
void CheckRange(Range r, size_t size) {
  if (static_cast<size_t>(r.begin) + r.count > size) std::abort();
}

void CheckBatch(const SpanBatch& b) {
  const SpanColumns& s = b.spans;
  for (const Resource& r : b.resources) CheckRange(r.attributes, b.key_values.size());
  for (const Scope& sc : b.scopes) {
    CheckRange(sc.attributes, b.key_values.size());
    if (sc.resource >= b.resources.size()) std::abort();
  }
  if (s.scope.size() != s.size() || s.status_message.size() != s.size()) std::abort();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.scope[i] >= b.scopes.size()) std::abort();
    if (s.trace_id[i].IsZero() || s.span_id[i].IsZero()) std::abort();
    CheckRange(s.attributes[i], b.key_values.size());
    CheckRange(s.events[i], b.events.size());
    CheckRange(s.links[i], b.links.size());
  }
  for (const Event& e : b.events) CheckRange(e.attributes, b.key_values.size());
  for (const Link& l : b.links) CheckRange(l.attributes, b.key_values.size());
  for (const KeyValue& kv : b.key_values) {
    if (kv.value.type == ValueType::kArray) CheckRange(kv.value.range, b.array_values.size());
    if (kv.value.type == ValueType::kKvList) CheckRange(kv.value.range, b.key_values.size());
  }
  for (const AnyValue& v : b.array_values) {
    if (v.type == ValueType::kArray) CheckRange(v.range, b.array_values.size());
    if (v.type == ValueType::kKvList) CheckRange(v.range, b.key_values.size());
  }
}

}  // namespace
}  // namespace th::model

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto result = th::model::DecodeOtlpTracesJson(body, "fuzz");
  if (result.ok()) {
    if (result->batch == nullptr) std::abort();
    th::model::CheckBatch(*result->batch);
    if (result->rejected_spans > 0 && result->rejection_message.empty()) std::abort();
  }
  return 0;
}

// Test helpers: build small SpanBatches by hand and read attributes back. Test-only (linked into
// the processors' *_test binaries, never into production code).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/span_batch.h"
#include "pipeline/processor/internal/attribute_value.h"

namespace th::pipeline::processor::testing {

inline model::AnyValue Str(model::SpanBatch& b, std::string_view s) {
  model::AnyValue v;
  v.type = model::ValueType::kString;
  v.bytes = b.arena.Copy(s);
  return v;
}
inline model::AnyValue Int(int64_t i) {
  model::AnyValue v;
  v.type = model::ValueType::kInt;
  v.int_value = i;
  return v;
}
inline model::AnyValue Dbl(double d) {
  model::AnyValue v;
  v.type = model::ValueType::kDouble;
  v.double_value = d;
  return v;
}
inline model::AnyValue Bool(bool x) {
  model::AnyValue v;
  v.type = model::ValueType::kBool;
  v.bool_value = x;
  return v;
}

inline model::Range AddAttrs(model::SpanBatch& b,
                             std::vector<std::pair<std::string, model::AnyValue>> kvs) {
  model::Range r{static_cast<uint32_t>(b.key_values.size()), static_cast<uint32_t>(kvs.size())};
  for (auto& [k, v] : kvs) b.key_values.push_back(model::KeyValue{b.arena.Copy(k), v});
  return r;
}

inline uint32_t AddResource(model::SpanBatch& b, model::Range attrs) {
  model::Resource r;
  r.attributes = attrs;
  r.wire = "resource-wire";
  b.resources.push_back(r);
  return static_cast<uint32_t>(b.resources.size() - 1);
}

inline uint32_t AddScope(model::SpanBatch& b, uint32_t resource, std::string_view name = "lib",
                         std::string_view version = "1.0") {
  model::Scope s;
  s.resource = resource;
  s.name = b.arena.Copy(name);
  s.version = b.arena.Copy(version);
  s.wire = "scope-wire";
  b.scopes.push_back(s);
  return static_cast<uint32_t>(b.scopes.size() - 1);
}

inline uint32_t AddSpan(model::SpanBatch& b, uint32_t scope, std::string_view name,
                        model::Range attrs = {}, int32_t kind = model::kSpanKindServer) {
  model::SpanRow row;
  row.scope = scope;
  row.name = b.arena.Copy(name);
  row.attributes = attrs;
  row.kind = kind;
  row.trace_id.bytes[15] = static_cast<uint8_t>(b.span_count() + 1);
  row.span_id.bytes[7] = static_cast<uint8_t>(b.span_count() + 1);
  uint32_t i = b.AppendSpan(row);
  b.spans.wire[i] = "span-wire";
  b.otlp_encoding = "encoded";
  return i;
}

// The attribute's value as text ("<absent>" when missing), type-tagged for non-strings:
// "s:abc", "i:3", "d:1.5", "b:true".
inline std::string Attr(const model::SpanBatch& b, model::Range attrs, std::string_view key) {
  const model::KeyValue* kv = FindAttribute(b, attrs, key);
  if (kv == nullptr) return "<absent>";
  switch (kv->value.type) {
    case model::ValueType::kString:
      return "s:" + std::string(kv->value.bytes);
    case model::ValueType::kInt:
      return "i:" + ValueAsString(b, kv->value);
    case model::ValueType::kDouble:
      return "d:" + ValueAsString(b, kv->value);
    case model::ValueType::kBool:
      return "b:" + ValueAsString(b, kv->value);
    default:
      return "other:" + ValueAsString(b, kv->value);
  }
}

}  // namespace th::pipeline::processor::testing

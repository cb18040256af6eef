// Test-only: what a ScanPredicate (scan_predicate.h) means for one span, computed the slow way
// from a SpanBatch, against which BlockReader's filtered scans are checked. Header-only.
#pragma once

#include <cstdint>

#include "model/span_batch.h"
#include "store/block/scan_predicate.h"

namespace th::store::block::testing {

using Eq = AttributeEquals;

// Whether `v` equals `e` under the engine's comparison; an array holds an equal element.
inline bool ValueEquals(const model::SpanBatch& b, const model::AnyValue& v, const Eq& e) {
  switch (v.type) {
    case model::ValueType::kString:
      return e.type == Eq::Type::kString && v.bytes == e.string_value;
    case model::ValueType::kBool:
      return e.type == Eq::Type::kBool && v.bool_value == e.bool_value;
    case model::ValueType::kInt:
      if (e.type == Eq::Type::kInt) return v.int_value == e.int_value;
      return e.type == Eq::Type::kDouble && static_cast<double>(v.int_value) == e.double_value;
    case model::ValueType::kDouble:
      if (e.type == Eq::Type::kInt) return v.double_value == static_cast<double>(e.int_value);
      return e.type == Eq::Type::kDouble && v.double_value == e.double_value;
    case model::ValueType::kArray:
      for (uint32_t i = v.range.begin; i < v.range.end(); ++i) {
        if (ValueEquals(b, b.array_values[i], e)) return true;
      }
      return false;
    default: return false;
  }
}

inline bool ListHas(const model::SpanBatch& b, model::Range r, const Eq& e) {
  for (uint32_t k = r.begin; k < r.end(); ++k) {
    if (b.key_values[k].key == e.key && ValueEquals(b, b.key_values[k].value, e)) return true;
  }
  return false;
}

// Span i of `b` satisfies every condition of `p`, computed from the batch itself as the query
// engine would (unscoped: any place holds an equal value). The oracle for the block filter tests.
inline bool SpanSatisfies(const model::SpanBatch& b, uint32_t i, const ScanPredicate& p) {
  const model::SpanColumns& c = b.spans;
  const model::Scope& scope = b.scopes[c.scope[i]];
  const model::Range res = b.resources[scope.resource].attributes;
  for (const auto& [key, value] : p.resource_equals) {
    Eq e;
    e.key = key;
    e.string_value = value;
    if (!ListHas(b, res, e)) return false;
  }
  for (const Eq& e : p.attribute_equals) {
    bool m = false;
    if (e.scope != Eq::Scope::kResource) m = ListHas(b, c.attributes[i], e);
    if (e.scope != Eq::Scope::kSpan) m = m || ListHas(b, res, e);
    if (e.scope == Eq::Scope::kAny) {
      m = m || ListHas(b, scope.attributes, e);
      for (uint32_t ev = c.events[i].begin; ev < c.events[i].end(); ++ev) {
        m = m || ListHas(b, b.events[ev].attributes, e);
      }
    }
    if (!m) return false;
  }
  if (p.name_equals && c.name[i] != *p.name_equals) return false;
  if (p.status_code_equals && static_cast<uint32_t>(c.status_code[i]) != *p.status_code_equals) {
    return false;
  }
  if (p.kind_equals && static_cast<uint32_t>(c.kind[i]) != *p.kind_equals) return false;
  auto d = static_cast<int64_t>(c.end_time_unix_nano[i] - c.start_time_unix_nano[i]);
  return d >= p.min_duration && d <= p.max_duration;
}

}  // namespace th::store::block::testing

#include "store/block/internal/span_filter.h"

#include <algorithm>
#include <cstring>

#include "common/strings.h"

namespace th::store::block::internal {
namespace {

using model::AnyValue;
using model::ValueType;
constexpr size_t kAny = RowGroupColumns::kAnyCount;

// The code of `value` in a sorted dictionary, or -1.
int64_t FindCode(const std::vector<std::string_view>& dict, std::string_view value) {
  auto it = std::lower_bound(dict.begin(), dict.end(), value);
  if (it == dict.end() || *it != value) return -1;
  return it - dict.begin();
}

// Whether a stored value may equal `e` under the engine's comparison (scan_predicate.h).
bool MayEqual(const AnyValue& v, const AttributeEquals& e) {
  using T = AttributeEquals::Type;
  switch (v.type) {
    case ValueType::kString:
      return e.type == T::kString && v.bytes == e.string_value;
    case ValueType::kInt:
      if (e.type == T::kInt) return v.int_value == e.int_value;
      return e.type == T::kDouble && static_cast<double>(v.int_value) == e.double_value;
    case ValueType::kDouble:
      if (e.type == T::kInt) return v.double_value == static_cast<double>(e.int_value);
      return e.type == T::kDouble && v.double_value == e.double_value;
    case ValueType::kBool:
      return e.type == T::kBool && v.bool_value == e.bool_value;
    case ValueType::kArray:
    case ValueType::kKvList:
    case ValueType::kBytes:
      return true;  // not evaluated here: a candidate
    case ValueType::kEmpty:
      return false;
  }
  return true;
}

// Whether the attribute list `attrs` of `b` has `e.key` with a value that may equal `e`.
bool ListMayMatch(const model::SpanBatch& b, model::Range attrs, const AttributeEquals& e) {
  for (uint32_t k = attrs.begin; k < attrs.end() && k < b.key_values.size(); ++k) {
    const model::KeyValue& kv = b.key_values[k];
    if (kv.key == e.key && MayEqual(kv.value, e)) return true;
  }
  return false;
}

// mask[i] &= lut[min(v[i], n)], where lut has n + 1 entries.
void AndLut(const std::vector<uint32_t>& v, const std::vector<uint8_t>& lut, uint8_t* mask) {
  const uint32_t n = static_cast<uint32_t>(lut.size() - 1);
  const uint8_t* l = lut.data();
  const uint32_t* p = v.data();
  for (size_t i = 0, end = v.size(); i < end; ++i) mask[i] &= l[std::min(p[i], n)];
}

void AndEqual(const std::vector<uint32_t>& v, uint32_t x, uint8_t* mask) {
  const uint32_t* p = v.data();
  for (size_t i = 0, end = v.size(); i < end; ++i) mask[i] &= static_cast<uint8_t>(p[i] == x);
}

}  // namespace

SpanFilter::SpanFilter(const ScanPredicate& predicate, const model::SpanBatch& tables,
                       const DedicatedKeys& dedicated)
    : predicate_(predicate), tables_(tables), dedicated_(dedicated) {
  const size_t scopes = tables.scopes.size();
  // Resource conditions, per resource, then per scope.
  std::vector<const AttributeEquals*> resource_conditions;
  std::vector<AttributeEquals> string_equals;
  string_equals.reserve(predicate.resource_equals.size());
  for (const auto& [key, value] : predicate.resource_equals) {
    AttributeEquals e;
    e.scope = AttributeEquals::Scope::kResource;
    e.key = key;
    e.string_value = value;
    string_equals.push_back(std::move(e));
  }
  for (const AttributeEquals& e : string_equals) resource_conditions.push_back(&e);
  for (const AttributeEquals& e : predicate.attribute_equals) {
    if (e.scope == AttributeEquals::Scope::kResource) resource_conditions.push_back(&e);
  }
  if (!resource_conditions.empty()) {
    use_scope_lut_ = true;
    needs_scopes_ = true;
    scope_lut_.assign(scopes + 1, 0);
    bool any = false;
    for (size_t s = 0; s < scopes; ++s) {
      const uint32_t r = tables.scopes[s].resource;
      if (r >= tables.resources.size()) continue;
      bool all = true;
      for (const AttributeEquals* e : resource_conditions) {
        all = all && ListMayMatch(tables, tables.resources[r].attributes, *e);
      }
      scope_lut_[s] = all;
      any = any || all;
    }
    block_may_match_ = any;
  }
  for (const AttributeEquals& e : predicate.attribute_equals) {
    if (e.scope == AttributeEquals::Scope::kResource) continue;
    AttributeCondition a;
    a.eq = &e;
    auto it = dedicated.find(e.key);
    a.group = it == dedicated.end() ? 0 : it->second;
    a.group_prefix = th::StrCat("span.attr.g", a.group, ".");
    if (e.scope == AttributeEquals::Scope::kAny) {
      needs_scopes_ = true;
      a.scope_lut.assign(scopes + 1, 0);
      for (size_t s = 0; s < scopes; ++s) {
        const model::Scope& sc = tables.scopes[s];
        bool m = ListMayMatch(tables, sc.attributes, e);
        if (sc.resource < tables.resources.size()) {
          m = m || ListMayMatch(tables, tables.resources[sc.resource].attributes, e);
        }
        a.scope_lut[s] = m;
      }
    }
    attributes_.push_back(std::move(a));
  }
  needs_duration_ =
      predicate.min_duration != INT64_MIN || predicate.max_duration != INT64_MAX;
}

size_t SpanFilter::Evaluate(RowGroupColumns* columns, size_t traces, size_t spans) {
  size_t matched = 0;
  if (!EvaluateColumns(columns, traces, spans, &matched).ok()) {
    trace_match_.assign(traces, 1);  // let the full decode report it
    return traces;
  }
  return matched;
}

Status SpanFilter::EvaluateColumns(RowGroupColumns* c, size_t traces, size_t spans,
                                   size_t* matched) {
  *matched = 0;
  trace_match_.assign(traces, 0);
  mask_.assign(spans, 1);
  uint8_t* mask = mask_.data();
  if (needs_scopes_) {
    RETURN_IF_ERROR(c->U32("span.scope", spans, &scopes_));
    if (use_scope_lut_) AndLut(scopes_, scope_lut_, mask);
  }
  if (predicate_.name_equals) {
    RETURN_IF_ERROR(c->Codes("span.name", spans, &dict_, &codes_));
    int64_t code = FindCode(dict_, *predicate_.name_equals);
    if (code < 0) return Status();  // no span of the row group has the name
    AndEqual(codes_, static_cast<uint32_t>(code), mask);
  }
  if (predicate_.status_code_equals) {
    RETURN_IF_ERROR(c->U32("span.status_code", spans, &u32_));
    AndEqual(u32_, *predicate_.status_code_equals, mask);
  }
  if (predicate_.kind_equals) {
    RETURN_IF_ERROR(c->U32("span.kind", spans, &u32_));
    AndEqual(u32_, *predicate_.kind_equals, mask);
  }
  if (needs_duration_) {
    RETURN_IF_ERROR(c->I64("span.duration", spans, &i64_));
    const int64_t lo = predicate_.min_duration, hi = predicate_.max_duration;
    const int64_t* d = i64_.data();
    for (size_t i = 0; i < spans; ++i) mask[i] &= static_cast<uint8_t>((d[i] >= lo) & (d[i] <= hi));
  }
  for (const AttributeCondition& a : attributes_) {
    bool known = true;
    RETURN_IF_ERROR(SpanAttributeSide(c, a, spans, &known));
    if (a.eq->scope == AttributeEquals::Scope::kAny && known) {
      // The engine also looks in events and links: a row group holding the key there is not
      // evaluated for this condition.
      for (const char* holder : {"event.attr.key", "link.attr.key"}) {
        RETURN_IF_ERROR(c->Codes(holder, kAny, &dict_, nullptr));
        if (FindCode(dict_, a.eq->key) >= 0) known = false;
      }
    }
    if (!known) continue;
    uint8_t* side = side_.data();
    if (a.eq->scope == AttributeEquals::Scope::kAny) {
      const uint32_t n = static_cast<uint32_t>(a.scope_lut.size() - 1);
      const uint8_t* l = a.scope_lut.data();
      const uint32_t* sc = scopes_.data();
      for (size_t i = 0; i < spans; ++i) side[i] |= l[std::min(sc[i], n)];
    }
    for (size_t i = 0; i < spans; ++i) mask[i] &= side[i];
  }
  RETURN_IF_ERROR(c->U32("trace.span_count", traces, &u32_));
  size_t pos = 0, count = 0;
  for (size_t t = 0; t < traces; ++t) {
    const size_t n = u32_[t];
    if (n > spans - pos) return absl::DataLossError("trace span counts exceed the span count");
    uint8_t any = 0;
    for (size_t i = pos; i < pos + n; ++i) any |= mask[i];
    trace_match_[t] = any;
    count += any;
    pos += n;
  }
  *matched = count;
  return Status();
}

Status SpanFilter::MatchGroupValues(RowGroupColumns* c, const AttributeCondition& a, bool* any,
                                    bool* known) {
  using T = AttributeEquals::Type;
  const AttributeEquals& e = *a.eq;
  const std::string& p = a.group_prefix;
  const size_t values = types_.size();
  value_match_.assign(values + 1, 0);  // + 1: the walk may read one past the last value
  uint8_t* vm = value_match_.data();
  *any = false;
  // One column per type; a value's entry in it is the number of earlier values of its type.
  int64_t str_code = -1;
  codes_.clear();
  i64_.clear();
  std::string_view doubles;
  bools_.clear();
  if (e.type == T::kString) {
    RETURN_IF_ERROR(c->Codes(p + "str", kAny, &dict_, &codes_));
    str_code = FindCode(dict_, e.string_value);
    if (str_code < 0) return Status();  // no value of the group equals it
  } else if (e.type == T::kBool) {
    RETURN_IF_ERROR(c->U32(p + "bool", kAny, &bools_));
  } else {
    RETURN_IF_ERROR(c->I64(p + "int", kAny, &i64_));
    RETURN_IF_ERROR(c->Fixed(p + "double", 8, kAny, &doubles));
  }
  if (e.type == T::kString && codes_.size() == values) {
    // Every value is a string (the common case): compare codes.
    const uint32_t x = static_cast<uint32_t>(str_code);
    for (size_t v = 0; v < values; ++v) vm[v] = codes_[v] == x;
  } else if (e.type == T::kInt && i64_.size() == values) {
    const int64_t x = e.int_value;
    for (size_t v = 0; v < values; ++v) vm[v] = i64_[v] == x;
  } else {
    size_t str = 0, ints = 0, dbl = 0, bools = 0;
    for (size_t v = 0; v < values; ++v) {
      AnyValue val;
      val.type = static_cast<ValueType>(types_[v]);
      switch (val.type) {
        case ValueType::kString:
          if (e.type == T::kString) {
            if (str >= codes_.size()) return absl::DataLossError("string column exhausted");
            vm[v] = codes_[str] == static_cast<uint32_t>(str_code);
          }
          ++str;
          continue;
        case ValueType::kInt:
          if (e.type == T::kInt || e.type == T::kDouble) {
            if (ints >= i64_.size()) return absl::DataLossError("int column exhausted");
            val.int_value = i64_[ints];
            vm[v] = MayEqual(val, e);
          }
          ++ints;
          continue;
        case ValueType::kDouble:
          if (e.type == T::kInt || e.type == T::kDouble) {
            if ((dbl + 1) * 8 > doubles.size()) return absl::DataLossError("double column exhausted");
            std::memcpy(&val.double_value, doubles.data() + dbl * 8, 8);
            vm[v] = MayEqual(val, e);
          }
          ++dbl;
          continue;
        case ValueType::kBool:
          if (e.type == T::kBool) {
            if (bools >= bools_.size()) return absl::DataLossError("bool column exhausted");
            vm[v] = (bools_[bools] != 0) == e.bool_value;
          }
          ++bools;
          continue;
        case ValueType::kEmpty:
        case ValueType::kBytes:
          continue;
        default:  // nested values: not evaluated
          *known = false;
          return Status();
      }
    }
  }
  for (size_t v = 0; v < values; ++v) *any = *any || vm[v];
  return Status();
}

Status SpanFilter::SpanAttributeSide(RowGroupColumns* c, const AttributeCondition& a,
                                     size_t spans, bool* known) {
  *known = true;
  side_.assign(spans, 0);
  RETURN_IF_ERROR(c->Codes("span.attr.key", kAny, &key_dict_, &key_codes_));
  const int64_t key = FindCode(key_dict_, a.eq->key);
  if (key < 0) return Status();  // no span of the row group has the key
  // Arrays and kvlists nest values in the group's stream; not evaluated here.
  RETURN_IF_ERROR(c->U32(a.group_prefix + "count", kAny, &u32_));
  if (!u32_.empty()) {
    *known = false;
    return Status();
  }
  RETURN_IF_ERROR(c->U32(a.group_prefix + "type", kAny, &types_));
  bool any = false;
  RETURN_IF_ERROR(MatchGroupValues(c, a, &any, known));
  if (!*known || !any) return Status();
  RETURN_IF_ERROR(c->U32("span.attr.count", kAny, &counts_));
  if (counts_.size() != spans) return absl::DataLossError("span.attr.count: wrong count");
  // Which keys' values go to this group: the dedicated key alone, or every key not dedicated.
  in_group_.assign(key_dict_.size(), 0);
  for (size_t k = 0; k < key_dict_.size(); ++k) {
    if (a.group != 0) {
      in_group_[k] = static_cast<int64_t>(k) == key;
    } else {
      in_group_[k] = !dedicated_.contains(absl::string_view(key_dict_[k].data(), key_dict_[k].size()));
    }
  }
  // The walk below trusts the counts: check them first.
  uint64_t attrs = 0, in_group = 0;
  for (uint32_t n : counts_) attrs += n;
  if (attrs != key_codes_.size()) return absl::DataLossError("span.attr.count: wrong total");
  const uint8_t* ig = in_group_.data();
  for (uint32_t k : key_codes_) in_group += ig[k];
  if (in_group != types_.size()) return absl::DataLossError("value group: wrong value count");
  // The last matching value: the walk stops past it.
  size_t last = types_.size();
  while (last > 0 && !value_match_[last - 1]) --last;
  const uint8_t* vm = value_match_.data();
  const uint32_t* kc = key_codes_.data();
  const uint32_t* cnt = counts_.data();
  const uint32_t k = static_cast<uint32_t>(key);
  uint8_t* side = side_.data();
  size_t pos = 0, v = 0;
  for (size_t s = 0; s < spans && v < last; ++s) {
    uint8_t m = 0;
    for (const size_t end = pos + cnt[s]; pos < end; ++pos) {
      const uint32_t code = kc[pos];
      m |= static_cast<uint8_t>(code == k) & vm[v];
      v += ig[code];
    }
    side[s] = m;
  }
  return Status();
}

}  // namespace th::store::block::internal

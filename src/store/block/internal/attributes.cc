#include "store/block/internal/attributes.h"

#include <cstring>

#include "common/strings.h"

namespace th::store::block::internal {

using model::AnyValue;
using model::KeyValue;
using model::Range;
using model::SpanBatch;
using model::ValueType;

// Deepest nesting of arrays and kvlists a reader accepts.
constexpr int kMaxDepth = 64;

AttributeWriter::AttributeWriter(std::string prefix, const DedicatedKeys* dedicated,
                                 uint32_t group_count)
    : prefix_(std::move(prefix)), dedicated_(dedicated), groups_(group_count) {}

void AttributeWriter::Add(const SpanBatch& batch, Range attributes) {
  counts_.push_back(attributes.count);
  for (uint32_t i = attributes.begin; i < attributes.end(); ++i) {
    const KeyValue& kv = batch.key_values[i];
    keys_.push_back(kv.key);
    uint32_t group = 0;
    if (dedicated_ != nullptr) {
      auto it = dedicated_->find(absl::string_view(kv.key.data(), kv.key.size()));
      if (it != dedicated_->end()) group = it->second;
    }
    AddValue(batch, kv.value, &groups_[group]);
  }
}

void AttributeWriter::AddValue(const SpanBatch& batch, const AnyValue& v, Group* g) {
  g->type.push_back(static_cast<uint32_t>(v.type));
  switch (v.type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kString:
      g->str.push_back(v.bytes);
      break;
    case ValueType::kBool:
      g->bools.push_back(v.bool_value ? 1 : 0);
      break;
    case ValueType::kInt:
      g->ints.push_back(v.int_value);
      break;
    case ValueType::kDouble: {
      char b[8];
      std::memcpy(b, &v.double_value, 8);
      g->doubles.append(b, 8);
      break;
    }
    case ValueType::kBytes:
      g->bytes.push_back(v.bytes);
      break;
    case ValueType::kArray:
      g->counts.push_back(v.range.count);
      for (uint32_t i = v.range.begin; i < v.range.end(); ++i) {
        AddValue(batch, batch.array_values[i], g);
      }
      break;
    case ValueType::kKvList:
      g->counts.push_back(v.range.count);
      for (uint32_t i = v.range.begin; i < v.range.end(); ++i) {
        g->keys.push_back(batch.key_values[i].key);
        AddValue(batch, batch.key_values[i].value, g);
      }
      break;
  }
}

Status AttributeWriter::Write(RowGroupBuilder* out) const {
  RETURN_IF_ERROR(out->U32(th::StrCat(prefix_, ".attr.count"), counts_));
  RETURN_IF_ERROR(out->Str(th::StrCat(prefix_, ".attr.key"), keys_));
  for (size_t i = 0; i < groups_.size(); ++i) {
    const Group& g = groups_[i];
    std::string p = th::StrCat(prefix_, ".attr.g", i, ".");
    RETURN_IF_ERROR(out->U32(p + "type", g.type));
    RETURN_IF_ERROR(out->Str(p + "str", g.str));
    RETURN_IF_ERROR(out->I64(p + "int", g.ints));
    RETURN_IF_ERROR(out->Fixed(p + "double", g.doubles));
    RETURN_IF_ERROR(out->U32(p + "bool", g.bools));
    RETURN_IF_ERROR(out->Bytes(p + "bytes", g.bytes));
    RETURN_IF_ERROR(out->U32(p + "count", g.counts));
    RETURN_IF_ERROR(out->Str(p + "key", g.keys));
  }
  return Status();
}

Status AttributeReader::Load(RowGroupColumns* columns, std::string_view prefix,
                             const DedicatedKeys* dedicated, uint32_t group_count, size_t holders) {
  prefix_ = std::string(prefix);
  holder_pos_ = key_pos_ = 0;
  constexpr size_t kAny = RowGroupColumns::kAnyCount;
  RETURN_IF_ERROR(columns->U32(th::StrCat(prefix, ".attr.count"), kAny, &counts_));
  // A row group whose holders all have no attributes may omit the count column.
  if (!counts_.empty() && counts_.size() != holders) {
    return absl::DataLossError(th::StrCat("column ", prefix, ".attr.count: holds ", counts_.size(),
                                          " values, expected ", holders));
  }
  RETURN_IF_ERROR(columns->Dict(th::StrCat(prefix, ".attr.key"), kAny, &keys_));
  group_of_key_.assign(keys_.dictionary.size(), 0);
  if (dedicated != nullptr) {
    for (size_t k = 0; k < keys_.dictionary.size(); ++k) {
      const std::string_view key = keys_.dictionary[k];
      auto it = dedicated->find(absl::string_view(key.data(), key.size()));
      if (it != dedicated->end()) group_of_key_[k] = it->second;
    }
  }
  groups_.assign(group_count, Group());
  for (uint32_t i = 0; i < group_count; ++i) {
    Group& g = groups_[i];
    std::string p = th::StrCat(prefix, ".attr.g", i, ".");
    RETURN_IF_ERROR(columns->U32(p + "type", kAny, &g.type));
    RETURN_IF_ERROR(columns->Dict(p + "str", kAny, &g.str));
    RETURN_IF_ERROR(columns->I64(p + "int", kAny, &g.ints));
    RETURN_IF_ERROR(columns->Fixed(p + "double", 8, kAny, &g.doubles));
    RETURN_IF_ERROR(columns->U32(p + "bool", kAny, &g.bools));
    RETURN_IF_ERROR(columns->Bytes(p + "bytes", kAny, &g.bytes));
    RETURN_IF_ERROR(columns->U32(p + "count", kAny, &g.counts));
    RETURN_IF_ERROR(columns->Str(p + "key", kAny, &g.keys));
  }
  return Status();
}

Status AttributeReader::Short(std::string_view what) const {
  return absl::DataLossError(th::StrCat("attributes of ", prefix_, ": ", what));
}

Status AttributeReader::ReadValue(Group* g, SpanBatch* batch, AnyValue* out, int depth) {
  if (depth > kMaxDepth) return Short("values nested too deeply");
  if (g->type_pos >= g->type.size()) return Short("type column exhausted");
  uint32_t type = g->type[g->type_pos++];
  AnyValue v;
  v.type = static_cast<ValueType>(type);
  switch (v.type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kString:
      if (g->str_pos >= g->str.size()) return Short("string column exhausted");
      if (batch != nullptr) v.bytes = batch->arena.Copy(g->str[g->str_pos]);
      ++g->str_pos;
      break;
    case ValueType::kBytes:
      if (g->bytes_pos >= g->bytes.size()) return Short("bytes column exhausted");
      if (batch != nullptr) v.bytes = batch->arena.Copy(g->bytes[g->bytes_pos]);
      ++g->bytes_pos;
      break;
    case ValueType::kBool:
      if (g->bool_pos >= g->bools.size()) return Short("bool column exhausted");
      v.bool_value = g->bools[g->bool_pos++] != 0;
      break;
    case ValueType::kInt:
      if (g->int_pos >= g->ints.size()) return Short("int column exhausted");
      v.int_value = g->ints[g->int_pos++];
      break;
    case ValueType::kDouble:
      if (g->double_pos + 8 > g->doubles.size()) return Short("double column exhausted");
      std::memcpy(&v.double_value, g->doubles.data() + g->double_pos, 8);
      g->double_pos += 8;
      break;
    case ValueType::kArray:
    case ValueType::kKvList: {
      if (g->count_pos >= g->counts.size()) return Short("count column exhausted");
      uint32_t n = g->counts[g->count_pos++];
      bool is_array = v.type == ValueType::kArray;
      // Each element takes at least one type value, which bounds n by the data.
      if (n > g->type.size() - g->type_pos) return Short("element count past the data");
      uint32_t begin = 0;
      if (batch != nullptr) {
        if (is_array) {
          begin = static_cast<uint32_t>(batch->array_values.size());
          batch->array_values.resize(begin + n);
        } else {
          begin = static_cast<uint32_t>(batch->key_values.size());
          batch->key_values.resize(begin + n);
        }
      }
      for (uint32_t i = 0; i < n; ++i) {
        AnyValue element;
        if (!is_array) {
          if (g->key_pos >= g->keys.size()) return Short("kvlist key column exhausted");
          std::string_view key = g->keys[g->key_pos++];
          if (batch != nullptr) batch->key_values[begin + i].key = batch->arena.Copy(key);
        }
        RETURN_IF_ERROR(ReadValue(g, batch, &element, depth + 1));
        if (batch != nullptr) {
          if (is_array) {
            batch->array_values[begin + i] = element;
          } else {
            batch->key_values[begin + i].value = element;
          }
        }
      }
      v.range = Range{begin, n};
      break;
    }
    default:
      return Short(th::StrCat("unknown value type ", type));
  }
  *out = v;
  return Status();
}

Result<Range> AttributeReader::Next(SpanBatch* batch) {
  uint32_t n = 0;
  if (!counts_.empty()) {
    if (holder_pos_ >= counts_.size()) return Short("count column exhausted");
    n = counts_[holder_pos_];
  }
  ++holder_pos_;
  if (n > keys_.size() - key_pos_) return Short("key column exhausted");
  uint32_t begin = 0;
  if (batch != nullptr) {
    begin = static_cast<uint32_t>(batch->key_values.size());
    batch->key_values.resize(begin + n);
  }
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t code = keys_.codes[key_pos_++];
    const uint32_t group = group_of_key_[code];
    if (group >= groups_.size()) return Short("dedicated key group out of range");
    AnyValue v;
    RETURN_IF_ERROR(ReadValue(&groups_[group], batch, &v, 0));
    if (batch != nullptr) {
      batch->key_values[begin + i].key = batch->arena.Copy(keys_.dictionary[code]);
      batch->key_values[begin + i].value = v;
    }
  }
  return Range{begin, n};
}

Status AttributeReader::Skip(size_t holders) {
  size_t attrs = 0;
  if (!counts_.empty()) {
    if (holders > counts_.size() - std::min(holder_pos_, counts_.size())) {
      return Short("count column exhausted");
    }
    for (size_t i = holder_pos_; i < holder_pos_ + holders; ++i) attrs += counts_[i];
  }
  holder_pos_ += holders;
  if (attrs > keys_.size() - key_pos_) return Short("key column exhausted");
  skip_values_.assign(groups_.size(), 0);
  if (groups_.size() == 1) {
    skip_values_[0] = attrs;
  } else {
    const uint32_t* codes = keys_.codes.data();
    for (size_t i = key_pos_; i < key_pos_ + attrs; ++i) {
      const uint32_t group = group_of_key_[codes[i]];
      if (group >= groups_.size()) return Short("dedicated key group out of range");
      ++skip_values_[group];
    }
  }
  key_pos_ += attrs;
  for (size_t g = 0; g < groups_.size(); ++g) {
    RETURN_IF_ERROR(SkipValues(&groups_[g], skip_values_[g]));
  }
  return Status();
}

Status AttributeReader::SkipValues(Group* g, size_t values) {
  if (values == 0) return Status();
  if (!g->counts.empty()) {
    // Arrays or kvlists nest values in the stream: walk it.
    AnyValue ignored;
    for (size_t i = 0; i < values; ++i) RETURN_IF_ERROR(ReadValue(g, nullptr, &ignored, 0));
    return Status();
  }
  // No nesting: one type per value, and each type's column advances by its count.
  if (values > g->type.size() - g->type_pos) return Short("type column exhausted");
  // per_type[8] counts the types no ValueType names.
  size_t per_type[9] = {};
  const uint32_t* type = g->type.data();
  for (size_t i = g->type_pos; i < g->type_pos + values; ++i) ++per_type[std::min(type[i], 8u)];
  g->type_pos += values;
  auto advance = [&](size_t* pos, size_t n, size_t size, std::string_view what) {
    if (n > size - std::min(*pos, size)) return Short(th::StrCat(what, " column exhausted"));
    *pos += n;
    return Status();
  };
  if (per_type[8] != 0) return Short("unknown value type");
  for (uint32_t t = 0; t < 8; ++t) {
    const size_t n = per_type[t];
    if (n == 0) continue;
    switch (static_cast<ValueType>(t)) {
      case ValueType::kEmpty:
        break;
      case ValueType::kString:
        RETURN_IF_ERROR(advance(&g->str_pos, n, g->str.size(), "string"));
        break;
      case ValueType::kBytes:
        RETURN_IF_ERROR(advance(&g->bytes_pos, n, g->bytes.size(), "bytes"));
        break;
      case ValueType::kBool:
        RETURN_IF_ERROR(advance(&g->bool_pos, n, g->bools.size(), "bool"));
        break;
      case ValueType::kInt:
        RETURN_IF_ERROR(advance(&g->int_pos, n, g->ints.size(), "int"));
        break;
      case ValueType::kDouble:
        if (n * 8 > g->doubles.size() - std::min(g->double_pos, g->doubles.size())) {
          return Short("double column exhausted");
        }
        g->double_pos += n * 8;
        break;
      case ValueType::kArray:
      case ValueType::kKvList:
        return Short("nested value without an element count");
    }
  }
  return Status();
}

}  // namespace th::store::block::internal

namespace th::store::block::internal {
namespace {

AnyValue CopyValue(const SpanBatch& from, const AnyValue& v, SpanBatch* to) {
  AnyValue out = v;
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kBytes:
      out.bytes = to->arena.Copy(v.bytes);
      break;
    case ValueType::kArray: {
      uint32_t begin = static_cast<uint32_t>(to->array_values.size());
      to->array_values.resize(begin + v.range.count);
      for (uint32_t i = 0; i < v.range.count; ++i) {
        AnyValue element = CopyValue(from, from.array_values[v.range.begin + i], to);
        to->array_values[begin + i] = element;
      }
      out.range = Range{begin, v.range.count};
      break;
    }
    case ValueType::kKvList:
      out.range = CopyAttributes(from, v.range, to);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

Range CopyAttributes(const SpanBatch& from, Range attributes, SpanBatch* to) {
  uint32_t begin = static_cast<uint32_t>(to->key_values.size());
  to->key_values.resize(begin + attributes.count);
  for (uint32_t i = 0; i < attributes.count; ++i) {
    const KeyValue& kv = from.key_values[attributes.begin + i];
    KeyValue copy;
    copy.key = to->arena.Copy(kv.key);
    copy.value = CopyValue(from, kv.value, to);
    to->key_values[begin + i] = copy;
  }
  return Range{begin, attributes.count};
}

}  // namespace th::store::block::internal

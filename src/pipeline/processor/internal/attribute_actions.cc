#include "pipeline/processor/internal/attribute_actions.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/strings.h"
#include "pipeline/processor/internal/attribute_value.h"
#include "pipeline/processor/internal/sha256.h"

#include <re2/re2.h>

namespace th::pipeline::processor {
namespace {

Result<std::shared_ptr<const re2::RE2>> CompilePattern(const config::Node& where,
                                                       const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(pattern, options);
  if (!re->ok()) {
    return where.Error(
        th::StrCat("field \"pattern\" has invalid pattern \"", pattern, "\": ", re->error()));
  }
  return re;
}

Result<ActionType> ParseActionType(const config::Node& where, std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name == "insert") return ActionType::kInsert;
  if (name == "update") return ActionType::kUpdate;
  if (name == "upsert") return ActionType::kUpsert;
  if (name == "delete") return ActionType::kDelete;
  if (name == "hash") return ActionType::kHash;
  if (name == "extract") return ActionType::kExtract;
  if (name == "convert") return ActionType::kConvert;
  return where.Error(th::StrCat("unsupported action \"", name,
                                "\" (known: insert, update, upsert, delete, hash, extract, "
                                "convert)"));
}

Result<AttributeAction> ParseAction(const config::Node& item) {
  RETURN_IF_ERROR(item.CheckKeys(
      {"key", "action", "value", "from_attribute", "from_context", "pattern", "converted_type"}));
  AttributeAction a;
  std::string action, pattern, converted_type;
  RETURN_IF_ERROR(item.GetString("action", &action));
  const config::Node& action_at = item["action"].IsPresent() ? item["action"] : item;
  if (action.empty()) return action_at.Error("missing required field \"action\"");
  ASSIGN_OR_RETURN(a.type, ParseActionType(action_at, action));
  RETURN_IF_ERROR(item.GetString("key", &a.key));
  RETURN_IF_ERROR(item.GetString("from_attribute", &a.from_attribute));
  RETURN_IF_ERROR(item.GetString("from_context", &a.from_context));
  RETURN_IF_ERROR(item.GetString("pattern", &pattern));
  RETURN_IF_ERROR(item.GetString("converted_type", &converted_type));
  if (!item["value"].IsNull()) {
    ASSIGN_OR_RETURN(ConfigValue v, ParseConfigValue(item["value"]));
    a.value = std::move(v);
  }
  int sources =
      (a.value ? 1 : 0) + (a.from_attribute.empty() ? 0 : 1) + (a.from_context.empty() ? 0 : 1);

  bool key_or_pattern = a.type == ActionType::kDelete || a.type == ActionType::kHash;
  if (key_or_pattern && a.key.empty() && pattern.empty()) {
    return item.Error(
        th::StrCat("action \"", action, "\" needs at least one of \"key\" and \"pattern\""));
  }
  if (!key_or_pattern && a.key.empty()) return item.Error("missing required field \"key\"");
  if (!converted_type.empty() && a.type != ActionType::kConvert) {
    return item["converted_type"].Error(
        th::StrCat("action \"", action, "\" does not use the \"converted_type\" field"));
  }

  switch (a.type) {
    case ActionType::kInsert:
    case ActionType::kUpdate:
    case ActionType::kUpsert:
      if (sources == 0) {
        return item.Error(
            "either field \"value\", \"from_attribute\" or \"from_context\" must be specified");
      }
      if (sources > 1) return item.Error("multiple value sources are set; use exactly one");
      if (!pattern.empty()) {
        return item["pattern"].Error(
            th::StrCat("action \"", action, "\" does not use the \"pattern\" field"));
      }
      break;
    case ActionType::kDelete:
    case ActionType::kHash:
      if (a.value || !a.from_attribute.empty()) {
        return item.Error(
            th::StrCat("action \"", action, "\" does not use \"value\" or \"from_attribute\""));
      }
      if (!pattern.empty()) {
        ASSIGN_OR_RETURN(a.pattern, CompilePattern(item["pattern"], pattern));
      }
      break;
    case ActionType::kExtract: {
      if (sources > 0) {
        return item.Error(th::StrCat("action \"", action, "\" does not use a value source"));
      }
      if (pattern.empty()) {
        return item.Error(
            th::StrCat("missing required field \"pattern\" for action \"", action, "\""));
      }
      ASSIGN_OR_RETURN(a.pattern, CompilePattern(item["pattern"], pattern));
      int groups = a.pattern->NumberOfCapturingGroups();
      if (groups <= 0) {
        return item["pattern"].Error("field \"pattern\" contains no named matcher groups");
      }
      a.group_names.assign(static_cast<size_t>(groups), "");
      for (const auto& [name, index] : a.pattern->NamedCapturingGroups()) {
        a.group_names[static_cast<size_t>(index - 1)] = std::string(name.data(), name.size());
      }
      for (const std::string& name : a.group_names) {
        if (name.empty()) {
          return item["pattern"].Error(
              "field \"pattern\" contains at least one unnamed matcher group");
        }
      }
      break;
    }
    case ActionType::kConvert:
      if (sources > 0 || !pattern.empty()) {
        return item.Error(
            th::StrCat("action \"", action, "\" does not use value sources or \"pattern\""));
      }
      if (converted_type == "int") {
        a.converted_type = model::ValueType::kInt;
      } else if (converted_type == "double") {
        a.converted_type = model::ValueType::kDouble;
      } else if (converted_type == "string") {
        a.converted_type = model::ValueType::kString;
      } else if (converted_type.empty()) {
        return item.Error("missing required field \"converted_type\" for action \"convert\"");
      } else {
        return item["converted_type"].Error(
            th::StrCat("invalid value \"", converted_type, "\" (known: int, double, string)"));
      }
      break;
  }
  return a;
}

// Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no overflow.
bool ParseGoInt(std::string_view s, int64_t* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Go's strconv.ParseFloat(s, 64) for the usual spellings (decimal, exponent, inf, nan).
bool ParseGoFloat(std::string_view s, double* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view body = lower;
  if (!body.empty() && body.front() == '-') body.remove_prefix(1);
  if (body == "inf" || body == "infinity" || body == "nan") {
    auto r = std::from_chars(lower.data(), lower.data() + lower.size(), *out);
    return r.ec == std::errc();
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out, std::chars_format::general);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

Result<AttributeActions> AttributeActions::Parse(const config::Node& list) {
  AttributeActions out;
  if (list.IsNull()) return out;
  if (!list.IsSequence()) return list.Error("expected a list of actions");
  for (const config::Node& item : list.Items()) {
    ASSIGN_OR_RETURN(AttributeAction a, ParseAction(item));
    out.actions_.push_back(std::move(a));
  }
  return out;
}

int AttributeEditor::Find(std::string_view key) const {
  for (size_t i = 0; i < kvs_.size(); ++i) {
    if (kvs_[i].key == key) return static_cast<int>(i);
  }
  return -1;
}

std::string_view AttributeEditor::Intern(const std::string& s) {
  auto [it, inserted] = strings_.try_emplace(&s);
  if (inserted) it->second = batch_.arena.Copy(s);
  return it->second;
}

model::AnyValue AttributeEditor::ValueFromConfig(const ConfigValue& v) {
  auto it = values_.find(&v);
  if (it != values_.end()) return it->second;
  model::AnyValue out;
  out.type = v.type;
  switch (v.type) {
    case model::ValueType::kString:
      out.bytes = Intern(v.text);
      break;
    case model::ValueType::kBool:
      out.bool_value = v.bool_value;
      break;
    case model::ValueType::kInt:
      out.int_value = v.int_value;
      break;
    case model::ValueType::kDouble:
      out.double_value = v.double_value;
      break;
    case model::ValueType::kArray: {
      out.range.begin = static_cast<uint32_t>(batch_.array_values.size());
      out.range.count = static_cast<uint32_t>(v.elements.size());
      std::vector<model::AnyValue> elements;
      for (const ConfigValue& e : v.elements) elements.push_back(ValueFromConfig(e));
      batch_.array_values.insert(batch_.array_values.end(), elements.begin(), elements.end());
      break;
    }
    default:
      break;
  }
  values_.emplace(&v, out);
  return out;
}

std::optional<model::AnyValue> AttributeEditor::Source(const AttributeAction& a) {
  if (a.value) return ValueFromConfig(*a.value);
  if (!a.from_context.empty()) {
    std::string key = a.from_context;
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if ((key == "metadata.x-scope-orgid" || key == "x-scope-orgid") &&
        batch_.tenant != model::kDefaultTenant) {
      model::AnyValue v;
      v.type = model::ValueType::kString;
      v.bytes = batch_.arena.Copy(batch_.tenant);
      return v;
    }
    return std::nullopt;
  }
  int i = Find(a.from_attribute);
  if (i < 0) return std::nullopt;
  return kvs_[static_cast<size_t>(i)].value;
}

void AttributeEditor::Put(const std::string& key, const model::AnyValue& v) {
  int i = Find(key);
  if (i >= 0) {
    kvs_[static_cast<size_t>(i)].value = v;
  } else {
    kvs_.push_back(model::KeyValue{Intern(key), v});
  }
  changed_ = true;
}

void AttributeEditor::Hash(int index) {
  model::AnyValue& v = kvs_[static_cast<size_t>(index)].value;
  std::string bytes;
  switch (v.type) {
    case model::ValueType::kString:
      bytes.assign(v.bytes);
      break;
    case model::ValueType::kBool:
      bytes.assign(1, v.bool_value ? '\1' : '\0');
      break;
    case model::ValueType::kInt:
    case model::ValueType::kDouble: {
      uint64_t u = v.type == model::ValueType::kInt ? static_cast<uint64_t>(v.int_value)
                                                    : std::bit_cast<uint64_t>(v.double_value);
      for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(u >> (8 * i)));
      break;
    }
    default:
      break;
  }
  model::AnyValue out;
  out.type = model::ValueType::kString;
  if (!bytes.empty() || v.type == model::ValueType::kString) {
    // Go hashes only non-empty input: an empty string stays "".
    if (!bytes.empty()) out.bytes = batch_.arena.Copy(Sha256Hex(bytes));
  }
  v = out;
  changed_ = true;
}

void AttributeEditor::Convert(int index, model::ValueType to) {
  model::AnyValue& v = kvs_[static_cast<size_t>(index)].value;
  model::AnyValue out;
  out.type = to;
  switch (to) {
    case model::ValueType::kString:
      if (v.type == model::ValueType::kString) return;
      out.bytes = batch_.arena.Copy(ValueAsString(batch_, v));
      break;
    case model::ValueType::kInt:
      switch (v.type) {
        case model::ValueType::kInt:
          return;
        case model::ValueType::kDouble: {
          double d = v.double_value;
          // Go's int64(float) for out-of-range values is implementation-defined; clamp instead
          // of invoking C++ undefined behaviour.
          if (std::isnan(d)) {
            out.int_value = std::numeric_limits<int64_t>::min();
          } else if (d >= 9.2233720368547758e18) {
            out.int_value = std::numeric_limits<int64_t>::max();
          } else if (d < -9.2233720368547758e18) {
            out.int_value = std::numeric_limits<int64_t>::min();
          } else {
            out.int_value = static_cast<int64_t>(d);
          }
          break;
        }
        case model::ValueType::kBool:
          out.int_value = v.bool_value ? 1 : 0;
          break;
        case model::ValueType::kString:
          if (!ParseGoInt(v.bytes, &out.int_value)) return;
          break;
        default:
          return;
      }
      break;
    case model::ValueType::kDouble:
      switch (v.type) {
        case model::ValueType::kDouble:
          return;
        case model::ValueType::kInt:
          out.double_value = static_cast<double>(v.int_value);
          break;
        case model::ValueType::kBool:
          out.double_value = v.bool_value ? 1 : 0;
          break;
        case model::ValueType::kString:
          if (!ParseGoFloat(v.bytes, &out.double_value)) return;
          break;
        default:
          return;
      }
      break;
    default:
      return;
  }
  v = out;
  changed_ = true;
}

void AttributeEditor::Extract(const AttributeAction& a) {
  int i = Find(a.key);
  if (i < 0 || kvs_[static_cast<size_t>(i)].value.type != model::ValueType::kString) return;
  std::string_view text = kvs_[static_cast<size_t>(i)].value.bytes;
  size_t groups = a.group_names.size();
  std::vector<re2::StringPiece> matches(groups + 1);
  if (!a.pattern->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED,
                        matches.data(), static_cast<int>(matches.size()))) {
    return;
  }
  for (size_t g = 0; g < groups; ++g) {
    model::AnyValue v;
    v.type = model::ValueType::kString;
    // The match is a view into the attribute's bytes, which the batch owns already.
    if (matches[g + 1].data() != nullptr) v.bytes = {matches[g + 1].data(), matches[g + 1].size()};
    Put(a.group_names[g], v);
  }
}

bool AttributeEditor::Apply(const AttributeActions& actions, model::Range* attrs) {
  kvs_.assign(batch_.key_values.begin() + attrs->begin, batch_.key_values.begin() + attrs->end());
  changed_ = false;
  auto matching_keys = [this](const re2::RE2* re) {
    std::vector<std::string_view> keys;
    if (re == nullptr) return keys;
    for (const model::KeyValue& kv : kvs_) {
      if (RE2::PartialMatch(re2::StringPiece(kv.key.data(), kv.key.size()), *re)) {
        keys.push_back(kv.key);
      }
    }
    return keys;
  };
  auto remove = [this](std::string_view key) {
    int i = Find(key);
    if (i < 0) return;
    kvs_.erase(kvs_.begin() + i);
    changed_ = true;
  };
  for (const AttributeAction& a : actions.actions()) {
    switch (a.type) {
      case ActionType::kDelete:
        if (!a.key.empty()) remove(a.key);
        for (std::string_view k : matching_keys(a.pattern.get())) remove(k);
        break;
      case ActionType::kInsert: {
        std::optional<model::AnyValue> v = Source(a);
        if (v && Find(a.key) < 0) Put(a.key, *v);
        break;
      }
      case ActionType::kUpdate: {
        std::optional<model::AnyValue> v = Source(a);
        if (v && Find(a.key) >= 0) Put(a.key, *v);
        break;
      }
      case ActionType::kUpsert: {
        std::optional<model::AnyValue> v = Source(a);
        if (v) Put(a.key, *v);
        break;
      }
      case ActionType::kHash:
        if (int i = Find(a.key); !a.key.empty() && i >= 0) Hash(i);
        for (std::string_view k : matching_keys(a.pattern.get())) {
          if (int i = Find(k); i >= 0) Hash(i);
        }
        break;
      case ActionType::kExtract:
        Extract(a);
        break;
      case ActionType::kConvert:
        if (int i = Find(a.key); i >= 0) Convert(i, a.converted_type);
        break;
    }
  }
  if (!changed_) return false;
  attrs->begin = static_cast<uint32_t>(batch_.key_values.size());
  attrs->count = static_cast<uint32_t>(kvs_.size());
  batch_.key_values.insert(batch_.key_values.end(), kvs_.begin(), kvs_.end());
  return true;
}

}  // namespace th::pipeline::processor

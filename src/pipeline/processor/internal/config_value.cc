#include "pipeline/processor/internal/config_value.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace th::pipeline::processor {

ConfigValue TypeScalar(const std::string& text) {
  ConfigValue v;
  v.text = text;
  if (text == "true" || text == "True" || text == "TRUE") {
    v.type = model::ValueType::kBool;
    v.bool_value = true;
    return v;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    v.type = model::ValueType::kBool;
    return v;
  }
  const char* b = text.data();
  const char* e = b + text.size();
  if (text.empty()) return v;
  std::string_view digits = text;
  bool negative = false;
  if (digits.front() == '+' || digits.front() == '-') {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  int64_t i = 0;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    uint64_t u = 0;
    auto r = std::from_chars(digits.data() + 2, digits.data() + digits.size(), u, 16);
    if (r.ec == std::errc() && r.ptr == e && u <= uint64_t{std::numeric_limits<int64_t>::max()}) {
      v.type = model::ValueType::kInt;
      v.int_value = negative ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
      return v;
    }
  }
  const char* start = text.front() == '+' ? b + 1 : b;
  if (auto r = std::from_chars(start, e, i); r.ec == std::errc() && r.ptr == e) {
    v.type = model::ValueType::kInt;
    v.int_value = i;
    return v;
  }
  if (digits == ".inf" || digits == ".Inf" || digits == ".INF") {
    v.type = model::ValueType::kDouble;
    v.double_value = negative ? -std::numeric_limits<double>::infinity()
                              : std::numeric_limits<double>::infinity();
    return v;
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") {
    v.type = model::ValueType::kDouble;
    v.double_value = std::numeric_limits<double>::quiet_NaN();
    return v;
  }
  // A YAML float needs a digit; from_chars would also take "inf"/"nan", which YAML keeps as
  // strings.
  bool has_digit = false;
  for (char c : digits) has_digit = has_digit || (c >= '0' && c <= '9');
  double d = 0;
  if (auto r = std::from_chars(start, e, d, std::chars_format::general);
      has_digit && r.ec == std::errc() && r.ptr == e) {
    v.type = model::ValueType::kDouble;
    v.double_value = d;
  }
  return v;
}

Result<ConfigValue> ParseConfigValue(const config::Node& node) {
  if (node.IsMap()) return node.Error("a map is not supported as a value here");
  if (node.IsSequence()) {
    ConfigValue v;
    v.type = model::ValueType::kArray;
    for (const config::Node& item : node.Items()) {
      if (!item.IsScalar()) return item.Error("array elements must be scalars");
      v.elements.push_back(TypeScalar(item.Scalar()));
    }
    return v;
  }
  return TypeScalar(node.Scalar());
}

bool ConfigValue::EqualsTyped(const model::AnyValue& v) const {
  if (v.type != type) return false;
  switch (type) {
    case model::ValueType::kString:
      return v.bytes == text;
    case model::ValueType::kBool:
      return v.bool_value == bool_value;
    case model::ValueType::kInt:
      return v.int_value == int_value;
    case model::ValueType::kDouble:
      return v.double_value == double_value;
    default:
      return false;
  }
}

}  // namespace th::pipeline::processor

#include "pipeline/processor/internal/attribute_value.h"
#include "common/json.h"

#include <charconv>
#include <cmath>

#include "common/base64.h"
#include "common/strings.h"

namespace th::pipeline::processor {
namespace {

void AppendJsonString(std::string* out, std::string_view s) {
  out->append(JsonQuote(s));
}

// JSON for a value nested in an array or kvlist (pcommon's AsRaw then json.Marshal).
void AppendJson(const model::SpanBatch& batch, const model::AnyValue& v, int depth,
                std::string* out) {
  using model::ValueType;
  if (depth > 64) {  // hostile nesting: stop rather than recurse without bound
    out->append("null");
    return;
  }
  switch (v.type) {
    case ValueType::kEmpty:
      out->append("null");
      break;
    case ValueType::kString:
      AppendJsonString(out, v.bytes);
      break;
    case ValueType::kBool:
      out->append(v.bool_value ? "true" : "false");
      break;
    case ValueType::kInt:
      th::StrAppend(out, v.int_value);
      break;
    case ValueType::kDouble:
      out->append(FormatDoubleAsString(v.double_value));
      break;
    case ValueType::kBytes:
      AppendJsonString(out, Base64Encode(v.bytes));
      break;
    case ValueType::kArray: {
      out->push_back('[');
      for (uint32_t i = v.range.begin; i < v.range.end() && i < batch.array_values.size(); ++i) {
        if (i != v.range.begin) out->push_back(',');
        AppendJson(batch, batch.array_values[i], depth + 1, out);
      }
      out->push_back(']');
      break;
    }
    case ValueType::kKvList: {
      out->push_back('{');
      for (uint32_t i = v.range.begin; i < v.range.end() && i < batch.key_values.size(); ++i) {
        if (i != v.range.begin) out->push_back(',');
        AppendJsonString(out, batch.key_values[i].key);
        out->push_back(':');
        AppendJson(batch, batch.key_values[i].value, depth + 1, out);
      }
      out->push_back('}');
      break;
    }
  }
}

}  // namespace

const model::KeyValue* FindAttribute(const model::SpanBatch& batch, model::Range attrs,
                                     std::string_view key) {
  for (uint32_t i = attrs.begin; i < attrs.end(); ++i) {
    if (batch.key_values[i].key == key) return &batch.key_values[i];
  }
  return nullptr;
}

std::string FormatDoubleFixed(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

std::string FormatDoubleAsString(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  double a = std::fabs(v);
  if (a == 0 || (a >= 1e-6 && a < 1e21)) return FormatDoubleFixed(v);
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string s(buf, r.ptr);
  // "1e-07" -> "1e-7", as Go's encoder cleans the exponent up.
  size_t e = s.find('e');
  if (e != std::string::npos && e + 2 < s.size() && s[e + 2] == '0' && e + 3 < s.size()) {
    s.erase(e + 2, 1);
  }
  return s;
}

std::optional<std::string> MatchString(const model::AnyValue& v) {
  switch (v.type) {
    case model::ValueType::kString:
      return std::string(v.bytes);
    case model::ValueType::kBool:
      return std::string(v.bool_value ? "true" : "false");
    case model::ValueType::kInt:
      return th::StrCat(v.int_value);
    case model::ValueType::kDouble:
      return FormatDoubleFixed(v.double_value);
    default:
      return std::nullopt;
  }
}

std::string ValueAsString(const model::SpanBatch& batch, const model::AnyValue& v) {
  switch (v.type) {
    case model::ValueType::kEmpty:
      return "";
    case model::ValueType::kString:
      return std::string(v.bytes);
    case model::ValueType::kBool:
      return v.bool_value ? "true" : "false";
    case model::ValueType::kInt:
      return th::StrCat(v.int_value);
    case model::ValueType::kDouble:
      return FormatDoubleAsString(v.double_value);
    case model::ValueType::kBytes:
      return Base64Encode(v.bytes);
    case model::ValueType::kArray:
    case model::ValueType::kKvList: {
      std::string out;
      AppendJson(batch, v, 0, &out);
      return out;
    }
  }
  return "";
}

std::string ServiceName(const model::SpanBatch& batch, uint32_t resource) {
  if (resource >= batch.resources.size()) return "<nil-service-name>";
  const model::KeyValue* kv =
      FindAttribute(batch, batch.resources[resource].attributes, "service.name");
  if (kv == nullptr) return "<nil-service-name>";
  return ValueAsString(batch, kv->value);
}

}  // namespace th::pipeline::processor

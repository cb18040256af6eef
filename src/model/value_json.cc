#include "model/value_json.h"

#include "common/base64.h"
#include "common/json.h"
#include "common/strings.h"

namespace th::model {
namespace {

constexpr int kMaxDepth = 64;

void Append(const SpanBatch& b, const AnyValue& v, std::string* out, int depth) {
  if (depth > kMaxDepth) {
    out->append("null");
    return;
  }
  switch (v.type) {
    case ValueType::kEmpty: out->append("null"); return;
    case ValueType::kString: out->append(JsonQuote(v.bytes)); return;
    case ValueType::kBool: out->append(v.bool_value ? "true" : "false"); return;
    case ValueType::kInt: th::StrAppend(out, v.int_value); return;
    case ValueType::kDouble: th::StrAppend(out, v.double_value); return;
    case ValueType::kBytes: out->append(JsonQuote(Base64Encode(v.bytes))); return;
    case ValueType::kArray:
      out->push_back('[');
      for (uint32_t i = v.range.begin; i < v.range.end() && i < b.array_values.size(); ++i) {
        if (i != v.range.begin) out->push_back(',');
        Append(b, b.array_values[i], out, depth + 1);
      }
      out->push_back(']');
      return;
    case ValueType::kKvList:
      out->push_back('{');
      for (uint32_t i = v.range.begin; i < v.range.end() && i < b.key_values.size(); ++i) {
        if (i != v.range.begin) out->push_back(',');
        out->append(JsonQuote(b.key_values[i].key));
        out->push_back(':');
        Append(b, b.key_values[i].value, out, depth + 1);
      }
      out->push_back('}');
      return;
  }
}

}  // namespace

void AppendValueJson(const SpanBatch& batch, const AnyValue& value, std::string* out) {
  Append(batch, value, out, 0);
}

}  // namespace th::model

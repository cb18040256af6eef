#include "model/otlp_json_ids.h"

#include "common/base64.h"
#include "common/strings.h"

namespace th::model {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the JSON string starting at text[i] == '"'; returns the index after its closing quote.
size_t SkipString(std::string_view text, size_t i) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

size_t SkipSpace(std::string_view text, size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  return i;
}

}  // namespace

Result<std::string> OtlpJsonHexIdsToBase64(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  size_t i = 0, copied = 0;
  while (i < json.size()) {
    if (json[i] != '"') {
      ++i;
      continue;
    }
    size_t end = SkipString(json, i);
    std::string_view token = json.substr(i + 1, end >= i + 2 ? end - i - 2 : 0);
    size_t after = SkipSpace(json, end);
    bool is_key = after < json.size() && json[after] == ':';
    bool is_id = is_key && (token == "traceId" || token == "spanId" || token == "trace_id" ||
                            token == "span_id");
    if (!is_id) {
      i = is_key ? after + 1 : end;
      continue;
    }
    size_t value = SkipSpace(json, after + 1);
    if (value >= json.size() || json[value] != '"') {
      i = value;
      continue;
    }
    size_t value_end = SkipString(json, value);
    if (json[value_end - 1] != '"' || value_end < value + 2) {
      return absl::InvalidArgumentError(th::StrCat(token, ": unterminated string"));
    }
    std::string_view hex = json.substr(value + 1, value_end - value - 2);
    if (hex.size() % 2 != 0) {
      return absl::InvalidArgumentError(th::StrCat(token, ": \"", hex, "\" is not hex"));
    }
    std::string bytes;
    for (size_t k = 0; k < hex.size(); k += 2) {
      int hi = HexValue(hex[k]), lo = HexValue(hex[k + 1]);
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(th::StrCat(token, ": \"", hex, "\" is not hex"));
      }
      bytes += static_cast<char>(hi * 16 + lo);
    }
    out.append(json.substr(copied, value + 1 - copied));
    out.append(Base64Encode(bytes));
    out += '"';
    copied = value_end;
    i = value_end;
  }
  out.append(json.substr(copied));
  return out;
}

}  // namespace th::model

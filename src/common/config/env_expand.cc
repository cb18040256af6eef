#include "common/config/env_expand.h"

#include <cctype>
#include <cstdlib>

#include "common/strings.h"

namespace th::config {

std::optional<std::string> ProcessEnv(std::string_view name) {
  const char* v = std::getenv(std::string(name).c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& lookup) {
  std::string out;
  out.reserve(text.size());
  int line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') ++line;
    if (c != '$' || i + 1 >= text.size()) {
      out.push_back(c);
      continue;
    }
    if (text[i + 1] == '$') {  // `$$` is a literal `$`
      out.push_back('$');
      ++i;
      continue;
    }
    if (text[i + 1] != '{') {
      out.push_back(c);
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos ||
        text.substr(i, close - i).find('\n') != std::string_view::npos) {
      return absl::InvalidArgumentError(th::StrCat("line ", line, ": unterminated \"${\""));
    }
    std::string_view inner = text.substr(i + 2, close - i - 2);
    if (inner.starts_with("env:")) inner.remove_prefix(4);
    std::optional<std::string_view> fallback;
    if (size_t d = inner.find(":-"); d != std::string_view::npos) {
      fallback = inner.substr(d + 2);
      inner = inner.substr(0, d);
    }
    bool valid = !inner.empty() && !std::isdigit(static_cast<unsigned char>(inner[0]));
    for (char n : inner) {
      valid = valid && (std::isalnum(static_cast<unsigned char>(n)) || n == '_');
    }
    if (!valid) {
      return absl::InvalidArgumentError(
          th::StrCat("line ", line, ": invalid environment variable name \"", inner, "\""));
    }
    std::optional<std::string> value = lookup(inner);
    if (value.has_value() && !value->empty()) {
      out += *value;
    } else if (fallback.has_value()) {
      out += *fallback;
    } else if (value.has_value()) {
      out += *value;
    }
    i = close;
  }
  return out;
}

}  // namespace th::config

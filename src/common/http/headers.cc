#include "common/http/headers.h"

#include "common/strings.h"

namespace th::http {
namespace {

// Glob match where '*' matches any run of characters; greedy with one backtrack point, so
// linear in practice and never exponential.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

std::string MediaType(std::string_view content_type) {
  return AsciiLower(TrimBlanks(content_type.substr(0, content_type.find(';'))));
}

bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowed) {
  for (const std::string& pattern : allowed) {
    if (GlobMatch(pattern, origin)) return true;
  }
  return false;
}

}  // namespace th::http

// StrCat/StrAppend over std::string_view, and AsciiLower. Debian's Abseil is built with its own
// absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0), so absl::StrCat does not take
// std::string_view; these do, and take integers and floating-point numbers too.
// Thread-safe: pure functions.
#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace th {
namespace strings_internal {

inline void AppendOne(std::string* out, std::string_view s) { out->append(s); }
inline void AppendOne(std::string* out, const char* s) { out->append(s); }
inline void AppendOne(std::string* out, const std::string& s) { out->append(s); }
inline void AppendOne(std::string* out, char c) { out->push_back(c); }
inline void AppendOne(std::string* out, bool b) { out->append(b ? "true" : "false"); }

template <typename T>
requires(std::is_arithmetic_v<T> && !std::same_as<T, char> &&
         !std::same_as<T, bool>) void AppendOne(std::string* out, T v) {
  char buf[64];
  std::to_chars_result r;
  if constexpr (std::is_floating_point_v<T>) {
    r = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
  } else {
    r = std::to_chars(buf, buf + sizeof(buf), v);
  }
  out->append(buf, r.ptr);
}

// Anything else that converts to std::string_view (e.g. absl::string_view via data/size).
template <typename T>
requires(!std::is_arithmetic_v<T> && !std::is_convertible_v<T, std::string_view> &&
         requires(const T& t) {
           t.data();
           t.size();
         }) void AppendOne(std::string* out, const T& v) {
  out->append(v.data(), v.size());
}

}  // namespace strings_internal

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (void)out;  // unused when called with no arguments
  (strings_internal::AppendOne(out, args), ...);
}

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  StrAppend(&out, args...);
  return out;
}

// `s` without the spaces and tabs around it (HTTP's optional whitespace, W3C list members).
inline std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// `s` with ASCII letters lower-cased (header names, media types, option values); other bytes
// are kept.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace th

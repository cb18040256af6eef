// UTF-8 validation for strings taken off the wire. Our encoders (OTLP protobuf, JSON) and
// libprotobuf require valid UTF-8 in string fields, so every decoder (OTLP, jaeger, zipkin)
// refuses anything else, with this one check. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace th {
namespace utf8_internal {
// The general validator (simdjson's), for strings with a non-ASCII byte.
bool ValidateUtf8(std::string_view s);
}  // namespace utf8_internal

// True when `s` is valid UTF-8 (the empty string is).
inline bool IsValidUtf8(std::string_view s) {
  // Most strings on the wire are ASCII; checking 8 bytes at a time skips the general validator
  // (and its per-call dispatch) for them.
  const char* p = s.data();
  size_t n = s.size();
  uint64_t bits = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    bits |= w;
  }
  for (; n > 0; ++p, --n) bits |= static_cast<unsigned char>(*p);
  if ((bits & 0x8080808080808080ull) == 0) return true;
  return utf8_internal::ValidateUtf8(s);
}

}  // namespace th

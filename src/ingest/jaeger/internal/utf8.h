// UTF-8 validation for strings taken off the wire: our own encoders (OTLP protobuf, JSON) and
// libprotobuf require valid UTF-8 in string fields, so decoders refuse anything else.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include <simdjson.h>

namespace th::ingest::jaeger {

inline bool IsValidUtf8(std::string_view s) {
  // Most strings are ASCII; checking 8 bytes at a time skips the general validator for them.
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
  return simdjson::validate_utf8(s.data(), s.size());
}

}  // namespace th::ingest::jaeger

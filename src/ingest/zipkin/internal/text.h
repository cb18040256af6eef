// Small text helpers shared by the Zipkin decoders: ASCII case-insensitive comparison (Go's
// encoding/json matches keys that way), Zipkin hex ids, bounded quoting of input in error
// messages. Internal to ingest/zipkin; pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/ids.h"

namespace th::ingest::zipkin {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

enum class HexIdError { kNone, kEmpty, kNotHex, kTooLong };

// Zipkin ids as zipkin-go reads them: 1 to 2N hex digits of either case, the value
// right-aligned into N bytes (a 64-bit trace id is left-padded with zeros).
template <size_t N>
HexIdError ParseHexId(std::string_view hex, model::Id<N>* out) {
  if (hex.empty()) return HexIdError::kEmpty;
  if (hex.size() > 2 * N) return HexIdError::kTooLong;
  model::Id<N> id;
  // Walk from the last digit; digit k (from the right) goes to byte N-1-k/2.
  for (size_t k = 0; k < hex.size(); ++k) {
    char c = hex[hex.size() - 1 - k];
    uint8_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint8_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint8_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<uint8_t>(c - 'A' + 10);
    } else {
      return HexIdError::kNotHex;
    }
    id.bytes[N - 1 - k / 2] |= static_cast<uint8_t>(k % 2 == 0 ? d : d << 4);
  }
  *out = id;
  return HexIdError::kNone;
}

// `s` in double quotes for an error message: at most 64 bytes of it, with quotes, backslashes
// and bytes outside printable ASCII escaped, so hostile input is never echoed whole.
std::string Quote(std::string_view s);

}  // namespace th::ingest::zipkin

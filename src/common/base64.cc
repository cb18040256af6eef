#include "common/base64.h"

#include <cstdint>

namespace th {

void Base64EncodeTo(std::string_view in, char* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(in[k])); };
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    *out++ = kAlphabet[(v >> 18) & 63];
    *out++ = kAlphabet[(v >> 12) & 63];
    *out++ = kAlphabet[(v >> 6) & 63];
    *out++ = kAlphabet[v & 63];
  }
  if (i < in.size()) {
    const bool two = i + 1 < in.size();
    uint32_t v = byte(i) << 16 | (two ? byte(i + 1) << 8 : 0);
    *out++ = kAlphabet[(v >> 18) & 63];
    *out++ = kAlphabet[(v >> 12) & 63];
    *out++ = two ? kAlphabet[(v >> 6) & 63] : '=';
    *out++ = '=';
  }
}

std::string Base64Encode(std::string_view in) {
  std::string out(Base64EncodedSize(in.size()), '\0');
  Base64EncodeTo(in, out.data());
  return out;
}

}  // namespace th

#include "model/ids.h"

namespace th::model {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <size_t N>
std::optional<Id<N>> FromHexExact(std::string_view hex) {
  if (hex.size() != 2 * N) return std::nullopt;
  Id<N> id;
  for (size_t i = 0; i < N; ++i) {
    int hi = HexDigit(hex[2 * i]);
    int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return id;
}

}  // namespace

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<uint8_t>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0xf];
  }
  return out;
}

std::optional<TraceId> TraceIdFromHex(std::string_view hex) { return FromHexExact<16>(hex); }
std::optional<SpanId> SpanIdFromHex(std::string_view hex) { return FromHexExact<8>(hex); }

std::optional<TraceId> TraceIdFromApiHex(std::string_view hex) {
  if (hex.empty() || hex.size() > 32) return std::nullopt;
  std::string padded(32 - hex.size(), '0');
  padded.append(hex);
  return FromHexExact<16>(padded);
}

}  // namespace th::model

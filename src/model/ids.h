// Trace and span ids: fixed-size byte arrays as on the wire (16 and 8 bytes), with hex
// conversion. An all-zero id is invalid in OTLP; for a parent span id it means "no parent".
// Plain values; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace th::model {

template <size_t N>
struct Id {
  std::array<uint8_t, N> bytes{};

  static constexpr size_t kSize = N;

  bool IsZero() const {
    for (uint8_t b : bytes) {
      if (b != 0) return false;
    }
    return true;
  }
  std::string_view View() const { return {reinterpret_cast<const char*>(bytes.data()), N}; }
  // Copies exactly N bytes from `raw`. Requires: raw.size() == N.
  static Id FromBytes(std::string_view raw) {
    Id id;
    std::memcpy(id.bytes.data(), raw.data(), N);
    return id;
  }
  friend bool operator==(const Id& a, const Id& b) { return a.bytes == b.bytes; }
  friend bool operator!=(const Id& a, const Id& b) { return a.bytes != b.bytes; }
  friend bool operator<(const Id& a, const Id& b) { return a.bytes < b.bytes; }

  template <typename H>
  friend H AbslHashValue(H h, const Id& id) {
    return H::combine_contiguous(std::move(h), id.bytes.data(), N);
  }
};

using TraceId = Id<16>;
using SpanId = Id<8>;

// Lower-case hex of `bytes`, two digits per byte.
std::string ToHex(std::string_view bytes);

// Parses hex (either case) into exactly N bytes; nullopt unless `hex` has exactly 2N digits.
std::optional<TraceId> TraceIdFromHex(std::string_view hex);
std::optional<SpanId> SpanIdFromHex(std::string_view hex);

// Parses a trace id as Tempo's API accepts it: 1 to 32 hex digits, left-padded with zeros
// (Tempo trims leading zeros when it prints ids). nullopt for anything else.
std::optional<TraceId> TraceIdFromApiHex(std::string_view hex);

}  // namespace th::model

// CRC-32C (Castagnoli), the checksum of every WAL record and block page. Uses the SSE4.2
// instruction when the CPU has it (checked once at start-up), a table otherwise; both give
// identical results. Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace th::crc32c {

// Extends `crc` (the CRC of some earlier bytes, 0 for none) with `data`.
uint32_t Extend(uint32_t crc, const char* data, size_t n);

inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

// Masked form stored on disk (as leveldb does), so that a CRC of bytes that themselves contain
// CRCs does not degenerate.
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

}  // namespace th::crc32c

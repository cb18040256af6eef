// Bit-packing: unsigned integers stored in exactly `width` bits each, back to back, least
// significant bit first (docs/formats/encodings.md, "Bit-packed run"). The run carries no header;
// the caller knows the count and width. This is the inner loop of every integer encoding and of
// dictionary-code scans, so UnpackBits is written for speed: 32 values at a time through a kernel
// specialised for each width. Also the self-describing "bit-packed" column encoding of uint32
// values (count, width, run), used for dictionary codes. Pure functions; thread-safe.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace th::store::block::encoding {

// Bits needed to store `max_value` (0 for 0, 64 for values >= 2^63).
inline int BitWidth(uint64_t max_value) { return std::bit_width(max_value); }

// Bytes of a run of `count` values at `width` bits: ceil(count * width / 8). Requires: count
// <= kMaxValuesPerPage (so the product cannot overflow), 0 <= width <= 64.
inline size_t PackedBytes(size_t count, int width) {
  return (count * static_cast<size_t>(width) + 7) / 8;
}

// Appends the run of `values` at `width` bits to `out`. Bits of a value above `width` are
// dropped. Requires: 0 <= width <= 64 (width <= 32 for uint32), values.size() <=
// kMaxValuesPerPage.
void PackBits(std::span<const uint64_t> values, int width, std::string* out);
void PackBits(std::span<const uint32_t> values, int width, std::string* out);

// Writes the `count` values of the run at the start of `in` to out[0..count). Only the first
// PackedBytes(count, width) bytes of `in` are read. Errors: InvalidArgument if width is out of
// range (over 32 for uint32) or count > kMaxValuesPerPage; DataLoss if `in` is shorter than
// the run. Requires: `out` has room for `count` values.
Status UnpackBits(std::string_view in, size_t count, int width, uint64_t* out);
Status UnpackBits(std::string_view in, size_t count, int width, uint32_t* out);

// The bit-packed column encoding: varint count, u8 width (the bit width of the largest value),
// run. Errors: InvalidArgument if values.size() > kMaxValuesPerPage.
Status EncodeBitPacked(std::span<const uint32_t> values, std::string* out);

// Decodes a whole bit-packed column (all of `in`) into `out` (resized). Errors: DataLoss if the
// input is truncated, has trailing bytes, a width over 32 or a count over kMaxValuesPerPage.
Status DecodeBitPacked(std::string_view in, std::vector<uint32_t>* out);

}  // namespace th::store::block::encoding

// Frame-of-reference: a page of integers stored as their minimum plus each value's distance from
// it, bit-packed at the width of the largest distance (docs/formats/encodings.md,
// "Frame of reference"). Suits columns whose values sit in a narrow band (durations, status
// codes, counts). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace th::store::block::encoding {

// Appends the encoding of `values` to `out`. Errors: InvalidArgument if values.size() >
// kMaxValuesPerPage.
Status EncodeFrameOfReference(std::span<const uint64_t> values, std::string* out);
Status EncodeFrameOfReference(std::span<const int64_t> values, std::string* out);

// Decodes all of `in` into `out` (resized). Errors: DataLoss naming the field for truncated
// input, trailing bytes, a width over 64 or a count over kMaxValuesPerPage. Distances that
// overflow past the type's maximum wrap (an encoder never writes them).
Status DecodeFrameOfReference(std::string_view in, std::vector<uint64_t>* out);
Status DecodeFrameOfReference(std::string_view in, std::vector<int64_t>* out);

}  // namespace th::store::block::encoding

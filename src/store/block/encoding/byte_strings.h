// Byte-string encodings for high-cardinality columns, where a dictionary would not pay
// (docs/formats/encodings.md, "Plain strings" and "Length-prefixed strings"). Plain stores a
// table of end offsets before the bytes, so row i is found in O(1); length-prefixed stores a
// varint length before each string, smaller but read in order. Decoders return views into the
// input, which must outlive them. Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace th::store::block::encoding {

// Append the encoding of `values` to `out`. Errors: InvalidArgument if values.size() >
// kMaxValuesPerPage or (plain only) the strings total 4 GiB or more.
Status EncodePlainStrings(std::span<const std::string_view> values, std::string* out);
Status EncodeLengthPrefixedStrings(std::span<const std::string_view> values, std::string* out);

// Decode all of `in` into `out` (resized), as views into `in`. Errors: DataLoss naming the row
// for truncated input, trailing bytes, offsets out of order or past the data, or a count over
// kMaxValuesPerPage.
Status DecodePlainStrings(std::string_view in, std::vector<std::string_view>* out);
Status DecodeLengthPrefixedStrings(std::string_view in, std::vector<std::string_view>* out);

}  // namespace th::store::block::encoding

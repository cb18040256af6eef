// Limits shared by every encoding in this module (docs/formats/encodings.md, "Limits"). Decoders
// check counts read from disk against them before sizing any buffer, so a corrupt header cannot
// make a reader allocate without bound.
#pragma once

#include <cstddef>
#include <cstdint>

namespace th::store::block::encoding {

// Most values (integers, strings, codes or dictionary entries) in one encoded page.
inline constexpr size_t kMaxValuesPerPage = size_t{1} << 24;

// Most payload bytes in one page envelope, before and after compression.
inline constexpr size_t kMaxPageBytes = size_t{64} << 20;

}  // namespace th::store::block::encoding

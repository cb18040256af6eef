// Page compression for cold, wide data: zstd (configurable level) or lz4, each payload prefixed
// with its uncompressed size so a reader can refuse an oversized page before allocating
// (docs/formats/encodings.md, "Compression"). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace th::store::block::encoding {

// Stored in the page envelope; values are part of the on-disk format.
enum class Compression : uint8_t {
  kNone = 0,
  kZstd = 1,
  kLz4 = 2,
};

// "none", "zstd", "lz4", or "unknown" for other values.
std::string_view CompressionName(Compression c);

// Appends the compressed form of `in` to `out`. `zstd_level` is used by kZstd only (1..22;
// zstd's default is 3; 0 also means the default). kNone appends `in` unchanged. Errors:
// InvalidArgument if `in` is over kMaxPageBytes or the compression id is unknown; Internal if
// the library fails.
Status Compress(Compression compression, std::string_view in, std::string* out, int zstd_level = 3);

// Replaces `out` with the decompressed form of all of `in`. Errors: DataLoss if the stored
// uncompressed size is over `max_bytes`, the data is corrupt, or it decompresses to a size other
// than the stored one; InvalidArgument for an unknown compression id.
Status Decompress(Compression compression, std::string_view in, size_t max_bytes, std::string* out);

}  // namespace th::store::block::encoding

// The page envelope: every encoded page stored in a block is framed by a 10-byte header giving
// its stored length, encoding id, compression id and a masked CRC-32C (docs/formats/encodings.md,
// "Page envelope"). ReadPage verifies the checksum before anything looks at the payload, so a
// corrupt page is reported as such rather than as a confusing decode error. Pure functions;
// thread-safe. A Page borrows the bytes it was read from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/block/encoding/compression.h"

namespace th::store::block::encoding {

// Which encoding the (decompressed) payload is in. Values are part of the on-disk format.
enum class Encoding : uint8_t {
  kRaw = 0,                    // opaque bytes, interpreted by the block format
  kBitPacked = 1,              // bit_pack.h (also dictionary codes)
  kFrameOfReferenceU64 = 2,    // frame_of_reference.h, uint64
  kFrameOfReferenceI64 = 3,    // frame_of_reference.h, int64
  kDelta = 4,                  // delta.h
  kDictionary = 5,             // dictionary.h, the dictionary page
  kPlainStrings = 6,           // byte_strings.h
  kLengthPrefixedStrings = 7,  // byte_strings.h
};

// A readable name for logs and `block dump`, "unknown" for other values.
std::string_view EncodingName(Encoding e);

// u32 length, u8 encoding, u8 compression, u32 masked crc.
inline constexpr size_t kPageHeaderBytes = 10;

struct Page {
  Encoding encoding;
  Compression compression;
  std::string_view stored;  // payload as stored (compressed if compression != kNone)
  size_t size;              // bytes of the envelope, header included
};

// Compresses `encoded` with `compression` and appends the page (header and payload) to `out`.
// Errors: InvalidArgument if the stored payload would exceed kMaxPageBytes; as Compress.
Status AppendPage(Encoding encoding, Compression compression, std::string_view encoded,
                  std::string* out, int zstd_level = 3);

// Reads the page at the start of `in` (which may hold more after it) and verifies its checksum.
// Errors: DataLoss naming what is wrong: a truncated header or payload, a length over
// kMaxPageBytes, a checksum mismatch (with both values), or an unknown encoding or compression id.
Result<Page> ReadPage(std::string_view in);

// The decoded-ready payload of `page`: the stored bytes when uncompressed, otherwise the
// decompressed bytes in `*scratch` (reused across calls). Errors: as Decompress, with
// `max_bytes` bounding the decompressed size.
Result<std::string_view> PagePayload(const Page& page, size_t max_bytes, std::string* scratch);

}  // namespace th::store::block::encoding

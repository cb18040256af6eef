#include "store/block/encoding/page.h"

#include <cstring>

#include "common/crc32c.h"
#include "common/strings.h"
#include "store/block/encoding/internal/coding.h"
#include "store/block/encoding/limits.h"

namespace th::store::block::encoding {
namespace {

bool KnownEncoding(uint8_t id) {
  return id <= static_cast<uint8_t>(Encoding::kLengthPrefixedStrings);
}
bool KnownCompression(uint8_t id) { return id <= static_cast<uint8_t>(Compression::kLz4); }

// The checksum covers the length and both ids, then the payload: a flipped bit anywhere in the
// page, header included, is caught here rather than by a decoder.
uint32_t PageCrc(const char* header6, std::string_view payload) {
  uint32_t crc = crc32c::Extend(0, header6, 6);
  return crc32c::Extend(crc, payload.data(), payload.size());
}

}  // namespace

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kRaw:
      return "raw";
    case Encoding::kBitPacked:
      return "bit-packed";
    case Encoding::kFrameOfReferenceU64:
      return "frame-of-reference-u64";
    case Encoding::kFrameOfReferenceI64:
      return "frame-of-reference-i64";
    case Encoding::kDelta:
      return "delta";
    case Encoding::kDictionary:
      return "dictionary";
    case Encoding::kPlainStrings:
      return "plain-strings";
    case Encoding::kLengthPrefixedStrings:
      return "length-prefixed-strings";
  }
  return "unknown";
}

Status AppendPage(Encoding encoding, Compression compression, std::string_view encoded,
                  std::string* out, int zstd_level) {
  size_t start = out->size();
  out->resize(start + kPageHeaderBytes);
  Status s = Compress(compression, encoded, out, zstd_level);
  size_t length = out->size() - start - kPageHeaderBytes;
  if (s.ok() && length > kMaxPageBytes) {
    s = absl::InvalidArgumentError(
        StrCat("page: ", length, " stored bytes over limit ", kMaxPageBytes));
  }
  if (!s.ok()) {
    out->resize(start);
    return s;
  }
  char* h = out->data() + start;
  auto length32 = static_cast<uint32_t>(length);
  std::memcpy(h, &length32, 4);
  h[4] = static_cast<char>(encoding);
  h[5] = static_cast<char>(compression);
  uint32_t crc = crc32c::Mask(PageCrc(h, std::string_view(h + kPageHeaderBytes, length)));
  std::memcpy(h + 6, &crc, 4);
  return absl::OkStatus();
}

Result<Page> ReadPage(std::string_view in) {
  if (in.size() < kPageHeaderBytes) {
    return absl::DataLossError(
        StrCat("page: truncated header (", in.size(), " of ", kPageHeaderBytes, " bytes)"));
  }
  uint32_t length, stored_crc;
  std::memcpy(&length, in.data(), 4);
  std::memcpy(&stored_crc, in.data() + 6, 4);
  if (length > kMaxPageBytes) {
    return absl::DataLossError(StrCat("page: length ", length, " over limit ", kMaxPageBytes));
  }
  if (in.size() - kPageHeaderBytes < length) {
    return absl::DataLossError(StrCat("page: truncated payload (", in.size() - kPageHeaderBytes,
                                      " of ", length, " bytes)"));
  }
  std::string_view payload = in.substr(kPageHeaderBytes, length);
  uint32_t actual = PageCrc(in.data(), payload);
  if (crc32c::Unmask(stored_crc) != actual) {
    return absl::DataLossError(StrCat("page: checksum mismatch (stored ",
                                      crc32c::Unmask(stored_crc), ", computed ", actual, ", ",
                                      length, " payload bytes)"));
  }
  auto encoding = static_cast<uint8_t>(in[4]);
  auto compression = static_cast<uint8_t>(in[5]);
  if (!KnownEncoding(encoding)) {
    return absl::DataLossError(StrCat("page: unknown encoding id ", static_cast<int>(encoding)));
  }
  if (!KnownCompression(compression)) {
    return absl::DataLossError(
        StrCat("page: unknown compression id ", static_cast<int>(compression)));
  }
  return Page{.encoding = static_cast<Encoding>(encoding),
              .compression = static_cast<Compression>(compression),
              .stored = payload,
              .size = kPageHeaderBytes + length};
}

Result<std::string_view> PagePayload(const Page& page, size_t max_bytes, std::string* scratch) {
  if (page.compression == Compression::kNone) {
    if (page.stored.size() > max_bytes) {
      return absl::DataLossError(
          StrCat("page: ", page.stored.size(), " payload bytes over limit ", max_bytes));
    }
    return page.stored;
  }
  RETURN_IF_ERROR(Decompress(page.compression, page.stored, max_bytes, scratch));
  return std::string_view(*scratch);
}

}  // namespace th::store::block::encoding

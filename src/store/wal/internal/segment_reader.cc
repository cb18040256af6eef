#include "store/wal/internal/segment_reader.h"

#include <cstring>

#include "common/strings.h"
#include "store/wal/internal/format.h"

namespace th::store::wal::internal {

void SegmentReader::Fail(std::string_view reason) {
  status_ = absl::DataLossError(th::StrCat(reason, " at offset ", offset_));
}

Result<uint64_t> SegmentReader::ReadHeader() {
  header_read_ = true;
  if (segment_.size() < kSegmentHeaderSize) {
    Fail(th::StrCat("torn segment header (", segment_.size(), " bytes)"));
    return status_;
  }
  if (std::memcmp(segment_.data(), kMagic, kMagicPrefixSize) != 0) {
    Fail("bad segment magic");
    return status_;
  }
  uint8_t version = static_cast<uint8_t>(segment_[kMagicPrefixSize]);
  if (version != kFormatVersion) {
    status_ = absl::FailedPreconditionError(th::StrCat("unsupported wal format version ", version,
                                                       " (this build reads ", kFormatVersion, ")"));
    return status_;
  }
  offset_ = kSegmentHeaderSize;
  return DecodeFixed64(segment_.data() + sizeof(kMagic));
}

std::optional<std::string_view> SegmentReader::Next() {
  if (!header_read_ || !status_.ok()) return std::nullopt;
  // offset_ <= segment_.size() always holds: it only advances over bytes checked to exist.
  uint64_t left = segment_.size() - offset_;
  if (left == 0) return std::nullopt;
  if (left < kRecordHeaderSize) {
    Fail(th::StrCat("torn record header (", left, " bytes left)"));
    return std::nullopt;
  }
  const char* header = segment_.data() + offset_;
  uint32_t length = DecodeFixed32(header);
  if (length > kMaxRecordBytes) {
    Fail(th::StrCat("record length ", length, " exceeds maximum ", kMaxRecordBytes));
    return std::nullopt;
  }
  if (length > left - kRecordHeaderSize) {
    Fail(th::StrCat("torn record payload (length ", length, ", ", left - kRecordHeaderSize,
                    " bytes left)"));
    return std::nullopt;
  }
  std::string_view payload(header + kRecordHeaderSize, length);
  if (RecordCrc(header, payload) != DecodeFixed32(header + 4)) {
    Fail("record checksum mismatch");
    return std::nullopt;
  }
  offset_ += kRecordHeaderSize + length;
  return payload;
}

}  // namespace th::store::wal::internal

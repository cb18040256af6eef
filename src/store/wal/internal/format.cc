#include "store/wal/internal/format.h"

#include <charconv>
#include <cstdio>
#include <cstring>

#include "common/crc32c.h"

namespace th::store::wal::internal {

std::string SegmentFileName(uint64_t sequence) {
  char digits[kSegmentDigits + 1];
  std::snprintf(digits, sizeof(digits), "%020llu", static_cast<unsigned long long>(sequence));
  return std::string(digits, kSegmentDigits) + std::string(kSegmentSuffix);
}

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  if (name.size() != kSegmentDigits + kSegmentSuffix.size()) return std::nullopt;
  if (name.substr(kSegmentDigits) != kSegmentSuffix) return std::nullopt;
  // from_chars takes no sign or spaces, so only fixed-width digit names (whose lexical order
  // is log order) parse; it fails on values past UINT64_MAX.
  uint64_t sequence = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + kSegmentDigits, sequence);
  if (ec != std::errc() || end != name.data() + kSegmentDigits) return std::nullopt;
  return sequence;
}

std::string EncodeSegmentHeader(uint64_t sequence) {
  std::string header(kSegmentHeaderSize, '\0');
  std::memcpy(header.data(), kMagic, sizeof(kMagic));
  EncodeFixed64(sequence, header.data() + sizeof(kMagic));
  return header;
}

uint32_t RecordCrc(const char length_bytes[4], std::string_view payload) {
  uint32_t crc = crc32c::Extend(0, length_bytes, 4);
  crc = crc32c::Extend(crc, payload.data(), payload.size());
  return crc32c::Mask(crc);
}

void EncodeRecordHeader(std::string_view payload, char out[kRecordHeaderSize]) {
  EncodeFixed32(static_cast<uint32_t>(payload.size()), out);
  EncodeFixed32(RecordCrc(out, payload), out + 4);
}

}  // namespace th::store::wal::internal

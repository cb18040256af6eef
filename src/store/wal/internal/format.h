// Byte layout of WAL segments (docs/formats/wal.md): constants, file names and the encoders the
// writer uses. The segment reader decodes the same layout. Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace th::store::wal::internal {

inline constexpr char kMagic[8] = {'T', 'H', 'W', 'A', 'L', '\0', '\0', '\1'};
// The first bytes of the magic that every version shares; the last byte is the version.
inline constexpr size_t kMagicPrefixSize = 7;
inline constexpr uint8_t kFormatVersion = 1;

inline constexpr size_t kSegmentHeaderSize = 16;  // magic + u64 sequence
inline constexpr size_t kRecordHeaderSize = 8;    // u32 length + u32 masked crc
inline constexpr uint32_t kMaxRecordBytes = 64u << 20;

inline constexpr std::string_view kSegmentSuffix = ".wal";
inline constexpr size_t kSegmentDigits = 20;

// "00000000000000000042.wal" for 42.
std::string SegmentFileName(uint64_t sequence);
// The sequence number in a segment file name, or nullopt if `name` is not one.
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);

// The 16-byte header that starts segment `sequence`.
std::string EncodeSegmentHeader(uint64_t sequence);

// Fills `out` with the record header (length, masked CRC of length bytes + payload).
// Requires: payload.size() <= kMaxRecordBytes.
void EncodeRecordHeader(std::string_view payload, char out[kRecordHeaderSize]);

// CRC as stored: masked CRC-32C over the 4 encoded length bytes, then the payload.
uint32_t RecordCrc(const char length_bytes[4], std::string_view payload);

inline void EncodeFixed32(uint32_t v, char* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
inline void EncodeFixed64(uint64_t v, char* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

}  // namespace th::store::wal::internal

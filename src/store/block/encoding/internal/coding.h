// Little-endian fixed-width integers, LEB128 varints and zigzag, the primitives every encoding in
// docs/formats/encodings.md is built from. ByteReader is a bounds-checked cursor over a
// std::string_view it does not own; every read either succeeds entirely or leaves the cursor
// where it was and returns false. Pure functions and value types; thread-compatible.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace th::store::block::encoding::internal {

static_assert(std::endian::native == std::endian::little,
              "encodings load little-endian words directly");

// The most bytes a varint of a uint64 takes.
inline constexpr size_t kMaxVarint64Bytes = 10;

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

inline void PutFixed32(std::string* out, uint32_t v) {
  char buf[4];
  std::memcpy(buf, &v, 4);
  out->append(buf, 4);
}

inline void PutVarint64(std::string* out, uint64_t v) {
  char buf[kMaxVarint64Bytes];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }
  std::string_view rest() const { return in_.substr(pos_); }

  bool ReadByte(uint8_t* v) {
    if (remaining() < 1) return false;
    *v = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool ReadFixed32(uint32_t* v) {
    if (remaining() < 4) return false;
    std::memcpy(v, in_.data() + pos_, 4);
    pos_ += 4;
    return true;
  }
  // Rejects varints longer than 10 bytes and 10-byte varints whose value exceeds 64 bits.
  bool ReadVarint64(uint64_t* v) {
    uint64_t result = 0;
    size_t p = pos_;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= in_.size()) return false;
      uint8_t b = static_cast<uint8_t>(in_[p++]);
      if (shift == 63 && b > 1) return false;
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) {
        *v = result;
        pos_ = p;
        return true;
      }
    }
    return false;
  }
  bool ReadBytes(size_t n, std::string_view* v) {
    if (remaining() < n) return false;
    *v = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace th::store::block::encoding::internal

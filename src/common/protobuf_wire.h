// Protobuf wire-format primitives (https://protobuf.dev/programming-guides/encoding/) for the
// hand-written OTLP codec: a bounds-checked reader over a byte range and append-only writers.
// Header-only so the hot loops inline.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace th::wire {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLen = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5
};

// Reads fields one after another. Every read checks bounds and returns false on malformed
// input; after a false the reader's position is unspecified and the caller stops.
class Reader {
 public:
  explicit Reader(std::string_view data)
      : p_(reinterpret_cast<const uint8_t*>(data.data())), end_(p_ + data.size()) {}

  bool done() const { return p_ >= end_; }

  bool ReadVarint(uint64_t* v) {
    if (p_ < end_ && *p_ < 0x80) {  // one-byte fast path: most tags and small values
      *v = *p_++;
      return true;
    }
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) return false;
      uint8_t b = *p_++;
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) {
        *v = result;
        return true;
      }
    }
    return false;  // more than 10 bytes
  }

  // Reads a tag. Field number 0 is invalid in protobuf.
  bool ReadTag(uint32_t* field, uint32_t* wire_type) {
    uint64_t tag;
    if (!ReadVarint(&tag) || tag > 0xffffffffu) return false;
    *field = static_cast<uint32_t>(tag >> 3);
    *wire_type = static_cast<uint32_t>(tag & 7);
    return *field != 0;
  }

  bool ReadFixed64(uint64_t* v) {
    if (end_ - p_ < 8) return false;
    std::memcpy(v, p_, 8);  // little-endian host (x86-64, aarch64)
    p_ += 8;
    return true;
  }

  bool ReadFixed32(uint32_t* v) {
    if (end_ - p_ < 4) return false;
    std::memcpy(v, p_, 4);
    p_ += 4;
    return true;
  }

  bool ReadLen(std::string_view* out) {
    uint64_t n;
    if (!ReadVarint(&n) || n > static_cast<uint64_t>(end_ - p_)) return false;
    *out = {reinterpret_cast<const char*>(p_), static_cast<size_t>(n)};
    p_ += n;
    return true;
  }

  // Skips a field of `wire_type`. Groups (deprecated, unused by OTLP) are rejected.
  bool Skip(uint32_t wire_type) {
    uint64_t v;
    std::string_view s;
    switch (wire_type) {
      case kVarint:
        return ReadVarint(&v);
      case kFixed64:
        return ReadFixed64(&v);
      case kLen:
        return ReadLen(&s);
      case kFixed32: {
        uint32_t f;
        return ReadFixed32(&f);
      }
      default:
        return false;
    }
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline void PutVarint(std::string* out, uint64_t v) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

inline void PutTag(std::string* out, uint32_t field, WireType type) {
  PutVarint(out, (static_cast<uint64_t>(field) << 3) | type);
}

inline void PutFixed64(std::string* out, uint32_t field, uint64_t v) {
  PutTag(out, field, kFixed64);
  char buf[8];
  std::memcpy(buf, &v, 8);
  out->append(buf, 8);
}

inline void PutFixed32(std::string* out, uint32_t field, uint32_t v) {
  PutTag(out, field, kFixed32);
  char buf[4];
  std::memcpy(buf, &v, 4);
  out->append(buf, 4);
}

inline void PutVarintField(std::string* out, uint32_t field, uint64_t v) {
  PutTag(out, field, kVarint);
  PutVarint(out, v);
}

inline void PutBytes(std::string* out, uint32_t field, std::string_view s) {
  PutTag(out, field, kLen);
  PutVarint(out, s.size());
  out->append(s);
}

// Starts a length-delimited sub-message of known encoded size `size`.
inline void PutLenHeader(std::string* out, uint32_t field, size_t size) {
  PutTag(out, field, kLen);
  PutVarint(out, size);
}

// Sizes of whole fields (tag included), for computing sub-message lengths.
inline size_t TagSize(uint32_t field) { return VarintSize(static_cast<uint64_t>(field) << 3); }
inline size_t LenFieldSize(uint32_t field, size_t payload) {
  return TagSize(field) + VarintSize(payload) + payload;
}
inline size_t VarintFieldSize(uint32_t field, uint64_t v) { return TagSize(field) + VarintSize(v); }

}  // namespace th::wire

// Readers for the two Thrift wire protocols Jaeger clients use, over one byte range:
// TBinaryProtocol (big-endian fixed-width integers) and TCompactProtocol (zigzag varints, field
// id deltas, bools folded into field headers). Both report types in the binary protocol's
// numbering (TType), so one templated struct decoder serves both.
//
// Every read checks bounds and returns false on malformed input; after a false the reader's
// position is unspecified and the caller stops. Declared list, set and map sizes are checked
// against the bytes left (every element takes at least one byte), so no caller sizes anything
// from an unchecked count. Nesting is bounded by kMaxDepth. Header-only so the loops inline.
// Not thread-safe: one reader per decode.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace th::ingest::jaeger::thrift {

enum TType : uint8_t {
  kStop = 0,
  kVoid = 1,
  kBool = 2,
  kByte = 3,
  kDouble = 4,
  kI16 = 6,
  kI32 = 8,
  kI64 = 10,
  kString = 11,
  kStruct = 12,
  kMap = 13,
  kSet = 14,
  kList = 15,
};

enum MessageType : uint8_t { kCall = 1, kReply = 2, kException = 3, kOneway = 4 };

inline constexpr int kMaxDepth = 32;

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view data)
      : p_(reinterpret_cast<const uint8_t*>(data.data())), end_(p_ + data.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  // Strict (version word 0x8001....) and old (name first) message headers.
  bool ReadMessageBegin(std::string_view* name, uint8_t* type, int32_t* seqid) {
    int32_t first;
    if (!ReadI32(&first)) return false;
    if (first < 0) {
      auto word = static_cast<uint32_t>(first);
      if ((word & 0xffff0000u) != 0x80010000u) return false;
      *type = static_cast<uint8_t>(word & 0xff);
      return ReadBinary(name) && ReadI32(seqid);
    }
    if (static_cast<size_t>(first) > remaining()) return false;
    *name = Take(static_cast<size_t>(first));
    int8_t t;
    if (!ReadByte(&t)) return false;
    *type = static_cast<uint8_t>(t);
    return ReadI32(seqid);
  }

  bool StructBegin() { return ++depth_ <= kMaxDepth; }
  void StructEnd() { --depth_; }

  bool ReadFieldBegin(uint8_t* type, int16_t* id) {
    if (p_ >= end_) return false;
    *type = *p_++;
    if (*type == kStop) return true;
    return ReadI16(id);
  }

  bool ReadBool(bool* v) {
    int8_t b;
    if (!ReadByte(&b)) return false;
    *v = b != 0;
    return true;
  }
  bool ReadByte(int8_t* v) {
    if (p_ >= end_) return false;
    *v = static_cast<int8_t>(*p_++);
    return true;
  }
  bool ReadI16(int16_t* v) {
    uint64_t u;
    if (!ReadBigEndian(2, &u)) return false;
    *v = static_cast<int16_t>(static_cast<uint16_t>(u));
    return true;
  }
  bool ReadI32(int32_t* v) {
    uint64_t u;
    if (!ReadBigEndian(4, &u)) return false;
    *v = static_cast<int32_t>(static_cast<uint32_t>(u));
    return true;
  }
  bool ReadI64(int64_t* v) {
    uint64_t u;
    if (!ReadBigEndian(8, &u)) return false;
    *v = static_cast<int64_t>(u);
    return true;
  }
  bool ReadDouble(double* v) {
    uint64_t u;
    if (!ReadBigEndian(8, &u)) return false;
    std::memcpy(v, &u, 8);
    return true;
  }
  bool ReadBinary(std::string_view* v) {
    int32_t n;
    if (!ReadI32(&n) || n < 0 || static_cast<size_t>(n) > remaining()) return false;
    *v = Take(static_cast<size_t>(n));
    return true;
  }
  // Lists and sets.
  bool ReadListBegin(uint8_t* elem_type, uint32_t* size) {
    int8_t t;
    int32_t n;
    if (!ReadByte(&t) || !ReadI32(&n) || n < 0 || static_cast<size_t>(n) > remaining()) {
      return false;
    }
    *elem_type = static_cast<uint8_t>(t);
    *size = static_cast<uint32_t>(n);
    return true;
  }
  bool ReadMapBegin(uint8_t* key_type, uint8_t* value_type, uint32_t* size) {
    int8_t k, v;
    int32_t n;
    if (!ReadByte(&k) || !ReadByte(&v) || !ReadI32(&n) || n < 0 ||
        static_cast<size_t>(n) > remaining()) {
      return false;
    }
    *key_type = static_cast<uint8_t>(k);
    *value_type = static_cast<uint8_t>(v);
    *size = static_cast<uint32_t>(n);
    return true;
  }

 private:
  bool ReadBigEndian(int n, uint64_t* v) {
    if (remaining() < static_cast<size_t>(n)) return false;
    uint64_t u = 0;
    for (int i = 0; i < n; ++i) u = (u << 8) | p_[i];
    p_ += n;
    *v = u;
    return true;
  }
  std::string_view Take(size_t n) {
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  int depth_ = 0;
};

class CompactReader {
 public:
  explicit CompactReader(std::string_view data)
      : p_(reinterpret_cast<const uint8_t*>(data.data())), end_(p_ + data.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  bool ReadMessageBegin(std::string_view* name, uint8_t* type, int32_t* seqid) {
    if (remaining() < 2 || p_[0] != 0x82) return false;
    uint8_t version_and_type = p_[1];
    p_ += 2;
    if ((version_and_type & 0x1f) != 1) return false;
    *type = static_cast<uint8_t>((version_and_type >> 5) & 0x07);
    uint64_t seq;
    if (!ReadVarint(&seq, 5)) return false;
    *seqid = static_cast<int32_t>(static_cast<uint32_t>(seq));
    return ReadBinary(name);
  }

  bool StructBegin() {
    if (depth_ >= kMaxDepth) return false;
    last_field_[depth_++] = last_field_id_;
    last_field_id_ = 0;
    return true;
  }
  void StructEnd() { last_field_id_ = last_field_[--depth_]; }

  bool ReadFieldBegin(uint8_t* type, int16_t* id) {
    if (p_ >= end_) return false;
    uint8_t b = *p_++;
    if (b == 0) {
      *type = kStop;
      return true;
    }
    uint8_t ctype = b & 0x0f;
    int delta = b >> 4;
    if (delta != 0) {
      int next = last_field_id_ + delta;
      if (next > 32767) return false;
      *id = static_cast<int16_t>(next);
    } else if (!ReadI16(id)) {
      return false;
    }
    last_field_id_ = *id;
    if (ctype == 1 || ctype == 2) {
      pending_bool_ = ctype == 1 ? 1 : 0;
      *type = kBool;
      return true;
    }
    return ToTType(ctype, type);
  }

  bool ReadBool(bool* v) {
    if (pending_bool_ >= 0) {
      *v = pending_bool_ == 1;
      pending_bool_ = -1;
      return true;
    }
    if (p_ >= end_) return false;
    *v = *p_++ == 1;  // list elements: 1 true, 2 (or 0) false
    return true;
  }
  bool ReadByte(int8_t* v) {
    if (p_ >= end_) return false;
    *v = static_cast<int8_t>(*p_++);
    return true;
  }
  bool ReadI16(int16_t* v) {
    uint64_t u;
    if (!ReadVarint(&u, 3)) return false;
    *v = static_cast<int16_t>(static_cast<uint16_t>(ZigZag(u)));
    return true;
  }
  bool ReadI32(int32_t* v) {
    uint64_t u;
    if (!ReadVarint(&u, 5)) return false;
    *v = static_cast<int32_t>(static_cast<uint32_t>(ZigZag(u)));
    return true;
  }
  bool ReadI64(int64_t* v) {
    uint64_t u;
    if (!ReadVarint(&u, 10)) return false;
    *v = static_cast<int64_t>(ZigZag(u));
    return true;
  }
  bool ReadDouble(double* v) {  // little-endian on the wire
    if (remaining() < 8) return false;
    uint64_t u = 0;
    for (int i = 7; i >= 0; --i) u = (u << 8) | p_[i];
    p_ += 8;
    std::memcpy(v, &u, 8);
    return true;
  }
  bool ReadBinary(std::string_view* v) {
    uint64_t n;
    if (!ReadVarint(&n, 5) || n > remaining()) return false;
    *v = std::string_view(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return true;
  }
  bool ReadListBegin(uint8_t* elem_type, uint32_t* size) {
    if (p_ >= end_) return false;
    uint8_t b = *p_++;
    uint64_t n = b >> 4;
    if (n == 15 && !ReadVarint(&n, 5)) return false;
    if (n > remaining()) return false;
    uint8_t ctype = b & 0x0f;
    if (ctype == 1 || ctype == 2) {
      *elem_type = kBool;
    } else if (!ToTType(ctype, elem_type)) {
      return false;
    }
    *size = static_cast<uint32_t>(n);
    return true;
  }
  bool ReadMapBegin(uint8_t* key_type, uint8_t* value_type, uint32_t* size) {
    uint64_t n;
    if (!ReadVarint(&n, 5) || n > remaining()) return false;
    *size = static_cast<uint32_t>(n);
    if (n == 0) {
      *key_type = *value_type = kStop;
      return true;
    }
    if (p_ >= end_) return false;
    uint8_t b = *p_++;
    auto one = [](uint8_t c, uint8_t* out) {
      if (c == 1 || c == 2) {
        *out = kBool;
        return true;
      }
      return ToTType(c, out);
    };
    return one(b >> 4, key_type) && one(b & 0x0f, value_type);
  }

 private:
  static uint64_t ZigZag(uint64_t u) { return (u >> 1) ^ (~(u & 1) + 1); }

  static bool ToTType(uint8_t ctype, uint8_t* out) {
    static constexpr uint8_t kTypes[] = {kStop,   kBool,   kBool, kByte, kI16, kI32,  kI64,
                                         kDouble, kString, kList, kSet,  kMap, kStruct};
    if (ctype == 0 || ctype >= sizeof(kTypes)) return false;
    *out = kTypes[ctype];
    return true;
  }

  bool ReadVarint(uint64_t* v, int max_bytes) {
    uint64_t result = 0;
    for (int i = 0; i < max_bytes; ++i) {
      if (p_ >= end_) return false;
      uint8_t b = *p_++;
      result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if (b < 0x80) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  int depth_ = 0;
  int last_field_id_ = 0;
  int last_field_[kMaxDepth] = {};
  int pending_bool_ = -1;
};

// Skips one value of `type`; false on malformed input or nesting deeper than kMaxDepth.
template <typename Reader>
bool SkipValue(Reader& r, uint8_t type, int depth = 0) {
  if (depth > kMaxDepth) return false;
  switch (type) {
    case kBool: {
      bool v;
      return r.ReadBool(&v);
    }
    case kByte: {
      int8_t v;
      return r.ReadByte(&v);
    }
    case kI16: {
      int16_t v;
      return r.ReadI16(&v);
    }
    case kI32: {
      int32_t v;
      return r.ReadI32(&v);
    }
    case kI64: {
      int64_t v;
      return r.ReadI64(&v);
    }
    case kDouble: {
      double v;
      return r.ReadDouble(&v);
    }
    case kString: {
      std::string_view v;
      return r.ReadBinary(&v);
    }
    case kStruct: {
      if (!r.StructBegin()) return false;
      for (;;) {
        uint8_t ft;
        int16_t id;
        if (!r.ReadFieldBegin(&ft, &id)) return false;
        if (ft == kStop) break;
        if (!SkipValue(r, ft, depth + 1)) return false;
      }
      r.StructEnd();
      return true;
    }
    case kList:
    case kSet: {
      uint8_t et;
      uint32_t n;
      if (!r.ReadListBegin(&et, &n)) return false;
      for (uint32_t i = 0; i < n; ++i) {
        if (!SkipValue(r, et, depth + 1)) return false;
      }
      return true;
    }
    case kMap: {
      uint8_t kt, vt;
      uint32_t n;
      if (!r.ReadMapBegin(&kt, &vt, &n)) return false;
      for (uint32_t i = 0; i < n; ++i) {
        if (!SkipValue(r, kt, depth + 1) || !SkipValue(r, vt, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

}  // namespace th::ingest::jaeger::thrift

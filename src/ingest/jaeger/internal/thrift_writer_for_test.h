// Test-only Thrift encoder for jaeger.thrift's Batch and agent.thrift's emitBatch message, in the
// binary and compact protocols. Written independently of the decoder (from the Thrift protocol
// specs), so round-trip tests check the decoder against a second reading of the specs. Used by
// tests, the fuzz seed generator and nothing in production.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "ingest/jaeger/jaeger_decode.h"

namespace th::ingest::jaeger::testing {

struct Tag {
  std::string key;
  int32_t type = 0;  // STRING=0, DOUBLE=1, BOOL=2, LONG=3, BINARY=4
  std::optional<std::string> v_str;
  std::optional<double> v_double;
  std::optional<bool> v_bool;
  std::optional<int64_t> v_long;
  std::optional<std::string> v_binary;
};

inline Tag StrTag(std::string k, std::string v) { return Tag{std::move(k), 0, std::move(v)}; }
inline Tag DoubleTag(std::string k, double v) { return Tag{std::move(k), 1, {}, v}; }
inline Tag BoolTag(std::string k, bool v) { return Tag{std::move(k), 2, {}, {}, v}; }
inline Tag LongTag(std::string k, int64_t v) { return Tag{std::move(k), 3, {}, {}, {}, v}; }
inline Tag BinaryTag(std::string k, std::string v) {
  return Tag{std::move(k), 4, {}, {}, {}, {}, std::move(v)};
}

struct Log {
  int64_t timestamp = 0;  // µs
  std::vector<Tag> fields;
};

struct SpanRef {
  int32_t ref_type = 0;  // CHILD_OF=0, FOLLOWS_FROM=1
  int64_t trace_id_low = 0;
  int64_t trace_id_high = 0;
  int64_t span_id = 0;
};

struct Span {
  int64_t trace_id_low = 0;
  int64_t trace_id_high = 0;
  int64_t span_id = 0;
  int64_t parent_span_id = 0;
  std::string operation_name;
  std::vector<SpanRef> references;
  int32_t flags = 0;
  int64_t start_time = 0;  // µs
  int64_t duration = 0;    // µs
  std::vector<Tag> tags;
  std::vector<Log> logs;
};

struct Process {
  std::string service_name;
  std::vector<Tag> tags;
};

struct Batch {
  Process process;
  std::vector<Span> spans;
  std::optional<int64_t> seq_no;
};

// Type ids: binary protocol numbering; the compact writer maps them.
enum : uint8_t { kBool = 2, kDouble = 4, kI32 = 8, kI64 = 10, kString = 11, kStruct = 12, kList = 15 };

class BinaryWriter {
 public:
  std::string out;

  void MessageBegin(const std::string& name, uint8_t type, int32_t seqid) {
    Be(0x80010000u | type, 4);
    String(name);
    Be(static_cast<uint32_t>(seqid), 4);
  }
  void StructBegin() {}
  void StructEnd() { out.push_back(0); }
  void FieldHeader(uint8_t type, int16_t id) {
    out.push_back(static_cast<char>(type));
    Be(static_cast<uint16_t>(id), 2);
  }
  void BoolField(int16_t id, bool v) {
    FieldHeader(kBool, id);
    out.push_back(v ? 1 : 0);
  }
  void I32(int32_t v) { Be(static_cast<uint32_t>(v), 4); }
  void I64(int64_t v) { Be(static_cast<uint64_t>(v), 8); }
  void Double(double v) {
    uint64_t u;
    std::memcpy(&u, &v, 8);
    Be(u, 8);
  }
  void String(const std::string& s) {
    I32(static_cast<int32_t>(s.size()));
    out += s;
  }
  void ListBegin(uint8_t elem, uint32_t n) {
    out.push_back(static_cast<char>(elem));
    I32(static_cast<int32_t>(n));
  }

 private:
  void Be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
  }
};

class CompactWriter {
 public:
  std::string out;

  void MessageBegin(const std::string& name, uint8_t type, int32_t seqid) {
    out.push_back(static_cast<char>(0x82));
    out.push_back(static_cast<char>((type << 5) | 1));
    Varint(static_cast<uint32_t>(seqid));
    String(name);
  }
  void StructBegin() {
    stack_.push_back(last_);
    last_ = 0;
  }
  void StructEnd() {
    out.push_back(0);
    last_ = stack_.back();
    stack_.pop_back();
  }
  void FieldHeader(uint8_t type, int16_t id) { Header(Compact(type), id); }
  void BoolField(int16_t id, bool v) { Header(v ? 1 : 2, id); }
  void I32(int32_t v) { Varint(ZigZag(v)); }
  void I64(int64_t v) { Varint(ZigZag(v)); }
  void Double(double v) {
    uint64_t u;
    std::memcpy(&u, &v, 8);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(u >> (8 * i)));
  }
  void String(const std::string& s) {
    Varint(s.size());
    out += s;
  }
  void ListBegin(uint8_t elem, uint32_t n) {
    if (n < 15) {
      out.push_back(static_cast<char>((n << 4) | Compact(elem)));
    } else {
      out.push_back(static_cast<char>(0xf0 | Compact(elem)));
      Varint(n);
    }
  }

 private:
  static uint8_t Compact(uint8_t t) {
    switch (t) {
      case kBool: return 1;
      case kDouble: return 7;
      case kI32: return 5;
      case kI64: return 6;
      case kString: return 8;
      case kStruct: return 12;
      case kList: return 9;
      default: return 0;
    }
  }
  static uint64_t ZigZag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  void Header(uint8_t ctype, int16_t id) {
    int delta = id - last_;
    if (delta > 0 && delta <= 15) {
      out.push_back(static_cast<char>((delta << 4) | ctype));
    } else {
      out.push_back(static_cast<char>(ctype));
      Varint(ZigZag(id));
    }
    last_ = id;
  }

  int last_ = 0;
  std::vector<int> stack_;
};

template <typename W>
void WriteTag(W& w, const Tag& t) {
  w.StructBegin();
  w.FieldHeader(kString, 1);
  w.String(t.key);
  w.FieldHeader(kI32, 2);
  w.I32(t.type);
  if (t.v_str) {
    w.FieldHeader(kString, 3);
    w.String(*t.v_str);
  }
  if (t.v_double) {
    w.FieldHeader(kDouble, 4);
    w.Double(*t.v_double);
  }
  if (t.v_bool) w.BoolField(5, *t.v_bool);
  if (t.v_long) {
    w.FieldHeader(kI64, 6);
    w.I64(*t.v_long);
  }
  if (t.v_binary) {
    w.FieldHeader(kString, 7);
    w.String(*t.v_binary);
  }
  w.StructEnd();
}

template <typename W>
void WriteTags(W& w, int16_t id, const std::vector<Tag>& tags) {
  w.FieldHeader(kList, id);
  w.ListBegin(kStruct, static_cast<uint32_t>(tags.size()));
  for (const Tag& t : tags) WriteTag(w, t);
}

template <typename W>
void WriteSpan(W& w, const Span& s) {
  w.StructBegin();
  w.FieldHeader(kI64, 1);
  w.I64(s.trace_id_low);
  w.FieldHeader(kI64, 2);
  w.I64(s.trace_id_high);
  w.FieldHeader(kI64, 3);
  w.I64(s.span_id);
  w.FieldHeader(kI64, 4);
  w.I64(s.parent_span_id);
  w.FieldHeader(kString, 5);
  w.String(s.operation_name);
  if (!s.references.empty()) {
    w.FieldHeader(kList, 6);
    w.ListBegin(kStruct, static_cast<uint32_t>(s.references.size()));
    for (const SpanRef& r : s.references) {
      w.StructBegin();
      w.FieldHeader(kI32, 1);
      w.I32(r.ref_type);
      w.FieldHeader(kI64, 2);
      w.I64(r.trace_id_low);
      w.FieldHeader(kI64, 3);
      w.I64(r.trace_id_high);
      w.FieldHeader(kI64, 4);
      w.I64(r.span_id);
      w.StructEnd();
    }
  }
  w.FieldHeader(kI32, 7);
  w.I32(s.flags);
  w.FieldHeader(kI64, 8);
  w.I64(s.start_time);
  w.FieldHeader(kI64, 9);
  w.I64(s.duration);
  if (!s.tags.empty()) WriteTags(w, 10, s.tags);
  if (!s.logs.empty()) {
    w.FieldHeader(kList, 11);
    w.ListBegin(kStruct, static_cast<uint32_t>(s.logs.size()));
    for (const Log& l : s.logs) {
      w.StructBegin();
      w.FieldHeader(kI64, 1);
      w.I64(l.timestamp);
      WriteTags(w, 2, l.fields);
      w.StructEnd();
    }
  }
  w.StructEnd();
}

template <typename W>
void WriteBatch(W& w, const Batch& b) {
  w.StructBegin();
  w.FieldHeader(kStruct, 1);
  w.StructBegin();
  w.FieldHeader(kString, 1);
  w.String(b.process.service_name);
  if (!b.process.tags.empty()) WriteTags(w, 2, b.process.tags);
  w.StructEnd();
  w.FieldHeader(kList, 2);
  w.ListBegin(kStruct, static_cast<uint32_t>(b.spans.size()));
  for (const Span& s : b.spans) WriteSpan(w, s);
  if (b.seq_no) {
    w.FieldHeader(kI64, 3);
    w.I64(*b.seq_no);
  }
  w.StructEnd();
}

inline std::string EncodeBatch(const Batch& b, ThriftProtocol protocol) {
  if (protocol == ThriftProtocol::kCompact) {
    CompactWriter w;
    WriteBatch(w, b);
    return w.out;
  }
  BinaryWriter w;
  WriteBatch(w, b);
  return w.out;
}

template <typename W>
std::string EmitBatchWith(const Batch& b, const std::string& method) {
  W w;
  w.MessageBegin(method, /*ONEWAY=*/4, 1);
  w.StructBegin();
  w.FieldHeader(kStruct, 1);
  WriteBatch(w, b);
  w.StructEnd();
  return w.out;
}

inline std::string EncodeEmitBatch(const Batch& b, ThriftProtocol protocol,
                                   const std::string& method = "emitBatch") {
  return protocol == ThriftProtocol::kCompact ? EmitBatchWith<CompactWriter>(b, method)
                                              : EmitBatchWith<BinaryWriter>(b, method);
}

}  // namespace th::ingest::jaeger::testing

#include "ingest/jaeger/thrift_encode.h"

#include "model/value_json.h"

#include <cstring>
#include <string_view>
#include <unordered_map>

#include "common/json.h"
#include "common/strings.h"

namespace th::ingest::jaeger {
namespace {

constexpr std::string_view kNoServiceName = "OTLPResourceNoServiceName";

// jaeger.thrift enums.
enum TagType : int32_t { kString = 0, kDouble = 1, kBool = 2, kLong = 3, kBinary = 4 };
enum RefType : int32_t { kChildOf = 0, kFollowsFrom = 1 };

// Thrift type ids, binary-protocol numbering; the compact protocol maps them.
enum : uint8_t {
  kTBool = 2,
  kTDouble = 4,
  kTI32 = 8,
  kTI64 = 10,
  kTString = 11,
  kTStruct = 12,
  kTList = 15
};
constexpr uint8_t kMessageOneway = 4;

// Writes Thrift values in either protocol into `out`. Compact field headers are deltas from the
// previous field id of the enclosing struct, hence the stack of StructBegin/StructEnd.
class Writer {
 public:
  Writer(ThriftProtocol protocol, std::string* out)
      : compact_(protocol == ThriftProtocol::kCompact), out_(out) {}

  void MessageBegin(std::string_view name, uint8_t type, int32_t seq_id) {
    if (compact_) {
      out_->push_back(static_cast<char>(0x82));
      out_->push_back(static_cast<char>((type << 5) | 1));
      Varint(static_cast<uint32_t>(seq_id));
      String(name);
    } else {
      BigEndian(0x80010000u | type, 4);
      String(name);
      BigEndian(static_cast<uint32_t>(seq_id), 4);
    }
  }
  void StructBegin() {
    stack_.push_back(last_id_);
    last_id_ = 0;
  }
  void StructEnd() {
    out_->push_back(0);
    last_id_ = stack_.back();
    stack_.pop_back();
  }
  void FieldHeader(uint8_t type, int16_t id) {
    if (!compact_) {
      out_->push_back(static_cast<char>(type));
      BigEndian(static_cast<uint16_t>(id), 2);
      return;
    }
    CompactHeader(CompactType(type), id);
  }
  void BoolField(int16_t id, bool v) {
    if (compact_) {
      CompactHeader(v ? 1 : 2, id);  // the value lives in the header's type nibble
      return;
    }
    FieldHeader(kTBool, id);
    out_->push_back(v ? 1 : 0);
  }
  void I32(int32_t v) {
    if (compact_) {
      Varint(ZigZag(v));
    } else {
      BigEndian(static_cast<uint32_t>(v), 4);
    }
  }
  void I64(int64_t v) {
    if (compact_) {
      Varint(ZigZag(v));
    } else {
      BigEndian(static_cast<uint64_t>(v), 8);
    }
  }
  void Double(double v) {
    uint64_t u;
    std::memcpy(&u, &v, 8);
    if (compact_) {
      for (int i = 0; i < 8; ++i) out_->push_back(static_cast<char>(u >> (8 * i)));
    } else {
      BigEndian(u, 8);
    }
  }
  void String(std::string_view s) {
    if (compact_) {
      Varint(s.size());
    } else {
      BigEndian(static_cast<uint32_t>(s.size()), 4);
    }
    out_->append(s);
  }
  void ListBegin(uint8_t elem, uint32_t n) {
    if (!compact_) {
      out_->push_back(static_cast<char>(elem));
      BigEndian(n, 4);
    } else if (n < 15) {
      out_->push_back(static_cast<char>((n << 4) | CompactType(elem)));
    } else {
      out_->push_back(static_cast<char>(0xf0 | CompactType(elem)));
      Varint(n);
    }
  }
  // Bytes of a complete value written by another Writer of the same protocol.
  void Raw(std::string_view bytes) { out_->append(bytes); }

  void I64Field(int16_t id, int64_t v) {
    FieldHeader(kTI64, id);
    I64(v);
  }
  void I32Field(int16_t id, int32_t v) {
    FieldHeader(kTI32, id);
    I32(v);
  }
  void StringField(int16_t id, std::string_view v) {
    FieldHeader(kTString, id);
    String(v);
  }

 private:
  static uint8_t CompactType(uint8_t t) {
    switch (t) {
      case kTBool:
        return 1;
      case kTI32:
        return 5;
      case kTI64:
        return 6;
      case kTDouble:
        return 7;
      case kTString:
        return 8;
      case kTList:
        return 9;
      case kTStruct:
        return 12;
      default:
        return 0;
    }
  }
  static uint64_t ZigZag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void BigEndian(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_->push_back(static_cast<char>(v >> (8 * i)));
  }
  void CompactHeader(uint8_t ctype, int16_t id) {
    int delta = id - last_id_;
    if (delta > 0 && delta <= 15) {
      out_->push_back(static_cast<char>((delta << 4) | ctype));
    } else {
      out_->push_back(static_cast<char>(ctype));
      Varint(ZigZag(id));
    }
    last_id_ = id;
  }

  bool compact_;
  std::string* out_;
  int last_id_ = 0;
  std::vector<int> stack_;
};



int64_t BigEndianI64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return static_cast<int64_t>(v);
}
int64_t TraceIdHigh(const model::TraceId& id) { return BigEndianI64(id.bytes.data()); }
int64_t TraceIdLow(const model::TraceId& id) { return BigEndianI64(id.bytes.data() + 8); }
int64_t SpanIdValue(const model::SpanId& id) { return BigEndianI64(id.bytes.data()); }

void WriteStringTag(Writer& w, std::string_view key, std::string_view value) {
  w.StructBegin();
  w.StringField(1, key);
  w.I32Field(2, kString);
  w.StringField(3, value);
  w.StructEnd();
}

void WriteBoolTag(Writer& w, std::string_view key, bool value) {
  w.StructBegin();
  w.StringField(1, key);
  w.I32Field(2, kBool);
  w.BoolField(5, value);
  w.StructEnd();
}

void WriteTag(Writer& w, const model::SpanBatch& b, const model::KeyValue& kv) {
  const model::AnyValue& v = kv.value;
  switch (v.type) {
    case model::ValueType::kString:
      WriteStringTag(w, kv.key, v.bytes);
      return;
    case model::ValueType::kBool:
      WriteBoolTag(w, kv.key, v.bool_value);
      return;
    case model::ValueType::kEmpty:
      WriteStringTag(w, kv.key, "");
      return;
    case model::ValueType::kArray:
    case model::ValueType::kKvList: {
      std::string json;
      model::AppendValueJson(b, v, &json);
      WriteStringTag(w, kv.key, json);
      return;
    }
    default:
      break;
  }
  w.StructBegin();
  w.StringField(1, kv.key);
  if (v.type == model::ValueType::kInt) {
    w.I32Field(2, kLong);
    w.I64Field(6, v.int_value);
  } else if (v.type == model::ValueType::kDouble) {
    w.I32Field(2, kDouble);
    w.FieldHeader(kTDouble, 4);
    w.Double(v.double_value);
  } else {
    w.I32Field(2, kBinary);
    w.StringField(7, v.bytes);
  }
  w.StructEnd();
}

const char* KindTag(int32_t kind) {
  switch (kind) {
    case model::kSpanKindClient:
      return "client";
    case model::kSpanKindServer:
      return "server";
    case model::kSpanKindProducer:
      return "producer";
    case model::kSpanKindConsumer:
      return "consumer";
    case model::kSpanKindInternal:
      return "internal";
    default:
      return nullptr;
  }
}

bool LinkSaysChildOf(const model::SpanBatch& b, const model::Link& l) {
  for (uint32_t i = l.attributes.begin; i < l.attributes.end(); ++i) {
    const model::KeyValue& kv = b.key_values[i];
    if (kv.key == "opentracing.ref_type" && kv.value.type == model::ValueType::kString) {
      return kv.value.bytes == "child_of";
    }
  }
  return false;
}

// The Process struct of resource `r` (a complete struct, end byte included).
std::string EncodeProcess(const model::SpanBatch& b, const model::Resource& r,
                          ThriftProtocol protocol) {
  std::string out;
  Writer w(protocol, &out);
  w.StructBegin();
  std::string service_name;
  uint32_t tags = 0;
  if (r.attributes.count == 0) service_name = kNoServiceName;
  for (uint32_t i = r.attributes.begin; i < r.attributes.end(); ++i) {
    const model::KeyValue& kv = b.key_values[i];
    if (kv.key != "service.name") {
      ++tags;
    } else if (kv.value.type == model::ValueType::kString) {
      service_name = kv.value.bytes;
    } else {
      service_name.clear();
      model::AppendValueJson(b, kv.value, &service_name);
    }
  }
  w.StringField(1, service_name);
  if (tags > 0) {
    w.FieldHeader(kTList, 2);
    w.ListBegin(kTStruct, tags);
    for (uint32_t i = r.attributes.begin; i < r.attributes.end(); ++i) {
      if (b.key_values[i].key != "service.name") WriteTag(w, b, b.key_values[i]);
    }
  }
  w.StructEnd();
  return out;
}

// Span `i` as a complete Span struct.
void EncodeSpan(const model::SpanBatch& b, uint32_t i, ThriftProtocol protocol, std::string* out) {
  Writer w(protocol, out);
  const model::TraceId& trace_id = b.spans.trace_id[i];
  const model::SpanId& parent = b.spans.parent_span_id[i];
  w.StructBegin();
  w.I64Field(1, TraceIdLow(trace_id));
  w.I64Field(2, TraceIdHigh(trace_id));
  w.I64Field(3, SpanIdValue(b.spans.span_id[i]));
  w.I64Field(4, SpanIdValue(parent));
  w.StringField(5, b.spans.name[i]);

  // References: the parent first as CHILD_OF; links as FOLLOWS_FROM unless they say child_of; a
  // link to the parent sets the parent reference's type instead of adding one.
  const model::Range links = b.spans.links[i];
  auto points_at_parent = [&](const model::Link& l) {
    return !parent.IsZero() && l.trace_id == trace_id && l.span_id == parent;
  };
  int32_t parent_type = kChildOf;
  uint32_t refs = parent.IsZero() ? 0 : 1;
  for (uint32_t k = links.begin; k < links.end(); ++k) {
    const model::Link& l = b.links[k];
    int32_t type = LinkSaysChildOf(b, l) ? kChildOf : kFollowsFrom;
    if (points_at_parent(l)) {
      parent_type = type;
    } else {
      ++refs;
    }
  }
  auto write_ref = [&w](int32_t type, const model::TraceId& t, const model::SpanId& s) {
    w.StructBegin();
    w.I32Field(1, type);
    w.I64Field(2, TraceIdLow(t));
    w.I64Field(3, TraceIdHigh(t));
    w.I64Field(4, SpanIdValue(s));
    w.StructEnd();
  };
  if (refs > 0) {
    w.FieldHeader(kTList, 6);
    w.ListBegin(kTStruct, refs);
    if (!parent.IsZero()) write_ref(parent_type, trace_id, parent);
    for (uint32_t k = links.begin; k < links.end(); ++k) {
      const model::Link& l = b.links[k];
      if (points_at_parent(l)) continue;
      write_ref(LinkSaysChildOf(b, l) ? kChildOf : kFollowsFrom, l.trace_id, l.span_id);
    }
  }

  w.I32Field(7, static_cast<int32_t>(b.spans.flags[i] & 1u));  // W3C sampled → Jaeger sampled
  uint64_t start = b.spans.start_time_unix_nano[i];
  uint64_t end = b.spans.end_time_unix_nano[i];
  w.I64Field(8, static_cast<int64_t>(start / 1000));
  w.I64Field(9, end > start ? static_cast<int64_t>((end - start) / 1000) : 0);

  const model::Scope& scope = b.scopes[b.spans.scope[i]];
  const model::Range attrs = b.spans.attributes[i];
  const char* kind = KindTag(b.spans.kind[i]);
  const int32_t code = b.spans.status_code[i];
  const std::string_view message = b.spans.status_message[i];
  const std::string_view trace_state = b.spans.trace_state[i];
  uint32_t tags = attrs.count + (scope.name.empty() ? 0 : 1) + (scope.version.empty() ? 0 : 1) +
                  (kind != nullptr ? 1 : 0) + (code == model::kStatusOk ? 1 : 0) +
                  (code == model::kStatusError ? 2 : 0) + (message.empty() ? 0 : 1) +
                  (trace_state.empty() ? 0 : 1);
  if (tags > 0) {
    w.FieldHeader(kTList, 10);
    w.ListBegin(kTStruct, tags);
    if (!scope.name.empty()) WriteStringTag(w, "otel.scope.name", scope.name);
    if (!scope.version.empty()) WriteStringTag(w, "otel.scope.version", scope.version);
    for (uint32_t a = attrs.begin; a < attrs.end(); ++a) WriteTag(w, b, b.key_values[a]);
    if (kind != nullptr) WriteStringTag(w, "span.kind", kind);
    if (code == model::kStatusOk) WriteStringTag(w, "otel.status_code", "OK");
    if (code == model::kStatusError) {
      WriteStringTag(w, "otel.status_code", "ERROR");
      WriteBoolTag(w, "error", true);
    }
    if (!message.empty()) WriteStringTag(w, "otel.status_description", message);
    if (!trace_state.empty()) WriteStringTag(w, "w3c.tracestate", trace_state);
  }

  const model::Range events = b.spans.events[i];
  if (events.count > 0) {
    w.FieldHeader(kTList, 11);
    w.ListBegin(kTStruct, events.count);
    for (uint32_t k = events.begin; k < events.end(); ++k) {
      const model::Event& e = b.events[k];
      bool has_event_attr = false;
      for (uint32_t a = e.attributes.begin; a < e.attributes.end(); ++a) {
        if (b.key_values[a].key == "event") has_event_attr = true;
      }
      bool add_name = !e.name.empty() && !has_event_attr;
      w.StructBegin();
      w.I64Field(1, static_cast<int64_t>(e.time_unix_nano / 1000));
      w.FieldHeader(kTList, 2);
      w.ListBegin(kTStruct, e.attributes.count + (add_name ? 1 : 0));
      if (add_name) WriteStringTag(w, "event", e.name);
      for (uint32_t a = e.attributes.begin; a < e.attributes.end(); ++a) {
        WriteTag(w, b, b.key_values[a]);
      }
      w.StructEnd();
    }
  }
  w.StructEnd();
}

// Writes the Batch struct (process, then `count` spans from `span_bytes`) with `w`.
void WriteBatch(Writer& w, std::string_view process, uint32_t count, std::string_view span_bytes) {
  w.StructBegin();
  w.FieldHeader(kTStruct, 1);
  w.Raw(process);
  w.FieldHeader(kTList, 2);
  w.ListBegin(kTStruct, count);
  w.Raw(span_bytes);
  w.StructEnd();
}

std::string Frame(ThriftProtocol protocol, bool emit_batch, int32_t seq_id,
                  std::string_view process, uint32_t count, std::string_view span_bytes) {
  std::string out;
  out.reserve(process.size() + span_bytes.size() + 40);
  Writer w(protocol, &out);
  if (!emit_batch) {
    WriteBatch(w, process, count, span_bytes);
    return out;
  }
  w.MessageBegin("emitBatch", kMessageOneway, seq_id);
  w.StructBegin();
  w.FieldHeader(kTStruct, 1);
  WriteBatch(w, process, count, span_bytes);
  w.StructEnd();
  return out;
}

std::vector<EncodedThriftBatch> Encode(const model::SpanBatch& b, ThriftProtocol protocol,
                                       size_t max_bytes, bool emit_batch, int32_t seq_id) {
  // Spans by resource, resources in first-seen order.
  std::vector<uint32_t> resources;
  std::vector<std::vector<uint32_t>> spans_of;
  std::unordered_map<uint32_t, size_t> slot;
  for (uint32_t i = 0; i < b.span_count(); ++i) {
    uint32_t r = b.scopes[b.spans.scope[i]].resource;
    auto [it, inserted] = slot.emplace(r, resources.size());
    if (inserted) {
      resources.push_back(r);
      spans_of.emplace_back();
    }
    spans_of[it->second].push_back(i);
  }

  std::vector<EncodedThriftBatch> out;
  std::string span_bytes;
  std::string one;
  for (size_t k = 0; k < resources.size(); ++k) {
    std::string process = EncodeProcess(b, b.resources[resources[k]], protocol);
    // Framing around the spans, with room for the largest list header (5 bytes either way).
    const size_t overhead = Frame(protocol, emit_batch, seq_id, process, 0, {}).size() + 5;
    EncodedThriftBatch current;
    span_bytes.clear();
    auto flush = [&] {
      if (current.spans.empty()) return;
      current.bytes = Frame(protocol, emit_batch, seq_id, process,
                            static_cast<uint32_t>(current.spans.size()), span_bytes);
      out.push_back(std::move(current));
      current = EncodedThriftBatch();
      span_bytes.clear();
    };
    for (uint32_t i : spans_of[k]) {
      one.clear();
      EncodeSpan(b, i, protocol, &one);
      if (max_bytes > 0 && !current.spans.empty() &&
          overhead + span_bytes.size() + one.size() > max_bytes) {
        flush();
      }
      span_bytes += one;
      current.spans.push_back(i);
    }
    flush();
  }
  return out;
}

}  // namespace

std::vector<EncodedThriftBatch> EncodeJaegerThriftBatches(const model::SpanBatch& batch,
                                                          ThriftProtocol protocol,
                                                          size_t max_bytes) {
  return Encode(batch, protocol, max_bytes, /*emit_batch=*/false, 0);
}

std::vector<EncodedThriftBatch> EncodeJaegerAgentEmitBatches(const model::SpanBatch& batch,
                                                             ThriftProtocol protocol,
                                                             size_t max_bytes, int32_t seq_id) {
  return Encode(batch, protocol, max_bytes, /*emit_batch=*/true, seq_id);
}

}  // namespace th::ingest::jaeger

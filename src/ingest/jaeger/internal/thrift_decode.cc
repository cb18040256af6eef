// Thrift decoding of jaeger.thrift's Batch and agent.thrift's emitBatch message, one template
// for both protocols (internal/thrift_protocol.h), into a JaegerBatch that translate.cc turns
// into a SpanBatch. Field ids and required fields follow jaeger-idl thrift/jaeger.thrift. As in
// Thrift's generated code, a known field id with an unexpected type is skipped (and then reported
// as missing if it is required).
#include <string>

#include "common/strings.h"
#include "common/utf8.h"
#include "ingest/jaeger/internal/jaeger_batch.h"
#include "ingest/jaeger/internal/thrift_protocol.h"
#include "ingest/jaeger/jaeger_decode.h"

namespace th::ingest::jaeger {
namespace {

using namespace thrift;  // NOLINT(google-build-using-namespace): TType names

template <typename R>
class ThriftDecoder {
 public:
  ThriftDecoder(R& r, JaegerBatch* out, std::string_view protocol)
      : r_(r), b_(out), protocol_(protocol) {}

  // A bare Batch struct.
  Status DecodeBatch() {
    if (!r_.StructBegin()) return Malformed("batch");
    bool has_process = false, has_spans = false;
    for (;;) {
      uint8_t t;
      int16_t id = 0;
      if (!r_.ReadFieldBegin(&t, &id)) return Malformed("batch");
      if (t == kStop) break;
      if (id == 1 && t == kStruct) {
        section_ = "process";
        RETURN_IF_ERROR(DecodeProcess(&b_->batch_process));
        section_ = nullptr;
        b_->has_batch_process = has_process = true;
      } else if (id == 2 && t == kList) {
        RETURN_IF_ERROR(DecodeSpans());
        has_spans = true;
      } else if (!SkipValue(r_, t)) {
        return Malformed("batch");
      }
    }
    r_.StructEnd();
    if (!has_process) return Missing("process");
    if (!has_spans) return Missing("spans");
    return absl::OkStatus();
  }

  // Agent.emitBatch: message header, then the args struct whose field 1 is the Batch.
  Status DecodeEmitBatch() {
    std::string_view name;
    uint8_t type = 0;
    int32_t seqid = 0;
    if (!r_.ReadMessageBegin(&name, &type, &seqid)) {
      return absl::InvalidArgumentError(
          th::StrCat("invalid jaeger thrift ", protocol_, " message: malformed message header"));
    }
    if (name != "emitBatch") {
      std::string shown(name.substr(0, 64));
      for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
      }
      return absl::InvalidArgumentError(th::StrCat("invalid jaeger thrift ", protocol_,
                                                   " message: unsupported method \"", shown,
                                                   "\" (supported: emitBatch)"));
    }
    if (type != kOneway && type != kCall) {
      return absl::InvalidArgumentError(th::StrCat("invalid jaeger thrift ", protocol_,
                                                   " message: emitBatch has message type ", type,
                                                   ", want ONEWAY (4) or CALL (1)"));
    }
    if (!r_.StructBegin()) return Malformed("emitBatch args");
    bool has_batch = false;
    for (;;) {
      uint8_t t;
      int16_t id = 0;
      if (!r_.ReadFieldBegin(&t, &id)) return Malformed("emitBatch args");
      if (t == kStop) break;
      if (id == 1 && t == kStruct) {
        RETURN_IF_ERROR(DecodeBatch());
        has_batch = true;
      } else if (!SkipValue(r_, t)) {
        return Malformed("emitBatch args");
      }
    }
    r_.StructEnd();
    if (!has_batch) {
      return absl::InvalidArgumentError(th::StrCat("invalid jaeger thrift ", protocol_,
                                                   " message: emitBatch has no batch argument"));
    }
    return absl::OkStatus();
  }

 private:
  std::string Path() const {
    std::string p = "batch";
    if (span_ >= 0) th::StrAppend(&p, ".spans[", span_, "]");
    if (section_ != nullptr) th::StrAppend(&p, ".", section_);
    if (item_ >= 0) th::StrAppend(&p, "[", item_, "]");
    if (field_ >= 0) th::StrAppend(&p, ".fields[", field_, "]");
    return p;
  }
  Status Malformed(std::string_view what) const {
    return absl::InvalidArgumentError(th::StrCat("invalid jaeger thrift ", protocol_, ": ", Path(),
                                                 ": malformed ", what,
                                                 " (truncated, bad length or bad type)"));
  }
  Status Missing(std::string_view field) const {
    return absl::InvalidArgumentError(th::StrCat("invalid jaeger thrift ", protocol_, ": ", Path(),
                                                 ": required field ", field, " is not set"));
  }
  Status BadUtf8(std::string_view field) const {
    return absl::InvalidArgumentError(th::StrCat("invalid jaeger thrift ", protocol_, ": ", Path(),
                                                 ".", field, ": invalid UTF-8"));
  }

  Status ReadString(std::string_view field, std::string_view* out) {
    if (!r_.ReadBinary(out)) return Malformed(field);
    if (!IsValidUtf8(*out)) return BadUtf8(field);
    return absl::OkStatus();
  }

  // list<struct> header; `what` names the list in errors.
  Status ListOfStructs(std::string_view what, uint32_t* n) {
    uint8_t et;
    if (!r_.ReadListBegin(&et, n)) return Malformed(what);
    if (et != kStruct && *n > 0) return Malformed(th::StrCat(what, " element type"));
    return absl::OkStatus();
  }

  Status DecodeProcess(JProcess* p) {
    if (!r_.StructBegin()) return Malformed("process");
    bool has_name = false;
    for (;;) {
      uint8_t t;
      int16_t id = 0;
      if (!r_.ReadFieldBegin(&t, &id)) return Malformed("process");
      if (t == kStop) break;
      if (id == 1 && t == kString) {
        RETURN_IF_ERROR(ReadString("serviceName", &p->service_name));
        has_name = true;
      } else if (id == 2 && t == kList) {
        const char* saved = section_;
        section_ = "process.tags";
        RETURN_IF_ERROR(DecodeTags(&p->tags));
        section_ = saved;
      } else if (!SkipValue(r_, t)) {
        return Malformed("process");
      }
    }
    r_.StructEnd();
    if (!has_name) return Missing("serviceName");
    return absl::OkStatus();
  }

  Status DecodeSpans() {
    uint32_t n;
    RETURN_IF_ERROR(ListOfStructs("spans", &n));
    for (uint32_t i = 0; i < n; ++i) {
      span_ = static_cast<int64_t>(i);
      RETURN_IF_ERROR(DecodeSpan());
    }
    span_ = -1;
    return absl::OkStatus();
  }

  Status DecodeSpan() {
    static constexpr const char* kRequired[] = {"traceIdLow",    "traceIdHigh", "spanId",
                                                "parentSpanId",  "operationName", "flags",
                                                "startTime",     "duration"};
    static constexpr int kRequiredIds[] = {1, 2, 3, 4, 5, 7, 8, 9};
    if (!r_.StructBegin()) return Malformed("span");
    uint32_t isset = 0;
    int64_t trace_low = 0, trace_high = 0, span_id = 0, parent = 0, start = 0, duration = 0;
    int32_t flags = 0;
    JSpan s;
    for (;;) {
      uint8_t t;
      int16_t id = 0;
      if (!r_.ReadFieldBegin(&t, &id)) return Malformed("span");
      if (t == kStop) break;
      bool ok = true;
      bool handled = true;
      switch (id) {
        case 1: handled = t == kI64 && (ok = r_.ReadI64(&trace_low)); break;
        case 2: handled = t == kI64 && (ok = r_.ReadI64(&trace_high)); break;
        case 3: handled = t == kI64 && (ok = r_.ReadI64(&span_id)); break;
        case 4: handled = t == kI64 && (ok = r_.ReadI64(&parent)); break;
        case 5:
          handled = t == kString;
          if (handled) RETURN_IF_ERROR(ReadString("operationName", &s.operation_name));
          break;
        case 6:
          handled = t == kList;
          if (handled) {
            section_ = "references";
            RETURN_IF_ERROR(DecodeRefs(&s.refs));
            section_ = nullptr;
          }
          break;
        case 7: handled = t == kI32 && (ok = r_.ReadI32(&flags)); break;
        case 8: handled = t == kI64 && (ok = r_.ReadI64(&start)); break;
        case 9: handled = t == kI64 && (ok = r_.ReadI64(&duration)); break;
        case 10:
          handled = t == kList;
          if (handled) {
            section_ = "tags";
            RETURN_IF_ERROR(DecodeTags(&s.tags));
            section_ = nullptr;
          }
          break;
        case 11:
          handled = t == kList;
          if (handled) {
            section_ = "logs";
            RETURN_IF_ERROR(DecodeLogs(&s.logs));
            section_ = nullptr;
          }
          break;
        default: handled = false;
      }
      if (!ok) return Malformed("span");
      if (handled) {
        if (id >= 1 && id <= 16) isset |= 1u << id;
      } else if (!SkipValue(r_, t)) {
        return Malformed("span");
      }
    }
    r_.StructEnd();
    for (size_t k = 0; k < std::size(kRequiredIds); ++k) {
      if ((isset & (1u << kRequiredIds[k])) == 0) return Missing(kRequired[k]);
    }
    s.trace_id = TraceIdFromHalves(trace_high, trace_low);
    s.span_id = SpanIdFromInt(span_id);
    s.parent_span_id = SpanIdFromInt(parent);
    s.flags = static_cast<uint32_t>(flags);
    // µs to ns in unsigned arithmetic: wraps like the Collector's uint64 conversion, never UB.
    s.start_unix_nano = static_cast<uint64_t>(start) * 1000u;
    s.duration_nano = static_cast<uint64_t>(duration) * 1000u;
    s.blank = trace_low == 0 && trace_high == 0 && span_id == 0 && parent == 0 && flags == 0 &&
              start == 0 && duration == 0 && s.operation_name.empty() && s.refs.count == 0 &&
              s.tags.count == 0 && s.logs.count == 0;
    s.process = kBatchProcess;
    b_->spans.push_back(s);
    return absl::OkStatus();
  }

  Status DecodeTags(model::Range* out) {
    uint32_t n;
    RETURN_IF_ERROR(ListOfStructs("tags", &n));
    out->begin = static_cast<uint32_t>(b_->tags.size());
    out->count = 0;
    bool nested = item_ >= 0;  // log fields: keep the log's index in the path
    int64_t saved_item = item_;
    for (uint32_t i = 0; i < n; ++i) {
      if (nested) {
        field_ = static_cast<int64_t>(i);
      } else {
        item_ = static_cast<int64_t>(i);
      }
      RETURN_IF_ERROR(DecodeTag());
    }
    if (nested) {
      field_ = -1;
    } else {
      item_ = saved_item;
    }
    out->count = static_cast<uint32_t>(b_->tags.size()) - out->begin;
    return absl::OkStatus();
  }

  Status DecodeTag() {
    if (!r_.StructBegin()) return Malformed("tag");
    JTag tag;
    bool has_key = false, has_type = false;
    for (;;) {
      uint8_t t;
      int16_t id = 0;
      if (!r_.ReadFieldBegin(&t, &id)) return Malformed("tag");
      if (t == kStop) break;
      bool ok = true;
      if (id == 1 && t == kString) {
        RETURN_IF_ERROR(ReadString("key", &tag.key));
        has_key = true;
      } else if (id == 2 && t == kI32) {
        ok = r_.ReadI32(&tag.type);
        has_type = true;
      } else if (id == 3 && t == kString) {
        RETURN_IF_ERROR(ReadString("vStr", &tag.v_str));
      } else if (id == 4 && t == kDouble) {
        ok = r_.ReadDouble(&tag.v_double);
      } else if (id == 5 && t == kBool) {
        ok = r_.ReadBool(&tag.v_bool);
      } else if (id == 6 && t == kI64) {
        ok = r_.ReadI64(&tag.v_long);
      } else if (id == 7 && t == kString) {
        ok = r_.ReadBinary(&tag.v_binary);
      } else {
        ok = SkipValue(r_, t);
      }
      if (!ok) return Malformed("tag");
    }
    r_.StructEnd();
    if (!has_key) return Missing("key");
    if (!has_type) return Missing("vType");
    b_->tags.push_back(tag);
    return absl::OkStatus();
  }

  Status DecodeLogs(model::Range* out) {
    uint32_t n;
    RETURN_IF_ERROR(ListOfStructs("logs", &n));
    // Fields of each log are decoded into the tag pool while the log list is read, so the logs
    // themselves are collected first and appended as one contiguous run.
    size_t first = scratch_logs_.size();
    for (uint32_t i = 0; i < n; ++i) {
      item_ = static_cast<int64_t>(i);
      if (!r_.StructBegin()) return Malformed("log");
      JLog log;
      bool has_time = false, has_fields = false;
      for (;;) {
        uint8_t t;
        int16_t id = 0;
        if (!r_.ReadFieldBegin(&t, &id)) return Malformed("log");
        if (t == kStop) break;
        if (id == 1 && t == kI64) {
          int64_t us;
          if (!r_.ReadI64(&us)) return Malformed("log");
          log.time_unix_nano = static_cast<uint64_t>(us) * 1000u;
          has_time = true;
        } else if (id == 2 && t == kList) {
          RETURN_IF_ERROR(DecodeTags(&log.fields));
          has_fields = true;
        } else if (!SkipValue(r_, t)) {
          return Malformed("log");
        }
      }
      r_.StructEnd();
      if (!has_time) return Missing("timestamp");
      if (!has_fields) return Missing("fields");
      scratch_logs_.push_back(log);
    }
    item_ = -1;
    out->begin = static_cast<uint32_t>(b_->logs.size());
    out->count = static_cast<uint32_t>(scratch_logs_.size() - first);
    b_->logs.insert(b_->logs.end(), scratch_logs_.begin() + static_cast<ptrdiff_t>(first),
                    scratch_logs_.end());
    scratch_logs_.resize(first);
    return absl::OkStatus();
  }

  Status DecodeRefs(model::Range* out) {
    uint32_t n;
    RETURN_IF_ERROR(ListOfStructs("references", &n));
    out->begin = static_cast<uint32_t>(b_->refs.size());
    for (uint32_t i = 0; i < n; ++i) {
      item_ = static_cast<int64_t>(i);
      if (!r_.StructBegin()) return Malformed("reference");
      int32_t type = 0;
      int64_t low = 0, high = 0, span = 0;
      uint32_t isset = 0;
      for (;;) {
        uint8_t t;
        int16_t id = 0;
        if (!r_.ReadFieldBegin(&t, &id)) return Malformed("reference");
        if (t == kStop) break;
        bool ok = true;
        if (id == 1 && t == kI32) {
          ok = r_.ReadI32(&type);
        } else if (id >= 2 && id <= 4 && t == kI64) {
          ok = r_.ReadI64(id == 2 ? &low : id == 3 ? &high : &span);
        } else {
          ok = SkipValue(r_, t);
          id = 0;
        }
        if (!ok) return Malformed("reference");
        if (id > 0) isset |= 1u << id;
      }
      r_.StructEnd();
      if (!(isset & 2u)) return Missing("refType");
      if (!(isset & 4u)) return Missing("traceIdLow");
      if (!(isset & 8u)) return Missing("traceIdHigh");
      if (!(isset & 16u)) return Missing("spanId");
      b_->refs.push_back(JRef{type, TraceIdFromHalves(high, low), SpanIdFromInt(span)});
    }
    item_ = -1;
    out->count = static_cast<uint32_t>(b_->refs.size()) - out->begin;
    return absl::OkStatus();
  }

  R& r_;
  JaegerBatch* b_;
  std::string_view protocol_;
  std::vector<JLog> scratch_logs_;
  // Where the decoder is, for error messages only.
  int64_t span_ = -1;
  const char* section_ = nullptr;
  int64_t item_ = -1;
  int64_t field_ = -1;
};

template <typename R>
Result<DecodedSpans> Decode(std::string&& body, std::string_view tenant, bool message,
                            std::string_view protocol) {
  auto batch = std::make_unique<model::SpanBatch>();
  batch->tenant = std::string(tenant.empty() ? model::kDefaultTenant : tenant);
  std::string_view data = batch->arena.Adopt(std::move(body));
  JaegerBatch jb;
  jb.format = WireFormat::kThrift;
  R reader(data);
  ThriftDecoder<R> decoder(reader, &jb, protocol);
  RETURN_IF_ERROR(message ? decoder.DecodeEmitBatch() : decoder.DecodeBatch());
  TranslateResult tr = TranslateToSpanBatch(jb, batch.get());
  DecodedSpans out;
  out.batch = std::move(batch);
  out.rejected_spans = tr.rejected_spans;
  out.rejection_message = std::move(tr.rejection_message);
  return out;
}

}  // namespace

Result<DecodedSpans> DecodeThriftBatch(std::string&& body, ThriftProtocol protocol,
                                       std::string_view tenant) {
  if (protocol == ThriftProtocol::kCompact) {
    return Decode<CompactReader>(std::move(body), tenant, false, "compact");
  }
  return Decode<BinaryReader>(std::move(body), tenant, false, "binary");
}

Result<DecodedSpans> DecodeAgentEmitBatch(std::string&& packet, ThriftProtocol protocol,
                                          std::string_view tenant) {
  if (protocol == ThriftProtocol::kCompact) {
    return Decode<CompactReader>(std::move(packet), tenant, true, "compact");
  }
  return Decode<BinaryReader>(std::move(packet), tenant, true, "binary");
}

}  // namespace th::ingest::jaeger

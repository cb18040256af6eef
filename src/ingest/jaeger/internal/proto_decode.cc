// Hand-written protobuf decoding of jaeger.api_v2.PostSpansRequest (proto/jaeger/api_v2/
// collector.proto, model.proto) into a JaegerBatch: the gRPC receiver takes raw bytes, so this
// is the only parse. Unknown fields are skipped, as protobuf requires.
#include <string>

#include "common/protobuf_wire.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "ingest/jaeger/internal/jaeger_batch.h"
#include "ingest/jaeger/jaeger_decode.h"

namespace th::ingest::jaeger {
namespace {

using wire::Reader;

// api_v2 ValueType (STRING=0, BOOL=1, INT64=2, FLOAT64=3, BINARY=4) → Thrift TagType numbering.
int32_t TagTypeFromProto(uint64_t v) {
  switch (v) {
    case 0: return kTagString;
    case 1: return kTagBool;
    case 2: return kTagLong;
    case 3: return kTagDouble;
    case 4: return kTagBinary;
    default: return static_cast<int32_t>(static_cast<uint32_t>(v) | 0x100);  // unknown, kept
  }
}

class ProtoDecoder {
 public:
  explicit ProtoDecoder(JaegerBatch* out) : b_(out) {}

  Status DecodeRequest(std::string_view data) {
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("request");
      if (field == 1 && wt == wire::kLen) {
        std::string_view sub;
        if (!r.ReadLen(&sub)) return Malformed("batch");
        RETURN_IF_ERROR(DecodeBatch(sub));
      } else if (!r.Skip(wt)) {
        return Malformed("request");
      }
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
    return absl::InvalidArgumentError(th::StrCat("invalid jaeger api_v2 protobuf: ", Path(),
                                                 ": malformed ", what,
                                                 " (truncated, bad length or bad wire type)"));
  }
  Status Invalid(std::string_view field, std::string_view why) const {
    return absl::InvalidArgumentError(
        th::StrCat("invalid jaeger api_v2 protobuf: ", Path(), ".", field, ": ", why));
  }
  Status ReadString(Reader& r, std::string_view field, std::string_view* out) {
    if (!r.ReadLen(out)) return Malformed(field);
    if (!IsValidUtf8(*out)) return Invalid(field, "invalid UTF-8");
    return absl::OkStatus();
  }

  Status DecodeBatch(std::string_view data) {
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("batch");
      std::string_view sub;
      if (field == 1 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("spans");
        span_ = span_count_++;
        RETURN_IF_ERROR(DecodeSpan(sub));
        span_ = -1;
      } else if (field == 2 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("process");
        section_ = "process";
        b_->batch_process = JProcess{};
        RETURN_IF_ERROR(DecodeProcess(sub, &b_->batch_process));
        section_ = nullptr;
        b_->has_batch_process = true;
      } else if (!r.Skip(wt)) {
        return Malformed("batch");
      }
    }
    return absl::OkStatus();
  }

  Status DecodeProcess(std::string_view data, JProcess* p) {
    p->identity = data;
    Reader r(data);
    model::Range tags{static_cast<uint32_t>(b_->tags.size()), 0};
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("process");
      std::string_view sub;
      if (field == 1 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, "service_name", &p->service_name));
      } else if (field == 2 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("process.tags");
        const char* saved = section_;
        section_ = "process.tags";
        item_ = tags.count;
        RETURN_IF_ERROR(DecodeKeyValue(sub));
        item_ = -1;
        section_ = saved;
        ++tags.count;
      } else if (!r.Skip(wt)) {
        return Malformed("process");
      }
    }
    p->tags = tags;
    return absl::OkStatus();
  }

  // Repeated fields of one message may interleave on the wire, but each pool slice must be
  // contiguous. Tags, logs and references of a span are therefore decoded in passes, one field
  // number per pass (the common case of one pass per list costs a re-scan of the span's bytes).
  Status DecodeSpan(std::string_view data) {
    JSpan s;
    bool any = false;
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("span");
      std::string_view sub;
      any = true;
      if (wt == wire::kLen && (field == 1 || field == 2 || field == 3 || field == 6 ||
                               field == 7 || field == 10)) {
        if (!r.ReadLen(&sub)) return Malformed("span");
        switch (field) {
          case 1:
            if (sub.size() != model::TraceId::kSize) {
              return Invalid("trace_id", th::StrCat("must be 16 bytes, got ", sub.size()));
            }
            s.trace_id = model::TraceId::FromBytes(sub);
            break;
          case 2:
            if (sub.size() != model::SpanId::kSize) {
              return Invalid("span_id", th::StrCat("must be 8 bytes, got ", sub.size()));
            }
            s.span_id = model::SpanId::FromBytes(sub);
            break;
          case 3:
            if (!IsValidUtf8(sub)) return Invalid("operation_name", "invalid UTF-8");
            s.operation_name = sub;
            break;
          case 6:
            RETURN_IF_ERROR(DecodeTime(sub, "start_time", &s.start_unix_nano));
            break;
          case 7:
            RETURN_IF_ERROR(DecodeTime(sub, "duration", &s.duration_nano));
            break;
          case 10: {
            section_ = "process";
            JProcess p;
            RETURN_IF_ERROR(DecodeProcess(sub, &p));
            section_ = nullptr;
            s.process = static_cast<uint32_t>(b_->processes.size());
            b_->processes.push_back(p);
            break;
          }
        }
      } else if (field == 5 && wt == wire::kVarint) {
        uint64_t v;
        if (!r.ReadVarint(&v)) return Malformed("flags");
        s.flags = static_cast<uint32_t>(v);
      } else if (!r.Skip(wt)) {
        return Malformed("span");
      }
    }
    RETURN_IF_ERROR(DecodeRepeated(data, 4, "references", &s.refs));
    RETURN_IF_ERROR(DecodeRepeated(data, 8, "tags", &s.tags));
    RETURN_IF_ERROR(DecodeRepeated(data, 9, "logs", &s.logs));
    s.blank = !any;
    b_->spans.push_back(s);
    return absl::OkStatus();
  }

  Status DecodeRepeated(std::string_view data, uint32_t want, const char* name,
                        model::Range* out) {
    Reader r(data);
    section_ = name;
    out->begin = static_cast<uint32_t>(want == 4   ? b_->refs.size()
                                       : want == 8 ? b_->tags.size()
                                                   : b_->logs.size());
    out->count = 0;
    // Logs own slices of the tag pool; they are built after the span's own tags pass, so the
    // per-log field slices land after the span's tags and stay contiguous per log.
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("span");
      if (field != want || wt != wire::kLen) {
        if (!r.Skip(wt)) return Malformed("span");
        continue;
      }
      std::string_view sub;
      if (!r.ReadLen(&sub)) return Malformed(name);
      item_ = out->count;
      if (want == 4) {
        RETURN_IF_ERROR(DecodeRef(sub));
      } else if (want == 8) {
        RETURN_IF_ERROR(DecodeKeyValue(sub));
      } else {
        RETURN_IF_ERROR(DecodeLog(sub));
      }
      ++out->count;
    }
    item_ = -1;
    section_ = nullptr;
    return absl::OkStatus();
  }

  Status DecodeTime(std::string_view data, std::string_view field, uint64_t* out_nanos) {
    Reader r(data);
    uint64_t seconds = 0, nanos = 0;
    while (!r.done()) {
      uint32_t f, wt;
      if (!r.ReadTag(&f, &wt)) return Malformed(field);
      if (f == 1 && wt == wire::kVarint) {
        if (!r.ReadVarint(&seconds)) return Malformed(field);
      } else if (f == 2 && wt == wire::kVarint) {
        if (!r.ReadVarint(&nanos)) return Malformed(field);
      } else if (!r.Skip(wt)) {
        return Malformed(field);
      }
    }
    // int64 seconds and int32 nanos, combined in unsigned arithmetic (wraps, never UB).
    *out_nanos = seconds * 1000000000u + static_cast<uint64_t>(static_cast<int64_t>(
                                             static_cast<int32_t>(static_cast<uint32_t>(nanos))));
    return absl::OkStatus();
  }

  Status DecodeKeyValue(std::string_view data) {
    JTag tag;
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("key_value");
      uint64_t v;
      if (field == 1 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, "key", &tag.key));
      } else if (field == 2 && wt == wire::kVarint) {
        if (!r.ReadVarint(&v)) return Malformed("v_type");
        tag.type = TagTypeFromProto(v);
      } else if (field == 3 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, "v_str", &tag.v_str));
      } else if (field == 4 && wt == wire::kVarint) {
        if (!r.ReadVarint(&v)) return Malformed("v_bool");
        tag.v_bool = v != 0;
      } else if (field == 5 && wt == wire::kVarint) {
        if (!r.ReadVarint(&v)) return Malformed("v_int64");
        tag.v_long = static_cast<int64_t>(v);
      } else if (field == 6 && wt == wire::kFixed64) {
        if (!r.ReadFixed64(&v)) return Malformed("v_float64");
        std::memcpy(&tag.v_double, &v, 8);
      } else if (field == 7 && wt == wire::kLen) {
        if (!r.ReadLen(&tag.v_binary)) return Malformed("v_binary");
      } else if (!r.Skip(wt)) {
        return Malformed("key_value");
      }
    }
    b_->tags.push_back(tag);
    return absl::OkStatus();
  }

  Status DecodeLog(std::string_view data) {
    JLog log;
    Reader r(data);
    // Timestamp first pass, then the fields as one contiguous run of the tag pool.
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("log");
      std::string_view sub;
      if (field == 1 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("log.timestamp");
        RETURN_IF_ERROR(DecodeTime(sub, "timestamp", &log.time_unix_nano));
      } else if (!r.Skip(wt)) {
        return Malformed("log");
      }
    }
    log.fields.begin = static_cast<uint32_t>(b_->tags.size());
    Reader f(data);
    while (!f.done()) {
      uint32_t field, wt;
      if (!f.ReadTag(&field, &wt)) return Malformed("log");
      if (field == 2 && wt == wire::kLen) {
        std::string_view sub;
        if (!f.ReadLen(&sub)) return Malformed("log.fields");
        field_ = log.fields.count;
        RETURN_IF_ERROR(DecodeKeyValue(sub));
        field_ = -1;
        ++log.fields.count;
      } else if (!f.Skip(wt)) {
        return Malformed("log");
      }
    }
    b_->logs.push_back(log);
    return absl::OkStatus();
  }

  Status DecodeRef(std::string_view data) {
    JRef ref;
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("reference");
      std::string_view sub;
      if (field == 1 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("trace_id");
        if (sub.size() != model::TraceId::kSize) {
          return Invalid("trace_id", th::StrCat("must be 16 bytes, got ", sub.size()));
        }
        ref.trace_id = model::TraceId::FromBytes(sub);
      } else if (field == 2 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("span_id");
        if (sub.size() != model::SpanId::kSize) {
          return Invalid("span_id", th::StrCat("must be 8 bytes, got ", sub.size()));
        }
        ref.span_id = model::SpanId::FromBytes(sub);
      } else if (field == 3 && wt == wire::kVarint) {
        uint64_t v;
        if (!r.ReadVarint(&v)) return Malformed("ref_type");
        ref.type = static_cast<int32_t>(static_cast<uint32_t>(v));
      } else if (!r.Skip(wt)) {
        return Malformed("reference");
      }
    }
    b_->refs.push_back(ref);
    return absl::OkStatus();
  }

  JaegerBatch* b_;
  int64_t span_count_ = 0;
  int64_t span_ = -1;
  const char* section_ = nullptr;
  int64_t item_ = -1;
  int64_t field_ = -1;
};

}  // namespace

Result<DecodedSpans> DecodeApiV2PostSpans(std::string&& body, std::string_view tenant) {
  auto batch = std::make_unique<model::SpanBatch>();
  batch->tenant = std::string(tenant.empty() ? model::kDefaultTenant : tenant);
  std::string_view data = batch->arena.Adopt(std::move(body));
  JaegerBatch jb;
  jb.format = WireFormat::kProto;
  ProtoDecoder decoder(&jb);
  RETURN_IF_ERROR(decoder.DecodeRequest(data));
  TranslateResult tr = TranslateToSpanBatch(jb, batch.get());
  DecodedSpans out;
  out.batch = std::move(batch);
  out.rejected_spans = tr.rejected_spans;
  out.rejection_message = std::move(tr.rejection_message);
  return out;
}

}  // namespace th::ingest::jaeger

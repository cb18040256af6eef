// zipkin.proto3.ListOfSpans → SpanList (then Translate), with a hand-written wire reader over the
// adopted body (no libprotobuf messages, no copies). Field numbers follow
// proto/zipkin/zipkin.proto. As in zipkin-go's decoder, which the Collector runs: trace_id must
// be 16 bytes (8 accepted too, as zipkin.proto allows), id 8 bytes, parent_id empty or 8 bytes,
// strings valid UTF-8. Unknown fields are skipped; a known field with the wrong wire type, a
// truncated field or a bad length fails the request.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/protobuf_wire.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "ingest/zipkin/internal/ip.h"
#include "ingest/zipkin/internal/translate.h"
#include "ingest/zipkin/internal/zipkin_span.h"
#include "ingest/zipkin/zipkin_decode.h"

namespace th::ingest::zipkin {
namespace {

using wire::Reader;

class ProtoDecoder {
 public:
  ProtoDecoder(SpanList* list, Arena* arena) : list_(list), arena_(arena) {}

  Status DecodeList(std::string_view data) {
    Reader r(data);
    uint32_t index = 0;
    while (!r.done()) {
      uint32_t field;
      uint32_t wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("list of spans");
      if (field != 1) {
        if (!r.Skip(wt)) return Malformed("list of spans");
        continue;
      }
      if (wt != wire::kLen) return Malformed("list of spans: spans");
      if (index >= kMaxSpansPerRequest) {
        return absl::InvalidArgumentError(
            th::StrCat("request: more than ", kMaxSpansPerRequest, " spans"));
      }
      std::string_view sub;
      if (!r.ReadLen(&sub)) return Malformed("span");
      in_span_ = true;
      index_ = index++;
      RETURN_IF_ERROR(DecodeSpan(sub));
      in_span_ = false;
    }
    return absl::OkStatus();
  }

 private:
  Status Malformed(std::string_view what) const {
    return absl::InvalidArgumentError(
        th::StrCat(in_span_ ? th::StrCat("span ", index_, ": ") : std::string("request: "),
                   "malformed protobuf in ", what, " (truncated, bad length or bad wire type)"));
  }
  Status Error(std::string_view field, std::string_view what) const {
    return absl::InvalidArgumentError(th::StrCat("span ", index_, ": ", field, ": ", what));
  }

  Status ReadString(Reader& r, std::string_view field, std::string_view* out) const {
    if (!r.ReadLen(out)) return Malformed(field);
    if (!IsValidUtf8(*out)) return Error(field, "invalid UTF-8");
    return absl::OkStatus();
  }

  Status DecodeSpan(std::string_view data) {
    Span span;
    span.index = index_;
    std::string_view trace_id;
    std::string_view id;
    std::string_view parent_id;
    Reader r(data);
    while (!r.done()) {
      uint32_t field;
      uint32_t wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("span");
      uint64_t v = 0;
      std::string_view sub;
      switch (field) {
        case 1:
          if (wt != wire::kLen || !r.ReadLen(&trace_id)) return Malformed("trace_id");
          break;
        case 2:
          if (wt != wire::kLen || !r.ReadLen(&parent_id)) return Malformed("parent_id");
          break;
        case 3:
          if (wt != wire::kLen || !r.ReadLen(&id)) return Malformed("id");
          break;
        case 4:
          if (wt != wire::kVarint || !r.ReadVarint(&v)) return Malformed("kind");
          // Numbers outside the enum are "no kind", as zipkin-go's Kind(s.Kind.String()) gives.
          span.kind = v == 1   ? Kind::kClient
                      : v == 2 ? Kind::kServer
                      : v == 3 ? Kind::kProducer
                      : v == 4 ? Kind::kConsumer
                               : Kind::kUnspecified;
          break;
        case 5:
          if (wt != wire::kLen) return Malformed("name");
          RETURN_IF_ERROR(ReadString(r, "name", &span.name));
          break;
        case 6:
          if (wt != wire::kFixed64 || !r.ReadFixed64(&span.timestamp_us)) {
            return Malformed("timestamp");
          }
          break;
        case 7:
          if (wt != wire::kVarint || !r.ReadVarint(&span.duration_us)) return Malformed("duration");
          break;
        case 8:
          if (wt != wire::kLen || !r.ReadLen(&sub)) return Malformed("local_endpoint");
          // Repeated occurrences of a message field merge, as protobuf parsers do.
          RETURN_IF_ERROR(DecodeEndpoint(sub, kLocal, &span.local_endpoint));
          break;
        case 9:
          if (wt != wire::kLen || !r.ReadLen(&sub)) return Malformed("remote_endpoint");
          RETURN_IF_ERROR(DecodeEndpoint(sub, kRemote, &span.remote_endpoint));
          break;
        case 10:
          if (wt != wire::kLen || !r.ReadLen(&sub)) return Malformed("annotations");
          RETURN_IF_ERROR(DecodeAnnotation(sub, &span.annotations));
          break;
        case 11:
          if (wt != wire::kLen || !r.ReadLen(&sub)) return Malformed("tags");
          RETURN_IF_ERROR(DecodeTag(sub, &span.tags));
          break;
        case 12:
          if (wt != wire::kVarint || !r.ReadVarint(&v)) return Malformed("debug");
          span.debug = v != 0;
          break;
        case 13:
          if (wt != wire::kVarint || !r.ReadVarint(&v)) return Malformed("shared");
          span.shared = v != 0;
          break;
        default:
          if (!r.Skip(wt)) return Malformed("span");
      }
    }
    if (trace_id.size() != 16 && trace_id.size() != 8) {
      return Error("trace_id", th::StrCat("must be 16 or 8 bytes, got ", trace_id.size()));
    }
    span.trace_id = {};
    for (size_t i = 0; i < trace_id.size(); ++i) {
      span.trace_id.bytes[16 - trace_id.size() + i] = static_cast<uint8_t>(trace_id[i]);
    }
    if (span.trace_id.IsZero()) return Error("trace_id", "must not be all zero");
    if (id.size() != 8) return Error("id", th::StrCat("must be 8 bytes, got ", id.size()));
    span.id = model::SpanId::FromBytes(id);
    if (span.id.IsZero()) return Error("id", "must not be all zero");
    if (!parent_id.empty()) {
      if (parent_id.size() != 8) {
        return Error("parent_id", th::StrCat("must be empty or 8 bytes, got ", parent_id.size()));
      }
      span.parent_id = model::SpanId::FromBytes(parent_id);
    }
    list_->spans.push_back(span);
    return absl::OkStatus();
  }

  // Field names for error messages, fixed so the hot path builds no strings.
  struct EndpointNames {
    std::string_view self, service_name, ipv4, ipv6, port;
  };
  static constexpr EndpointNames kLocal = {"local_endpoint", "local_endpoint.service_name",
                                           "local_endpoint.ipv4", "local_endpoint.ipv6",
                                           "local_endpoint.port"};
  static constexpr EndpointNames kRemote = {"remote_endpoint", "remote_endpoint.service_name",
                                            "remote_endpoint.ipv4", "remote_endpoint.ipv6",
                                            "remote_endpoint.port"};

  Status DecodeEndpoint(std::string_view data, const EndpointNames& names, Endpoint* out) {
    Reader r(data);
    while (!r.done()) {
      uint32_t field;
      uint32_t wt;
      if (!r.ReadTag(&field, &wt)) return Malformed(names.self);
      std::string_view raw;
      uint64_t v = 0;
      switch (field) {
        case 1:
          if (wt != wire::kLen) return Malformed(names.service_name);
          RETURN_IF_ERROR(ReadString(r, names.service_name, &out->service_name));
          break;
        case 2:
        case 3: {
          const std::string_view which = field == 2 ? names.ipv4 : names.ipv6;
          if (wt != wire::kLen || !r.ReadLen(&raw)) return Malformed(which);
          std::string_view* target = field == 2 ? &out->ipv4 : &out->ipv6;
          if (raw.empty()) {
            *target = {};
            break;
          }
          scratch_.clear();
          if (!FormatIp(raw, &scratch_)) {
            return Error(which, th::StrCat("must be 4 or 16 bytes, got ", raw.size()));
          }
          *target = arena_->Copy(scratch_);
          break;
        }
        case 4:
          if (wt != wire::kVarint || !r.ReadVarint(&v)) return Malformed(names.port);
          out->port = static_cast<int32_t>(static_cast<uint32_t>(v));  // int32 on the wire
          break;
        default:
          if (!r.Skip(wt)) return Malformed(names.self);
      }
    }
    return absl::OkStatus();
  }

  Status DecodeAnnotation(std::string_view data, model::Range* range) {
    if (list_->annotations.size() >= kMaxPoolEntries) {
      return Error("annotations", "too many in one request");
    }
    Annotation annotation;
    Reader r(data);
    while (!r.done()) {
      uint32_t field;
      uint32_t wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("annotations");
      if (field == 1) {
        if (wt != wire::kFixed64 || !r.ReadFixed64(&annotation.timestamp_us)) {
          return Malformed("annotations.timestamp");
        }
      } else if (field == 2) {
        if (wt != wire::kLen) return Malformed("annotations.value");
        RETURN_IF_ERROR(ReadString(r, "annotations.value", &annotation.value));
      } else if (!r.Skip(wt)) {
        return Malformed("annotations");
      }
    }
    AppendTo(&list_->annotations, annotation, range);
    return absl::OkStatus();
  }

  Status DecodeTag(std::string_view data, model::Range* range) {
    if (list_->tags.size() >= kMaxPoolEntries) return Error("tags", "too many in one request");
    Tag tag;
    Reader r(data);
    while (!r.done()) {
      uint32_t field;
      uint32_t wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("tags");
      if (field == 1) {
        if (wt != wire::kLen) return Malformed("tags.key");
        RETURN_IF_ERROR(ReadString(r, "tags.key", &tag.key));
      } else if (field == 2) {
        if (wt != wire::kLen) return Malformed("tags.value");
        RETURN_IF_ERROR(ReadString(r, "tags.value", &tag.value));
      } else if (!r.Skip(wt)) {
        return Malformed("tags");
      }
    }
    AppendTo(&list_->tags, tag, range);
    return absl::OkStatus();
  }

  // Appends to a pool slice that must stay contiguous. Entries of one span are contiguous unless
  // another span's entries came in between, which cannot happen: spans are decoded one at a time.
  template <typename T>
  static void AppendTo(std::vector<T>* pool, const T& value, model::Range* range) {
    if (range->count == 0) range->begin = static_cast<uint32_t>(pool->size());
    pool->push_back(value);
    ++range->count;
  }

  SpanList* list_;
  Arena* arena_;
  uint32_t index_ = 0;
  bool in_span_ = false;
  std::string scratch_;
};

}  // namespace

Result<std::unique_ptr<model::SpanBatch>> DecodeZipkinProto(std::string&& body,
                                                            std::string_view tenant,
                                                            const DecodeOptions& options) {
  auto batch = std::make_unique<model::SpanBatch>();
  batch->tenant = std::string(tenant);
  const std::string_view data = batch->arena.Adopt(std::move(body));
  SpanList list;
  ProtoDecoder decoder(&list, &batch->arena);
  RETURN_IF_ERROR(decoder.DecodeList(data));
  RETURN_IF_ERROR(Translate(list, options, batch.get()));
  return batch;
}

}  // namespace th::ingest::zipkin

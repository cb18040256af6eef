// Zipkin v2 JSON → SpanList (then Translate). Reads the body as zipkin-go's SpanModel JSON
// decoding does, which is what the Collector runs: keys match case-insensitively, unknown keys
// and nulls are ignored, the last of repeated keys wins, ids are 1–16 (trace ids 1–32) hex
// digits, times are non-negative integers of microseconds, tag values must be strings.
// Every string is copied into the batch's arena, because simdjson's views die with its parser.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "common/strings.h"
#include "ingest/zipkin/internal/ip.h"
#include "ingest/zipkin/internal/text.h"
#include "ingest/zipkin/internal/translate.h"
#include "ingest/zipkin/internal/zipkin_span.h"
#include "ingest/zipkin/zipkin_decode.h"

namespace th::ingest::zipkin {
namespace {

namespace dom = simdjson::dom;

// A thread's parser keeps buffers sized for the largest body it saw; past this it is dropped
// after use rather than pinning that memory for the thread's lifetime.
constexpr size_t kParserCapacityToKeep = size_t{16} << 20;
constexpr std::string_view kExpectedMicros = "expected a non-negative integer (microseconds)";

class ParserTrim {
 public:
  explicit ParserTrim(dom::parser* parser) : parser_(parser) {}
  ~ParserTrim() {
    if (parser_->capacity() > kParserCapacityToKeep) *parser_ = dom::parser();
  }
  ParserTrim(const ParserTrim&) = delete;
  ParserTrim& operator=(const ParserTrim&) = delete;

 private:
  dom::parser* parser_;
};

class JsonDecoder {
 public:
  JsonDecoder(SpanList* list, Arena* arena) : list_(list), arena_(arena) {}

  Status DecodeRoot(const dom::element& root) {
    if (root.is_null()) return absl::OkStatus();  // Go decodes null as an empty list
    dom::array array;
    if (root.get_array().get(array) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("request: expected a JSON array of spans");
    }
    uint32_t index = 0;
    for (dom::element item : array) {
      if (index >= kMaxSpansPerRequest) {
        return absl::InvalidArgumentError(
            th::StrCat("request: more than ", kMaxSpansPerRequest, " spans"));
      }
      index_ = index++;
      if (item.is_null()) continue;  // a null span is skipped, as the Collector does
      RETURN_IF_ERROR(DecodeSpan(item));
    }
    return absl::OkStatus();
  }

 private:
  Status Error(std::string_view field, std::string_view what) const {
    return absl::InvalidArgumentError(th::StrCat("span ", index_, ": ", field, ": ", what));
  }

  Status ReadString(const dom::element& e, std::string_view field, std::string_view* out) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return Error(field, "expected a string");
    *out = arena_->Copy(s);
    return absl::OkStatus();
  }

  Status ReadBool(const dom::element& e, std::string_view field, bool* out) const {
    if (e.get_bool().get(*out) != simdjson::SUCCESS) return Error(field, "expected true or false");
    return absl::OkStatus();
  }

  // A non-negative integer (Go decodes these fields into uint64). Integral numbers written with
  // a fraction or exponent are accepted.
  Status ReadMicros(const dom::element& e, std::string_view field, uint64_t* out) const {
    switch (e.type()) {
      case dom::element_type::UINT64:
        *out = e.get_uint64().value_unsafe();
        return absl::OkStatus();
      case dom::element_type::INT64: {
        int64_t v = e.get_int64().value_unsafe();
        if (v < 0) return Error(field, kExpectedMicros);
        *out = static_cast<uint64_t>(v);
        return absl::OkStatus();
      }
      case dom::element_type::DOUBLE: {
        double d = e.get_double().value_unsafe();
        if (!(d >= 0) || std::trunc(d) != d || d >= 18446744073709551616.0) {
          return Error(field, kExpectedMicros);
        }
        *out = static_cast<uint64_t>(d);
        return absl::OkStatus();
      }
      default:
        return Error(field, kExpectedMicros);
    }
  }

  template <size_t N>
  Status ReadId(const dom::element& e, std::string_view field, model::Id<N>* out) const {
    std::string_view hex;
    if (e.get_string().get(hex) != simdjson::SUCCESS) return Error(field, "expected a hex string");
    switch (ParseHexId(hex, out)) {
      case HexIdError::kNone:
        return absl::OkStatus();
      case HexIdError::kEmpty:
        *out = {};
        return absl::OkStatus();
      case HexIdError::kNotHex:
        return Error(field, th::StrCat("not hex: ", Quote(hex)));
      case HexIdError::kTooLong:
        return Error(field, th::StrCat("more than ", 2 * N, " hex digits"));
    }
    return absl::OkStatus();
  }

  Status DecodeSpan(const dom::element& e) {
    dom::object object;
    if (e.get_object().get(object) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(th::StrCat("span ", index_, ": expected an object"));
    }
    Span span;
    span.index = index_;
    bool has_trace_id = false;
    for (dom::key_value_pair field : object) {
      const std::string_view key = field.key;
      const dom::element& v = field.value;
      if (v.is_null()) continue;
      if (EqualsIgnoreCase(key, "traceId")) {
        RETURN_IF_ERROR(ReadId(v, "traceId", &span.trace_id));
        has_trace_id = !span.trace_id.IsZero();
      } else if (EqualsIgnoreCase(key, "id")) {
        RETURN_IF_ERROR(ReadId(v, "id", &span.id));
      } else if (EqualsIgnoreCase(key, "parentId")) {
        RETURN_IF_ERROR(ReadId(v, "parentId", &span.parent_id));
      } else if (EqualsIgnoreCase(key, "name")) {
        RETURN_IF_ERROR(ReadString(v, "name", &span.name));
      } else if (EqualsIgnoreCase(key, "kind")) {
        std::string_view kind;
        if (v.get_string().get(kind) != simdjson::SUCCESS) return Error("kind", "expected a string");
        // zipkin-go keeps the kind as a string; anything but these four is "no kind".
        span.kind = kind == "CLIENT"     ? Kind::kClient
                    : kind == "SERVER"   ? Kind::kServer
                    : kind == "PRODUCER" ? Kind::kProducer
                    : kind == "CONSUMER" ? Kind::kConsumer
                                         : Kind::kUnspecified;
      } else if (EqualsIgnoreCase(key, "timestamp")) {
        RETURN_IF_ERROR(ReadMicros(v, "timestamp", &span.timestamp_us));
      } else if (EqualsIgnoreCase(key, "duration")) {
        RETURN_IF_ERROR(ReadMicros(v, "duration", &span.duration_us));
      } else if (EqualsIgnoreCase(key, "debug")) {
        RETURN_IF_ERROR(ReadBool(v, "debug", &span.debug));
      } else if (EqualsIgnoreCase(key, "shared")) {
        RETURN_IF_ERROR(ReadBool(v, "shared", &span.shared));
      } else if (EqualsIgnoreCase(key, "localEndpoint")) {
        span.local_endpoint = {};
        RETURN_IF_ERROR(DecodeEndpoint(v, kLocal, &span.local_endpoint));
      } else if (EqualsIgnoreCase(key, "remoteEndpoint")) {
        span.remote_endpoint = {};
        RETURN_IF_ERROR(DecodeEndpoint(v, kRemote, &span.remote_endpoint));
      } else if (EqualsIgnoreCase(key, "annotations")) {
        RETURN_IF_ERROR(DecodeAnnotations(v, &span.annotations));
      } else if (EqualsIgnoreCase(key, "tags")) {
        RETURN_IF_ERROR(DecodeTags(v, &span.tags));
      }
    }
    if (!has_trace_id) return Error("traceId", "required (1 to 32 hex digits, not all zero)");
    if (span.id.IsZero()) return Error("id", "required (1 to 16 hex digits, not all zero)");
    list_->spans.push_back(span);
    return absl::OkStatus();
  }

  // Field names for error messages, fixed so the hot path builds no strings.
  struct EndpointNames {
    std::string_view self, service_name, ipv4, ipv6, port;
  };
  static constexpr EndpointNames kLocal = {"localEndpoint", "localEndpoint.serviceName",
                                           "localEndpoint.ipv4", "localEndpoint.ipv6",
                                           "localEndpoint.port"};
  static constexpr EndpointNames kRemote = {"remoteEndpoint", "remoteEndpoint.serviceName",
                                            "remoteEndpoint.ipv4", "remoteEndpoint.ipv6",
                                            "remoteEndpoint.port"};

  Status DecodeEndpoint(const dom::element& e, const EndpointNames& names, Endpoint* out) {
    dom::object object;
    if (e.get_object().get(object) != simdjson::SUCCESS) {
      return Error(names.self, "expected an object");
    }
    for (dom::key_value_pair f : object) {
      const std::string_view key = f.key;
      const dom::element& v = f.value;
      if (v.is_null()) continue;
      if (EqualsIgnoreCase(key, "serviceName")) {
        RETURN_IF_ERROR(ReadString(v, names.service_name, &out->service_name));
      } else if (EqualsIgnoreCase(key, "ipv4")) {
        RETURN_IF_ERROR(ReadIp(v, names.ipv4, &out->ipv4));
      } else if (EqualsIgnoreCase(key, "ipv6")) {
        RETURN_IF_ERROR(ReadIp(v, names.ipv6, &out->ipv6));
      } else if (EqualsIgnoreCase(key, "port")) {
        int64_t port = 0;
        if (v.get_int64().get(port) != simdjson::SUCCESS ||
            port < std::numeric_limits<int32_t>::min() ||
            port > std::numeric_limits<int32_t>::max()) {
          return Error(names.port, "expected a 32-bit integer");
        }
        out->port = static_cast<int32_t>(port);
      }
    }
    return absl::OkStatus();
  }

  Status ReadIp(const dom::element& e, std::string_view field, std::string_view* out) {
    std::string_view text;
    if (e.get_string().get(text) != simdjson::SUCCESS) return Error(field, "expected a string");
    if (text.empty()) {  // Go's net.IP.UnmarshalText: empty means no address
      *out = {};
      return absl::OkStatus();
    }
    std::array<uint8_t, 16> ip;
    if (!ParseIp(text, &ip)) return Error(field, th::StrCat("not an IP address: ", Quote(text)));
    scratch_.clear();
    FormatIp(std::string_view(reinterpret_cast<const char*>(ip.data()), ip.size()), &scratch_);
    *out = arena_->Copy(scratch_);
    return absl::OkStatus();
  }

  Status DecodeAnnotations(const dom::element& e, model::Range* out) {
    dom::array array;
    if (e.get_array().get(array) != simdjson::SUCCESS) {
      return Error("annotations", "expected an array");
    }
    // A repeated key replaces the earlier list; its entries stay in the pool unused.
    *out = {};
    out->begin = static_cast<uint32_t>(list_->annotations.size());
    uint32_t i = 0;
    for (dom::element item : array) {
      if (list_->annotations.size() >= kMaxPoolEntries) {
        return Error("annotations", "too many in one request");
      }
      Annotation annotation;
      if (!item.is_null()) {
        dom::object object;
        if (item.get_object().get(object) != simdjson::SUCCESS) {
          return Error(th::StrCat("annotations[", i, "]"), "expected an object");
        }
        for (dom::key_value_pair f : object) {
          if (f.value.is_null()) continue;
          // The field names are built only on error: no allocation per annotation.
          if (EqualsIgnoreCase(f.key, "timestamp")) {
            if (Status s = ReadMicros(f.value, "timestamp", &annotation.timestamp_us); !s.ok()) {
              return Error(th::StrCat("annotations[", i, "].timestamp"), kExpectedMicros);
            }
          } else if (EqualsIgnoreCase(f.key, "value")) {
            std::string_view value;
            if (f.value.get_string().get(value) != simdjson::SUCCESS) {
              return Error(th::StrCat("annotations[", i, "].value"), "expected a string");
            }
            annotation.value = arena_->Copy(value);
          }
        }
      }
      list_->annotations.push_back(annotation);
      ++i;
    }
    out->count = i;
    return absl::OkStatus();
  }

  Status DecodeTags(const dom::element& e, model::Range* out) {
    dom::object object;
    if (e.get_object().get(object) != simdjson::SUCCESS) return Error("tags", "expected an object");
    *out = {};
    out->begin = static_cast<uint32_t>(list_->tags.size());
    for (dom::key_value_pair f : object) {
      if (list_->tags.size() >= kMaxPoolEntries) return Error("tags", "too many in one request");
      Tag tag;
      tag.key = arena_->Copy(f.key);
      if (!f.value.is_null()) {
        std::string_view value;
        if (f.value.get_string().get(value) != simdjson::SUCCESS) {
          return Error(th::StrCat("tags.", Quote(f.key)), "expected a string");
        }
        tag.value = arena_->Copy(value);
      }
      list_->tags.push_back(tag);
      ++out->count;
    }
    return absl::OkStatus();
  }

  SpanList* list_;
  Arena* arena_;
  uint32_t index_ = 0;
  std::string scratch_;
};

}  // namespace

Result<std::unique_ptr<model::SpanBatch>> DecodeZipkinJson(std::string_view body,
                                                           std::string_view tenant,
                                                           const DecodeOptions& options) {
  auto batch = std::make_unique<model::SpanBatch>();
  batch->tenant = std::string(tenant);
  SpanList list;
  {
    thread_local dom::parser parser;
    ParserTrim trim(&parser);
    dom::element root;
    // parse() copies the body into a padded buffer, so `body` needs no SIMDJSON_PADDING.
    if (simdjson::error_code err = parser.parse(body.data(), body.size()).get(root);
        err != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(
          th::StrCat("request: invalid JSON: ", simdjson::error_message(err)));
    }
    JsonDecoder decoder(&list, &batch->arena);
    RETURN_IF_ERROR(decoder.DecodeRoot(root));
  }
  RETURN_IF_ERROR(Translate(list, options, batch.get()));
  return batch;
}

}  // namespace th::ingest::zipkin

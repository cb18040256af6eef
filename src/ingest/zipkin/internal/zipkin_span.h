// The Zipkin v2 span model as both wire decoders (JSON, protobuf) produce it, before translation
// into a SpanBatch (internal/translate.h). It plays the role zipkin-go's SpanModel plays in the
// Collector: decoders check syntax and field types, the translator applies the Collector's
// zipkinv2 rules once for both encodings.
//
// Layout: spans refer to their tags and annotations by Range into the list's pools, so decoding
// allocates per request, not per span. Every string_view points into the arena of the SpanBatch
// the list is translated into (copied JSON strings, or the adopted protobuf body); the list must
// not outlive that batch. Internal to ingest/zipkin; not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "model/ids.h"
#include "model/span_batch.h"

namespace th::ingest::zipkin {

enum class Kind : uint8_t { kUnspecified, kClient, kServer, kProducer, kConsumer };

struct Endpoint {
  std::string_view service_name;
  // Rendered as Go's net.IP.String() does ("10.0.0.1", "2001:db8::1"); empty when absent.
  std::string_view ipv4;
  std::string_view ipv6;
  int32_t port = 0;  // 0: absent
};

struct Tag {
  std::string_view key;
  std::string_view value;
};

struct Annotation {
  uint64_t timestamp_us = 0;
  std::string_view value;
};

struct Span {
  // Where the span sat in the request (nulls in a JSON array count), for error messages.
  uint32_t index = 0;
  model::TraceId trace_id;  // a 64-bit id is left-padded with zeros
  model::SpanId id;
  model::SpanId parent_id;  // all zero: no parent
  std::string_view name;
  Kind kind = Kind::kUnspecified;
  uint64_t timestamp_us = 0;  // 0: absent
  uint64_t duration_us = 0;
  Endpoint local_endpoint;
  Endpoint remote_endpoint;
  model::Range tags;         // into SpanList::tags, in wire order (duplicates possible)
  model::Range annotations;  // into SpanList::annotations
  bool debug = false;
  bool shared = false;
};

struct SpanList {
  std::vector<Span> spans;
  std::vector<Tag> tags;
  std::vector<Annotation> annotations;
};

// Upper bounds on one request, checked while decoding so hostile input cannot grow the pools
// past what a Range can index. The body-size limit (20 MiB by default) binds long before.
inline constexpr size_t kMaxSpansPerRequest = size_t{1} << 22;
inline constexpr size_t kMaxPoolEntries = size_t{1} << 26;

}  // namespace th::ingest::zipkin

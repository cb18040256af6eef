// Decoders from Zipkin v2 wire formats (JSON: an array of Span objects; protobuf:
// zipkin.proto3.ListOfSpans) into a SpanBatch, translated as the OpenTelemetry Collector's zipkin
// receiver does (contrib pkg/translator/zipkin/zipkinv2): spans grouped into resources by
// localEndpoint.serviceName (service.name) and into scopes by the otel.library.name /
// otel.scope.name tag; hex or raw ids, 64-bit trace ids left-padded; µs → ns; tags → string
// attributes (typed with parse_string_tags); otel.status_code / otel.status_description / error
// → status; span.kind, w3c.tracestate, otlp.link.<i> consumed; endpoints → network.local.address,
// net.host.port, peer.service, network.peer.address, net.peer.port; annotations → events.
// The full rule list, and where we deviate from the Collector, is in internal/translate.h.
//
// Errors: anything malformed fails the whole request with InvalidArgument naming the span (its
// index in the request) and the field: "span 3: traceId: not hex". Nothing is partially accepted:
// a Zipkin sender has no way to learn about a partial success.
// Thread-safe: stateless functions (the JSON decoder keeps a per-thread parser).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/span_batch.h"

namespace th::ingest::zipkin {

struct DecodeOptions {
  // The Collector's parse_string_tags: tag values that look like integers, decimals or booleans
  // become int, double or bool attributes instead of strings.
  bool parse_string_tags = false;
};

// Decodes a Zipkin v2 JSON body. Strings are copied into the batch's arena. `tenant` becomes
// batch->tenant.
Result<std::unique_ptr<model::SpanBatch>> DecodeZipkinJson(std::string_view body,
                                                           std::string_view tenant,
                                                           const DecodeOptions& options);

// Decodes a zipkin.proto3.ListOfSpans body. The batch adopts `body` and its views point into it.
Result<std::unique_ptr<model::SpanBatch>> DecodeZipkinProto(std::string&& body,
                                                            std::string_view tenant,
                                                            const DecodeOptions& options);

}  // namespace th::ingest::zipkin

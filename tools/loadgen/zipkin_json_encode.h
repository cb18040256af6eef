// Zipkin v2 JSON encoding of a SpanBatch, for the load generator: the reverse of our zipkin
// receiver's translation (ingest/zipkin/internal/translate.h), after the OpenTelemetry → Zipkin
// mapping of the OTel spec (exporter-zipkin.md) and the Collector's zipkinv2 FromTranslator:
//   * traceId 32, id and parentId 16 lower-case hex digits (no parentId for a root span); name;
//   * kind CLIENT / SERVER / PRODUCER / CONSUMER; INTERNAL as no kind plus tag span.kind=internal;
//   * timestamp and duration in µs (truncated; a span of positive length lasts at least 1 µs);
//   * localEndpoint.serviceName from the resource's service.name (none without one);
//   * tags, all strings (bool true/false, ints in decimal, doubles shortest, bytes base64,
//     arrays and maps as JSON): the resource's other attributes (the receiver moves the resource
//     semantic-convention keys back onto the resource), otel.scope.name / otel.scope.version, the
//     span's attributes (winning over a resource attribute of the same key), w3c.tracestate,
//     otel.status_code OK / ERROR, on ERROR error=true, otel.status_description, and links as
//     otlp.link.<i> = "traceid|spanid|tracestate|{json attributes}|dropped";
//   * events as annotations at their time: value "name|{json attributes}|dropped" when the event
//     has attributes (or dropped ones), else the name.
// Thread-safe: a stateless function.
#pragma once

#include <string>

#include "model/span_batch.h"

namespace th::tools {

// Appends a JSON array holding every span of `batch` (a ListOfSpans body) to `out`.
void EncodeZipkinJson(const model::SpanBatch& batch, std::string* out);

}  // namespace th::tools

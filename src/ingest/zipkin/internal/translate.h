// Translation of decoded Zipkin v2 spans (internal/zipkin_span.h) into a SpanBatch, following the
// OpenTelemetry Collector's zipkinv2 ToTranslator (contrib pkg/translator/zipkin/zipkinv2/
// to_translator.go) rule by rule:
//
//  * Spans are ordered by (local service name, instrumentation library) — stably, so the first
//    span of each group is the first one sent — and each run becomes one Resource / Scope.
//  * Resource: none of its attributes when the span has no local service name (the Collector's
//    OTLPResourceNoServiceName). Otherwise service.name (or the key named by the tag
//    otlp.service.name.source) = the service name, then every resource semantic-convention tag of
//    the group's first span (host.name, k8s.pod.name, process.pid, opencensus.*, ... — the
//    Collector's list) is moved onto the resource. Those tags are dropped from every span.
//  * Scope: name and version from the tags otel.library.name / otel.library.version of the
//    group's first span. Deviation: otel.scope.name / otel.scope.version (what current exporters
//    write) are honoured too and win over the library tags.
//  * Ids: trace id 16 bytes (64-bit ids left-padded), span id 8 bytes; a parent id equal to the
//    span id, or all zero, means no parent. Deviation: all-zero trace or span ids are rejected.
//  * Kind: CLIENT/SERVER/PRODUCER/CONSUMER map directly; otherwise the tag span.kind is consumed
//    and "internal" gives INTERNAL, anything else UNSPECIFIED.
//  * Tag w3c.tracestate → trace_state. Tag otel.status_code (STATUS_CODE_OK / Ok / OK ...: the
//    Collector's table, case-insensitively — deviation: it only knows two spellings) → status
//    code, and only then otel.status_description → status message. Any tag `error` → ERROR; the
//    tag is removed only when it is "true" (instrumentations often put the message there).
//  * Tags otlp.link.0, otlp.link.1, ... (until one is missing, at most 128) →
//    links "traceid|spanid|tracestate|{json attributes}|dropped"; fewer than 5 parts: skipped;
//    a malformed one fails the request, as in the Collector.
//  * Other tags → string attributes, or int/double/bool with parse_string_tags (the Collector's
//    regular expressions: -?\d+, -?\d+\.\d+, true|false).
//  * Endpoints → network.local.address (ipv4, then ipv6 wins), net.host.port (> 0), peer.service,
//    network.peer.address, net.peer.port, overwriting tags of the same name.
//  * timestamp/duration µs → ns; absent (0) timestamp → start 0, end = duration, and
//    otel.zipkin.absentField.startTime = true.
//  * Annotations → events at their timestamp; a value "name|{json attributes}|dropped" is split
//    as the Collector does. Deviation: any other value is the event name whole (the Collector
//    keeps only the text before the first '|', and fails the request when a value with two or
//    more '|' does not parse).
//  * debug and shared are not translated (the Collector drops them too).
//
// Internal to ingest/zipkin; stateless, thread-safe.
#pragma once

#include "common/status.h"
#include "ingest/zipkin/internal/zipkin_span.h"
#include "ingest/zipkin/zipkin_decode.h"
#include "model/span_batch.h"

namespace th::ingest::zipkin {

// Appends the spans of `list` to `batch`, whose arena owns every byte `list` refers to.
// Errors: InvalidArgument naming the span and what is wrong (a malformed otlp.link tag, a time
// that overflows nanoseconds). On error `batch` is in an unspecified but valid state.
Status Translate(const SpanList& list, const DecodeOptions& options, model::SpanBatch* batch);

}  // namespace th::ingest::zipkin

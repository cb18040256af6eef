// Encoders from a SpanBatch into Jaeger Thrift: jaeger.thrift `Batch` structs (the body of
// POST /api/traces) and agent.thrift `Agent.emitBatch` messages (one UDP datagram each), in the
// binary or compact protocol. The reverse of the receiver's translation (jaeger_decode.h),
// following the OTLP → Jaeger rules our exporter uses for api_v2 (reference §2.7):
//   * one Batch per resource: Process.serviceName from service.name (a resource without
//     attributes: "OTLPResourceNoServiceName"), the other resource attributes as process tags;
//   * ids as signed big-endian i64 halves (traceIdHigh = bytes 0–7); parentSpanId, plus the
//     parent as a CHILD_OF reference placed first; links as FOLLOWS_FROM references unless they
//     carry opentracing.ref_type=child_of (a link to the parent sets the parent reference's type);
//     link attributes are lost;
//   * flags: the W3C sampled bit; startTime and duration in µs (truncated);
//   * tags typed (STRING, BOOL, LONG, DOUBLE, BINARY; arrays and kvlists as JSON strings), after
//     otel.scope.name / otel.scope.version, and followed by span.kind, otel.status_code, error
//     (bool, on ERROR), otel.status_description and w3c.tracestate;
//   * events as logs: field event=<name> first (unless an `event` attribute exists), then the
//     attributes.
// Used by the load generator (and by tests); nothing on the ingest path calls it.
//
// Ownership: the results own their bytes. Thread-safe: stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ingest/jaeger/jaeger_decode.h"
#include "model/span_batch.h"

namespace th::ingest::jaeger {

// One encoded Batch (or emitBatch message) and the spans it carries.
struct EncodedThriftBatch {
  std::string bytes;
  std::vector<uint32_t> spans;  // indices into the source SpanBatch, in encoding order
};

// Encodes `batch` as bare jaeger.Batch structs: one per resource that has spans, in the order of
// each resource's first span; the spans of a resource keep their batch order. With
// `max_bytes` > 0 a resource whose Batch would exceed it is split into several Batches of whole
// spans (a span bigger than the limit alone still goes out, alone). Empty batch: no output.
std::vector<EncodedThriftBatch> EncodeJaegerThriftBatches(const model::SpanBatch& batch,
                                                          ThriftProtocol protocol,
                                                          size_t max_bytes = 0);

// As EncodeJaegerThriftBatches, each Batch wrapped in an Agent.emitBatch ONEWAY message (seqid
// `seq_id`), as a Jaeger client sends to the agent's UDP ports (6831 compact, 6832 binary).
// `max_bytes` bounds the whole message: pass the receiver's max_packet_size (65000 by default).
std::vector<EncodedThriftBatch> EncodeJaegerAgentEmitBatches(const model::SpanBatch& batch,
                                                             ThriftProtocol protocol,
                                                             size_t max_bytes, int32_t seq_id = 1);

}  // namespace th::ingest::jaeger

// Decoders from the Jaeger wire formats into a SpanBatch, translated as the OpenTelemetry
// Collector's jaeger translator does (ids from the high/low halves, tags to typed attributes,
// process to resource, span.kind / error / otel.status_code to kind and status, logs to events,
// references to parent and links; reference §2.7):
//   * Thrift jaeger.Batch, bare (the thrift_http body) or inside an Agent.emitBatch message (the
//     UDP agent ports), in the binary or the compact protocol, written by hand;
//   * api_v2 PostSpansRequest protobuf (the gRPC collector), written by hand.
//
// Errors: input that is not a well-formed message (truncated, bad type, a required Thrift field
// missing, invalid UTF-8 in a string, an id of the wrong length) fails the whole request with
// InvalidArgument naming where (`batch.spans[3].tags[1]: required field vType is not set`).
// Nesting and lengths are bounded; no input makes a decoder crash or allocate more than a small
// multiple of its size. A span whose trace or span id is all zero is dropped alone and counted in
// `rejected_spans` (a SpanBatch span must have ids), with the first reason in
// `rejection_message`.
//
// Ownership: each decoder takes the request bytes and adopts them into the batch's arena; the
// batch's string views point into them. Thread-safe: stateless functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/span_batch.h"

namespace th::ingest::jaeger {

enum class ThriftProtocol { kBinary, kCompact };

struct DecodedSpans {
  std::unique_ptr<model::SpanBatch> batch;
  int64_t rejected_spans = 0;
  std::string rejection_message;  // empty when nothing was rejected
};

// A bare jaeger.Batch struct (the POST /api/traces body uses the binary protocol).
Result<DecodedSpans> DecodeThriftBatch(std::string&& body, ThriftProtocol protocol,
                                       std::string_view tenant);

// An Agent.emitBatch message (one UDP datagram: 6831 compact, 6832 binary). Other method names
// (emitZipkinBatch) and message types other than ONEWAY or CALL are InvalidArgument.
Result<DecodedSpans> DecodeAgentEmitBatch(std::string&& packet, ThriftProtocol protocol,
                                          std::string_view tenant);

// A jaeger.api_v2.PostSpansRequest (CollectorService/PostSpans). Spans are grouped into one
// resource per distinct Process (a span's own Process wins over the batch's).
Result<DecodedSpans> DecodeApiV2PostSpans(std::string&& body, std::string_view tenant);

}  // namespace th::ingest::jaeger

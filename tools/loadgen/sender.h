// Sender: one client connection that sends encoded trace requests to a receiver and waits for the
// answer, for every protocol loadgen speaks: OTLP over gRPC, HTTP/protobuf and HTTP/JSON; Jaeger
// Thrift over HTTP (POST /api/traces) and over UDP (agent emitBatch datagrams); Zipkin v2 JSON
// (POST /api/v2/spans). The HTTP protocols share one Beast client. UDP has no answers: a send
// the kernel accepted is all a UDP sender can report.
// Thread-safety: one sender per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace th::tools {

enum class Protocol {
  kOtlpGrpc,
  kOtlpHttpProtobuf,
  kOtlpHttpJson,
  kJaegerThriftHttp,        // bare jaeger.Batch, binary protocol; 202 expected
  kJaegerThriftCompactUdp,  // Agent.emitBatch, compact protocol; no answer
  kZipkinJson,              // Zipkin v2 JSON ListOfSpans; 202 expected
};

// The --protocol spelling ("grpc", "http/protobuf", "http/json", "jaeger_thrift_http",
// "jaeger_thrift_compact_udp", "zipkin_json"), and back (nullopt for an unknown name).
std::string_view ProtocolName(Protocol protocol);
std::optional<Protocol> ParseProtocol(std::string_view name);
// The receiver's usual endpoint for the protocol (OTLP: 127.0.0.1:4317, as loadgen always had).
std::string_view DefaultEndpoint(Protocol protocol);
// False for UDP: nothing tells the sender whether a datagram arrived.
bool HasAcknowledgements(Protocol protocol);

struct SendResult {
  Status status;               // transport or server error
  int64_t rejected_spans = 0;  // from OTLP partial success
};

class Sender {
 public:
  virtual ~Sender() = default;
  // `body` is one request in the protocol's encoding: an ExportTraceServiceRequest (OTLP), a
  // jaeger.Batch or an emitBatch message (Jaeger), a JSON array of spans (Zipkin). Success means
  // HTTP 200 for OTLP/HTTP, any 2xx for Jaeger and Zipkin over HTTP, an OK gRPC status, or for
  // UDP a datagram the kernel took.
  virtual SendResult Send(const std::string& body) = 0;

  // `endpoint` is host:port; `tenant` (if not empty) goes out as X-Scope-OrgID (not over UDP).
  static std::unique_ptr<Sender> Create(Protocol protocol, const std::string& endpoint,
                                        const std::string& tenant);
};

}  // namespace th::tools

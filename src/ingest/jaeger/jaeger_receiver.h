// The `jaeger` receiver, as the OpenTelemetry Collector's (contrib receiver/jaegerreceiver):
// legacy Jaeger clients and agents send spans here, and each request becomes one SpanBatch for
// the next consumer. Protocols, each started only when present under `protocols`:
//   grpc            14250  jaeger.api_v2.CollectorService/PostSpans
//   thrift_http     14268  POST /api/traces, one binary-protocol jaeger.Batch (202 Accepted)
//   thrift_compact  6831   UDP, Agent.emitBatch in the compact protocol
//   thrift_binary   6832   UDP, Agent.emitBatch in the binary protocol
// Config (unknown keys are errors):
//   protocols:
//     grpc:           {endpoint, max_recv_msg_size_mib, max_concurrent_streams, read_buffer_size,
//                      write_buffer_size, include_metadata, keepalive, transport}
//     thrift_http:    {endpoint, max_request_body_size, include_metadata}
//     thrift_compact: {endpoint, queue_size, max_packet_size, workers, socket_buffer_size}
//     thrift_binary:  {endpoint, queue_size, max_packet_size, workers, socket_buffer_size}
// Endpoints are host:port; port 0 picks a free port (see JaegerReceiver::port).
//
// Answers: gRPC and HTTP requests are answered only once the consumer has reported (consumer.h):
// bad input → INVALID_ARGUMENT / 400 naming the problem; ResourceExhausted / Unavailable from the
// consumer → UNAVAILABLE / 429 or 503 with Retry-After. UDP senders get no answer; packets that
// do not fit the queue or do not decode are counted. Tenancy: the X-Scope-OrgID header
// (x-scope-orgid metadata) names the tenant, else model::kDefaultTenant.
//
// Metrics (host->metrics): otelcol_receiver_accepted_spans and otelcol_receiver_refused_spans
// {receiver=<id>, transport=thrift_http|grpc|udp_thrift_compact|udp_thrift_binary};
// otelcol_receiver_dropped_packets {receiver, transport, reason=queue_full|too_large}.
//
// Thread-safety: Start and Shutdown from one thread (component.h); requests are served on gRPC's,
// the HTTP server's and the UDP workers' threads.
#pragma once

#include "pipeline/component.h"

namespace th::ingest::jaeger {

enum class Transport { kGrpc, kThriftHttp, kUdpThriftCompact, kUdpThriftBinary };

class JaegerReceiver : public pipeline::Receiver {
 public:
  // The port `transport` is bound to once Start() succeeded; 0 when it is not configured or not
  // started.
  virtual int port(Transport transport) const = 0;
};

// Type "jaeger". The factory only parses the config (errors name file, line and key); Start()
// binds. `next` must outlive the receiver.
pipeline::ReceiverFactory MakeJaegerReceiverFactory();

}  // namespace th::ingest::jaeger

// OtlpReceiver: receives OTLP traces over gRPC (TraceService/Export, default port 4317) and
// HTTP (POST /v1/traces, default port 4318; protobuf or JSON, optionally gzip), decodes them
// into SpanBatches and hands them to the next consumer. A request is answered only when the
// consumer has reported the outcome, so with the store as consumer an OK means "durable".
//
// Answers follow the OTLP specification: partial success when some spans were rejected; bad
// input → INVALID_ARGUMENT / 400 naming what is wrong; overload and storage failures → retryable
// UNAVAILABLE / 429 or 503 with Retry-After. Tenants come from the X-Scope-OrgID header
// (x-scope-orgid metadata on gRPC); absent means "single-tenant".
//
// Thread-safety: Start and Shutdown from one thread; requests are served on gRPC's and the HTTP
// server's threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/http/server.h"
#include "common/status.h"
#include "pipeline/consumer.h"

namespace th::ingest::otlp {

struct OtlpReceiverOptions {
  std::string grpc_endpoint = "0.0.0.0:4317";  // empty: no gRPC
  std::string http_endpoint = "0.0.0.0:4318";  // empty: no HTTP
  int max_recv_msg_size_mib = 4;               // gRPC: RESOURCE_EXHAUSTED above it
  size_t max_request_body_bytes = 20u << 20;   // HTTP, after decompression: 413 above it
  int http_threads = 2;
  std::string traces_url_path = "/v1/traces";
  std::string logs_url_path = "/v1/logs";
  // CORS for browsers (empty: no CORS headers), as the Collector's `cors` settings.
  std::vector<std::string> cors_allowed_origins;
  std::vector<std::string> cors_allowed_headers;
  int cors_max_age_seconds = 0;
  // TLS per protocol (the Collector's `tls` under each); disabled: plaintext.
  http::TlsOptions grpc_tls;
  http::TlsOptions http_tls;
};

class OtlpReceiver {
 public:
  virtual ~OtlpReceiver() = default;

  // Binds and starts both protocols. Consumers must outlive the receiver; a null one leaves its
  // signal unserved (gRPC UNIMPLEMENTED, HTTP 404).
  static Result<std::unique_ptr<OtlpReceiver>> Start(const OtlpReceiverOptions& options,
                                                     pipeline::TracesConsumer* consumer,
                                                     pipeline::LogsConsumer* logs = nullptr);

  virtual int grpc_port() const = 0;  // 0 when not serving
  virtual int http_port() const = 0;

  // Stops accepting and waits (up to `grace_ms`) for in-flight requests to be answered.
  virtual void Shutdown(int grace_ms) = 0;
};

}  // namespace th::ingest::otlp

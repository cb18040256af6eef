// The `zipkin` receiver: Zipkin v2 spans over HTTP (POST /api/v2/spans, default port 9411), as
// JSON (application/json) or protobuf (application/x-protobuf), optionally gzip/zlib-compressed,
// decoded and translated as the OpenTelemetry Collector's zipkin receiver does
// (ingest/zipkin/zipkin_decode.h), and handed to the next consumer.
//
// Answers: 202 Accepted once the consumer's `done` reports OK (for the store: durable); 400
// naming what is wrong with the body; 413 past max_request_body_size (after decompression);
// 415 for other content types or encodings; 429 / 503 with Retry-After when the consumer answers
// ResourceExhausted / Unavailable (status_codes.h has the full table); 404 / 405 for other paths
// and methods. Tenancy: the X-Scope-OrgID header, absent → model::kDefaultTenant.
// Metrics (host->metrics): otelcol_receiver_accepted_spans and otelcol_receiver_refused_spans,
// labelled receiver=<id>, transport=http.
//
// Lifecycle (pipeline/component.h): creating one only reads config; Start() binds the port;
// Shutdown(deadline) stops accepting and lets in-flight requests finish until the deadline.
// Thread-safety: Start and Shutdown from one thread; requests are served on the HTTP server's
// threads.
#pragma once

#include <memory>
#include <string>

#include "ingest/zipkin/config.h"
#include "pipeline/component.h"

namespace th::ingest::zipkin {

class ZipkinReceiver : public pipeline::Receiver {
 public:
  // The bound port once Start() succeeded (the chosen one when the endpoint's port is 0); 0
  // before Start and after Shutdown.
  virtual int port() const = 0;
};

// Builds a receiver without binding anything. `id` labels metrics ("zipkin", "zipkin/edge").
// Requires: config.Validate() is OK; `metrics` and `next` outlive the receiver.
std::unique_ptr<ZipkinReceiver> NewZipkinReceiver(const ZipkinReceiverConfig& config,
                                                  std::string id, metrics::Registry* metrics,
                                                  pipeline::TracesConsumer* next);

// The factory registered under type "zipkin": parses the config section
// (ZipkinReceiverConfig::Parse; errors carry file:line:col) and builds a ZipkinReceiver.
pipeline::ReceiverFactory MakeZipkinReceiverFactory();

}  // namespace th::ingest::zipkin

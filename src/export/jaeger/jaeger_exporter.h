// The `jaeger` exporter, as the OpenTelemetry Collector had it before v0.85 (contrib
// exporter/jaegerexporter): spans go out by gRPC to a Jaeger collector's
// jaeger.api_v2.CollectorService/PostSpans, one request per resource, translated as the
// Collector's traces_to_jaegerproto.go does (the reverse of the jaeger receiver's rules).
//
// Config (the Collector's gRPC client settings; unknown keys are errors):
//   endpoint: host:port                      (required; "https://" turns TLS on)
//   tls: {insecure, insecure_skip_verify, ca_file, cert_file, key_file, server_name_override}
//                                            (TLS unless insecure: true, as the Collector)
//   headers: {name: value}                   sent as gRPC metadata with every request
//   compression: none | gzip                 (default none)
//   timeout: 5s                              per attempt
//   sending_queue: {enabled: true, num_consumers: 10, queue_size: 1000}   (batches)
//   retry_on_failure: {enabled: true, initial_interval: 5s, max_interval: 30s,
//                      max_elapsed_time: 300s, multiplier: 1.5, randomization_factor: 0.5}
//
// Acknowledgement: with the sending queue on, `done` is OK once the batch is queued, and
// Unavailable "sending queue is full" when it is not; with it off, `done` carries the outcome of
// the export. An unreachable or unresolvable endpoint never fails construction or Start():
// exports fail, are retried with exponential back-off, logged and counted.
//
// Metrics (host->metrics, label exporter=<id>): otelcol_exporter_sent_spans,
// otelcol_exporter_send_failed_spans, otelcol_exporter_enqueue_failed_spans (counters),
// otelcol_exporter_queue_size, otelcol_exporter_queue_capacity (gauges, batches).
//
// Thread-safety: ConsumeTraces from any thread; Start/Shutdown from one.
#pragma once

#include "pipeline/component.h"

namespace th::exporter::jaeger {

// Type "jaeger". Construction only parses the config; Start() creates the channel and threads.
pipeline::ExporterFactory MakeJaegerExporterFactory();

}  // namespace th::exporter::jaeger

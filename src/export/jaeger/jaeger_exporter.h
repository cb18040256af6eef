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
//   timeout: 5s                              per attempt (all of a batch's PostSpans calls)
//   sending_queue: {...}                     export/helper/settings.h (storage: persistent queue)
//   retry_on_failure: {...}
//
// Queueing, retries, persistence, acknowledgement and metrics are the shared queued exporter's
// (export/helper/queued_exporter.h); this exporter is its Sender. gRPC answers are read with the
// otlp exporter's table (export/helper/grpc_outcome.h): UNAVAILABLE and friends are retried,
// RESOURCE_EXHAUSTED only with RetryInfo, the rest is permanent. A retry resumes after the
// PostSpans calls already accepted. An unreachable or unresolvable endpoint never fails
// construction or Start(): exports fail, are retried with exponential back-off, logged and
// counted.
//
// Thread-safety: ConsumeTraces from any thread; Start/Shutdown from one.
#pragma once

#include "pipeline/component.h"

namespace th::exporter::jaeger {

// Type "jaeger". Construction only parses the config; Start() creates the channel and workers.
pipeline::ExporterFactory MakeJaegerExporterFactory();

}  // namespace th::exporter::jaeger

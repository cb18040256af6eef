// The `otlp` exporter (alias `otlp_grpc`): forwards batches to an OTLP/gRPC endpoint
// (TraceService/Export for traces, LogsService/Export for logs) — another collector, Tempo,
// Jaeger, Loki — through the shared queued exporter (export/helper/queued_exporter.h), so it
// queues, retries and persists like the Collector's. Both signals read the same config; as in
// the Collector, an id used by a traces and a logs pipeline gets one exporter for each.
//
// The request is the batch's OTLP encoding (SpanBatch::otlp_encoding when a receiver left it,
// encoded otherwise; LogsBatch::otlp as it is), sent as raw bytes: nothing is parsed twice. A batch whose tenant is not
// the default carries it as `x-scope-orgid` metadata, so a gateway keeps tenants apart.
//
// Answers, as the Collector's otlpexporter reads them: CANCELLED, DEADLINE_EXCEEDED, ABORTED,
// OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are retried; RESOURCE_EXHAUSTED only when the server
// attached RetryInfo (whose delay is honoured); everything else is permanent. A partial success
// is logged and its rejected spans (rejected_log_records) counted as failed.
//
// The channel is created in Start() and connects lazily: an endpoint that does not resolve or
// answer does not fail creation or start — exports fail, are retried, logged and counted. The
// channel's reconnect back-off follows retry_on_failure (initial_interval .. max_interval).
//
// Thread-safety: as pipeline::Exporter.
#pragma once

#include "pipeline/component.h"

namespace th::exporter::otlp {

// Factory for the types `otlp` and `otlp_grpc` (register it under both names). The config is
// read by ParseOtlpGrpcConfig (export/otlp/config.h).
pipeline::ExporterFactory MakeOtlpGrpcExporterFactory();

// The same for `logs` pipelines (register under `otlp` and `otlp_grpc` too).
pipeline::LogsExporterFactory MakeOtlpGrpcLogsExporterFactory();

}  // namespace th::exporter::otlp

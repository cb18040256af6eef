// The `otlphttp` exporter (alias `otlp_http`): forwards batches as OTLP/HTTP POSTs to
// `<endpoint>/v1/traces` (or `traces_endpoint` verbatim) and, for logs pipelines, to
// `<endpoint>/v1/logs` (or `logs_endpoint`: Loki's /otlp/v1/logs), protobuf or JSON (OTLP/JSON:
// hex trace and span ids), gzip by default, through the shared queued exporter
// (export/helper/queued_exporter.h). Both signals read the same config.
//
// Answers, as the Collector's otlphttpexporter reads them: 2xx is success (a partial success in
// the body is logged and its rejected spans or log records counted as failed; an unreadable 2xx body is a
// permanent error); 429, 502, 503 and 504 are retried, honouring Retry-After (seconds or an
// HTTP date); every other status is permanent. Connection failures, unresolvable hosts and
// timeouts are retried: they never fail creation or start.
//
// A batch whose tenant is not the default carries it as `X-Scope-OrgID`.
// HTTP goes through libcurl (kept out of this header); connections are reused across sends.
// Thread-safety: as pipeline::Exporter.
#pragma once

#include "pipeline/component.h"

namespace th::exporter::otlphttp {

// Factory for the types `otlphttp` and `otlp_http` (register it under both names). The config
// is read by ParseOtlpHttpConfig (export/otlphttp/config.h).
pipeline::ExporterFactory MakeOtlpHttpExporterFactory();

// The same for `logs` pipelines (register under `otlphttp` and `otlp_http` too).
pipeline::LogsExporterFactory MakeOtlpHttpLogsExporterFactory();

}  // namespace th::exporter::otlphttp

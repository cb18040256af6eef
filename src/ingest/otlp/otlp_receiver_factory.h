// The `otlp` receiver as a pipeline component: reads the Collector's settings
//
//   otlp:
//     protocols:
//       grpc: {endpoint: 0.0.0.0:4317, max_recv_msg_size_mib: 4, include_metadata: …}
//       http: {endpoint: 0.0.0.0:4318, traces_url_path: /v1/traces, logs_url_path: /v1/logs,
//              max_request_body_size: …,
//              cors: {allowed_origins: [...], allowed_headers: [...], max_age: 7200}}
//
// and starts OtlpReceiver on Start(). A protocol left out is not served; `protocols` must name at
// least one. Transport tuning keys the Collector has (buffer sizes, keepalive, concurrent
// streams) are accepted and have no effect. `tls` (cert_file, key_file, client_ca_file for mTLS,
// min_version) serves each protocol over TLS (common/http/tls_config.h); `auth` is refused (not
// supported yet), so a config never silently serves without what it asked for.
#pragma once

#include "pipeline/component.h"

namespace th::ingest::otlp {

// Serves traces and logs (register with both signals).
pipeline::MultiSignalReceiverFactory MakeOtlpReceiverFactory();

}  // namespace th::ingest::otlp

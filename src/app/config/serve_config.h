// ServeConfig: what `tracehouse serve --config FILE` reads. The file has the OpenTelemetry
// Collector's YAML shape plus Tracehouse's own sections (DESIGN.md "Config"); this first cut
// understands:
//
//   server:
//     http_listen_address: 0.0.0.0:3200     # query API, /metrics, /ready
//   storage:
//     path: ./data                           # the WAL lives in <path>/wal
//     wal:
//       segment_size_mib: 128
//       max_pending_mib: 256                 # above it receivers answer "retry later"
//   receivers:
//     otlp:
//       protocols:
//         grpc: {endpoint: 0.0.0.0:4317, max_recv_msg_size_mib: 4}
//         http: {endpoint: 0.0.0.0:4318}
//
// Environment variables expand as in the Collector (`${env:VAR}`, `${VAR:-default}`, `$$`).
// Every error names the file, line, column and key. Keys this version does not know are errors;
// the Collector's pipeline sections (processors, exporters, connectors, extensions, service) are
// refused with a message saying so, rather than silently ignored.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "ingest/otlp/otlp_receiver.h"

namespace th::app {

struct ServeConfig {
  std::string data_dir = "./data";
  std::string http_listen_address = "0.0.0.0:3200";
  uint64_t wal_segment_bytes = 128ull << 20;
  uint64_t wal_max_pending_bytes = 256ull << 20;
  ingest::otlp::OtlpReceiverOptions otlp;
};

// Reads `path` over the defaults. Errors: NotFound/InvalidArgument with "FILE:LINE:COL: key: …".
Result<ServeConfig> LoadServeConfig(const std::string& path);

// The same from text (`name` is used in messages).
Result<ServeConfig> ParseServeConfig(std::string_view text, const std::string& name);

}  // namespace th::app

// Configuration of the `otlp` / `otlp_grpc` exporter, with the Collector's keys and defaults:
//
//   exporters:
//     otlp:
//       endpoint: tempo.monitoring.svc:4317   # host:port, dns:///host:port, https://host:port
//       tls: {insecure: false, insecure_skip_verify: false, ca_file, cert_file, key_file,
//             server_name_override}
//       headers: {x-api-key: secret}
//       compression: gzip                     # gzip (default) | none | "" (zstd, snappy: error)
//       balancer_name: pick_first             # pick_first | round_robin
//       keepalive: {time: 30s, timeout: 10s, permit_without_stream: false}
//       authority: tempo.internal
//       wait_for_ready: false
//       timeout: 5s
//       sending_queue: {...}                  # export/helper/settings.h
//       retry_on_failure: {...}
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "common/config/node.h"
#include "common/status.h"
#include "export/helper/settings.h"

namespace th::exporter::otlp {

struct TlsSettings {
  bool insecure = false;
  bool insecure_skip_verify = false;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name_override;
};

struct KeepaliveSettings {
  std::chrono::nanoseconds time{0};  // 0: gRPC's default (no keepalive pings)
  std::chrono::nanoseconds timeout{0};
  bool permit_without_stream = false;
};

struct OtlpGrpcConfig {
  // The gRPC target without the http(s):// scheme ("host:port" or "dns:///host:port").
  std::string endpoint;
  TlsSettings tls;
  std::map<std::string, std::string> headers;  // keys lower-cased (gRPC metadata)
  bool gzip = true;
  std::string balancer_name;
  KeepaliveSettings keepalive;
  std::string authority;
  bool wait_for_ready = false;
  exporter::helper::HelperSettings helper;
};

// Reads the exporter's section. Errors carry FILE:LINE:COL and the key: missing endpoint, an
// endpoint that is not host:port, compression gRPC cannot do here, unknown keys, cert_file
// without key_file. An unresolvable host is not an error (it is resolved when sending).
Result<OtlpGrpcConfig> ParseOtlpGrpcConfig(const config::Node& node, const std::string& data_dir);

}  // namespace th::exporter::otlp

// The jaeger exporter's settings (jaeger_exporter.h lists the keys): its own gRPC client keys,
// plus `timeout`, `sending_queue` and `retry_on_failure` read by export/helper/settings.h.
// Plain values with the Collector's defaults.
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "export/helper/settings.h"

namespace th::config {
class Node;
}

namespace th::exporter::jaeger {

struct TlsSettings {
  bool insecure = false;
  bool insecure_skip_verify = false;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name_override;
};

struct ExporterConfig {
  std::string endpoint;  // host:port, scheme removed
  TlsSettings tls;
  std::map<std::string, std::string> headers;
  bool gzip = false;
  helper::HelperSettings helper;
};

// Errors name the file, line and key: unknown keys, missing endpoint, bad values, and
// `sending_queue.storage` when `data_dir` is empty.
Result<ExporterConfig> ParseExporterConfig(const config::Node& node, const std::string& data_dir);

}  // namespace th::exporter::jaeger

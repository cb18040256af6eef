// The jaeger exporter's settings (jaeger_exporter.h lists the keys). Plain values with the
// Collector's defaults.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "common/status.h"
#include "export/jaeger/internal/sending_queue.h"

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
  std::chrono::nanoseconds timeout = std::chrono::seconds(5);
  QueueSettings queue;
  RetrySettings retry;
};

// Errors name the file, line and key: unknown keys, missing endpoint, bad values.
Result<ExporterConfig> ParseExporterConfig(const config::Node& node);

}  // namespace th::exporter::jaeger

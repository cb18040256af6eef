// Configuration of the `otlphttp` / `otlp_http` exporter, with the Collector's keys and defaults:
//
//   exporters:
//     otlphttp:
//       endpoint: https://tempo.example.com:4318   # base URL; /v1/traces or /v1/logs is appended
//       traces_endpoint: https://x/custom/path     # used verbatim for traces when set
//       logs_endpoint: https://loki:3100/otlp/v1/logs   # used verbatim for logs when set
//       encoding: proto                            # proto (default) | json
//       compression: gzip                          # gzip (default) | zstd | none
//       headers: {Authorization: Bearer x}
//       timeout: 30s
//       tls: {insecure, insecure_skip_verify, ca_file, cert_file, key_file}
//       proxy_url: http://proxy:3128
//       sending_queue: {...}                       # export/helper/settings.h
//       retry_on_failure: {...}
//
// Both signals read the same section (one exporter id serves traces and logs pipelines); only
// the URL differs.
// Connection-pool tuning keys of the Collector's HTTP client (max_idle_conns, idle_conn_timeout,
// read_buffer_size, write_buffer_size, disable_keep_alives, http2_*) are accepted and ignored.
// Thread-safety: plain values.
#pragma once

#include <map>
#include <string>

#include "common/config/node.h"
#include "common/status.h"
#include "export/helper/settings.h"

namespace th::exporter::otlphttp {

enum class Signal { kTraces, kLogs };
enum class Encoding { kProto, kJson };
enum class Compression { kNone, kGzip, kZstd };

struct OtlpHttpConfig {
  std::string url;  // the full URL for the signal
  Encoding encoding = Encoding::kProto;
  Compression compression = Compression::kGzip;
  std::map<std::string, std::string> headers;
  bool insecure_skip_verify = false;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string proxy_url;
  exporter::helper::HelperSettings helper;  // timeout defaults to 30s here
};

// Reads the exporter's section for `signal`. Errors carry FILE:LINE:COL and the key: neither
// endpoint nor the signal's own endpoint (traces_endpoint, logs_endpoint), a URL without http://
// or https://, unknown encoding or compression, unknown keys, cert_file without key_file.
Result<OtlpHttpConfig> ParseOtlpHttpConfig(const config::Node& node, const std::string& data_dir,
                                           Signal signal = Signal::kTraces);

}  // namespace th::exporter::otlphttp

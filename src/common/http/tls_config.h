// The Collector's server-side `tls` settings (configtls.ServerConfig) → http::TlsOptions, for
// every receiver and extension that listens (HTTP or gRPC):
//
//   tls:
//     cert_file: /certs/server.crt      # required with key_file
//     key_file: /certs/server.key
//     client_ca_file: /certs/ca.crt     # clients must present a certificate signed by it (mTLS)
//     min_version: "1.2"                # 1.2 (default) or 1.3
//
// `ca_file`, `max_version` and `include_system_ca_certs_pool` are accepted (they have no meaning
// for a server here); `cipher_suites`, `reload_interval` and `curve_preferences` are refused —
// silently serving with other settings than asked would be worse than an error.
#pragma once

#include "common/config/node.h"
#include "common/http/server.h"
#include "common/status.h"

namespace th::http {

// Leaves *out disabled when `tls` is absent or null.
Status ReadTlsServerSettings(const config::Node& tls, TlsOptions* out);

}  // namespace th::http

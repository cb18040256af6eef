#include "common/http/tls_config.h"

namespace th::http {

Status ReadTlsServerSettings(const config::Node& tls, TlsOptions* out) {
  if (tls.IsNull()) return absl::OkStatus();
  RETURN_IF_ERROR(tls.CheckKeys({"cert_file", "key_file", "client_ca_file", "ca_file",
                                 "min_version", "max_version", "include_system_ca_certs_pool",
                                 "cipher_suites", "reload_interval", "curve_preferences",
                                 "cert_pem", "key_pem", "ca_pem", "client_ca_file_reload"}));
  for (const char* key : {"cipher_suites", "reload_interval", "curve_preferences", "cert_pem",
                          "key_pem", "ca_pem", "client_ca_file_reload"}) {
    if (tls[key].IsPresent()) {
      return tls[key].Error("is not supported yet; use cert_file/key_file and restart to reload");
    }
  }
  TlsOptions o;
  RETURN_IF_ERROR(tls.GetString("cert_file", &o.cert_file));
  RETURN_IF_ERROR(tls.GetString("key_file", &o.key_file));
  RETURN_IF_ERROR(tls.GetString("client_ca_file", &o.client_ca_file));
  RETURN_IF_ERROR(tls.GetString("min_version", &o.min_version));
  if (o.min_version.empty()) o.min_version = "1.2";
  if (o.min_version != "1.2" && o.min_version != "1.3") {
    return tls["min_version"].Error("expected \"1.2\" or \"1.3\"");
  }
  if (o.cert_file.empty() || o.key_file.empty()) {
    return tls.Error("a server needs both cert_file and key_file");
  }
  *out = std::move(o);
  return absl::OkStatus();
}

}  // namespace th::http

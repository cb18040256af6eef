#include "export/jaeger/internal/exporter_config.h"

#include "common/config/node.h"
#include "common/strings.h"

namespace th::exporter::jaeger {
namespace {

Status ParseTls(const config::Node& n, TlsSettings* tls) {
  RETURN_IF_ERROR(n.CheckKeys({"insecure", "insecure_skip_verify", "ca_file", "cert_file",
                               "key_file", "server_name_override"}));
  RETURN_IF_ERROR(n.GetBool("insecure", &tls->insecure));
  RETURN_IF_ERROR(n.GetBool("insecure_skip_verify", &tls->insecure_skip_verify));
  RETURN_IF_ERROR(n.GetString("ca_file", &tls->ca_file));
  RETURN_IF_ERROR(n.GetString("cert_file", &tls->cert_file));
  RETURN_IF_ERROR(n.GetString("key_file", &tls->key_file));
  RETURN_IF_ERROR(n.GetString("server_name_override", &tls->server_name_override));
  if (tls->cert_file.empty() != tls->key_file.empty()) {
    return n.Error("cert_file and key_file must be set together");
  }
  return absl::OkStatus();
}

}  // namespace

Result<ExporterConfig> ParseExporterConfig(const config::Node& node, const std::string& data_dir) {
  ExporterConfig c;
  RETURN_IF_ERROR(node.CheckKeys(helper::WithHelperKeys(
      {"endpoint", "tls", "headers", "compression", "balancer_name", "keepalive",
       "wait_for_ready", "write_buffer_size", "read_buffer_size"})));
  RETURN_IF_ERROR(node.GetString("endpoint", &c.endpoint));
  if (c.endpoint.empty()) {
    return (node["endpoint"].IsPresent() ? node["endpoint"] : node)
        .Error("endpoint is required (host:port of a Jaeger collector's gRPC port, e.g. "
               "jaeger-collector:14250)");
  }
  bool https = false;
  if (c.endpoint.rfind("https://", 0) == 0) {
    https = true;
    c.endpoint = c.endpoint.substr(8);
  } else if (c.endpoint.rfind("http://", 0) == 0) {
    c.endpoint = c.endpoint.substr(7);
  }
  size_t colon = c.endpoint.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == c.endpoint.size()) {
    return node["endpoint"].Error(th::StrCat("endpoint \"", c.endpoint, "\" must be host:port"));
  }
  if (node["tls"].IsPresent()) RETURN_IF_ERROR(ParseTls(node["tls"], &c.tls));
  if (https && c.tls.insecure) {
    return node["tls"]["insecure"].Error("an https:// endpoint cannot be insecure");
  }
  RETURN_IF_ERROR(node.GetStringMap("headers", &c.headers));
  std::string compression = "none";
  RETURN_IF_ERROR(node.GetString("compression", &compression));
  if (compression == "gzip") {
    c.gzip = true;
  } else if (compression != "none" && !compression.empty()) {
    return node["compression"].Error(
        th::StrCat("unsupported compression \"", compression, "\" (supported: gzip, none)"));
  }
  RETURN_IF_ERROR(helper::ParseHelperSettings(node, data_dir, &c.helper));
  return c;
}

}  // namespace th::exporter::jaeger

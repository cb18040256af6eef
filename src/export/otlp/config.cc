#include "export/otlp/config.h"

#include "common/strings.h"

namespace th::exporter::otlp {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// host:port with a non-empty host and a numeric port; [v6]:port accepted.
bool IsHostPort(std::string_view s) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  std::string_view port = s.substr(colon + 1);
  if (port.size() > 5) return false;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return s.find('/') == std::string_view::npos;
}

}  // namespace

Result<OtlpGrpcConfig> ParseOtlpGrpcConfig(const config::Node& node, const std::string& data_dir) {
  RETURN_IF_ERROR(node.CheckKeys(helper::WithHelperKeys(
      {"endpoint", "tls", "headers", "compression", "balancer_name", "keepalive", "authority",
       "wait_for_ready", "read_buffer_size", "write_buffer_size", "auth"})));
  OtlpGrpcConfig c;
  RETURN_IF_ERROR(node.GetString("endpoint", &c.endpoint));
  config::Node endpoint = node["endpoint"];
  if (c.endpoint.empty()) {
    return endpoint.IsPresent() ? endpoint.Error("must not be empty")
                                : node.Error("endpoint is required (host:port)");
  }
  bool https = false;
  if (StartsWith(c.endpoint, "https://")) {
    https = true;
    c.endpoint = c.endpoint.substr(8);
  } else if (StartsWith(c.endpoint, "http://")) {
    c.tls.insecure = true;
    c.endpoint = c.endpoint.substr(7);
  }
  std::string_view target = c.endpoint;
  if (StartsWith(target, "dns:///")) target.remove_prefix(7);
  if (!target.empty() && target.back() == '/') {
    c.endpoint.pop_back();
    target.remove_suffix(1);
  }
  if (!IsHostPort(target)) {
    return endpoint.Error(th::StrCat("\"", node["endpoint"].Scalar(),
                                     "\" is not host:port (dns:///host:port and https://host:port "
                                     "are accepted too)"));
  }

  config::Node tls = node["tls"];
  RETURN_IF_ERROR(tls.CheckKeys({"insecure", "insecure_skip_verify", "ca_file", "cert_file",
                                 "key_file", "server_name_override", "min_version"}));
  RETURN_IF_ERROR(tls.GetBool("insecure", &c.tls.insecure));
  RETURN_IF_ERROR(tls.GetBool("insecure_skip_verify", &c.tls.insecure_skip_verify));
  RETURN_IF_ERROR(tls.GetString("ca_file", &c.tls.ca_file));
  RETURN_IF_ERROR(tls.GetString("cert_file", &c.tls.cert_file));
  RETURN_IF_ERROR(tls.GetString("key_file", &c.tls.key_file));
  RETURN_IF_ERROR(tls.GetString("server_name_override", &c.tls.server_name_override));
  if (c.tls.cert_file.empty() != c.tls.key_file.empty()) {
    return tls.Error("cert_file and key_file go together");
  }
  if (https && c.tls.insecure && tls["insecure"].IsPresent()) {
    return tls["insecure"].Error("an https:// endpoint needs TLS; drop the scheme or insecure");
  }

  std::map<std::string, std::string> headers;
  RETURN_IF_ERROR(node.GetStringMap("headers", &headers));
  for (auto& [k, v] : headers) c.headers[AsciiLower(k)] = v;

  std::string compression = "gzip";
  RETURN_IF_ERROR(node.GetString("compression", &compression));
  compression = AsciiLower(compression);
  if (compression == "gzip") {
    c.gzip = true;
  } else if (compression == "none" || compression.empty()) {
    c.gzip = false;
  } else if (compression == "zstd" || compression == "snappy" || compression == "deflate" ||
             compression == "zlib") {
    return node["compression"].Error(th::StrCat(
        "\"", compression, "\" is not available with this gRPC library; use gzip or none"));
  } else {
    return node["compression"].Error(
        th::StrCat("unknown compression \"", compression, "\" (known: gzip, none)"));
  }

  RETURN_IF_ERROR(node.GetString("balancer_name", &c.balancer_name));
  if (!c.balancer_name.empty() && c.balancer_name != "pick_first" &&
      c.balancer_name != "round_robin") {
    return node["balancer_name"].Error(th::StrCat(
        "unknown balancer \"", c.balancer_name, "\" (known: pick_first, round_robin)"));
  }

  config::Node keepalive = node["keepalive"];
  RETURN_IF_ERROR(keepalive.CheckKeys({"time", "timeout", "permit_without_stream"}));
  RETURN_IF_ERROR(keepalive.GetDuration("time", &c.keepalive.time));
  RETURN_IF_ERROR(keepalive.GetDuration("timeout", &c.keepalive.timeout));
  RETURN_IF_ERROR(keepalive.GetBool("permit_without_stream", &c.keepalive.permit_without_stream));

  RETURN_IF_ERROR(node.GetString("authority", &c.authority));
  RETURN_IF_ERROR(node.GetBool("wait_for_ready", &c.wait_for_ready));
  int64_t ignored = 0;
  RETURN_IF_ERROR(node.GetInt("read_buffer_size", &ignored));
  RETURN_IF_ERROR(node.GetInt("write_buffer_size", &ignored));
  if (node["auth"].IsPresent() && !node["auth"].IsNull()) {
    return node["auth"].Error("authenticator extensions are not supported; use headers");
  }

  RETURN_IF_ERROR(helper::ParseHelperSettings(node, data_dir, &c.helper));
  return c;
}

}  // namespace th::exporter::otlp

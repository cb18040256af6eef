#include "export/otlphttp/config.h"

#include "common/strings.h"

namespace th::exporter::otlphttp {
namespace {

bool IsHttpUrl(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.substr(0, scheme.size()) == scheme && url.size() > scheme.size()) return true;
  }
  return false;
}

}  // namespace

Result<OtlpHttpConfig> ParseOtlpHttpConfig(const config::Node& node, const std::string& data_dir,
                                           Signal signal) {
  RETURN_IF_ERROR(node.CheckKeys(helper::WithHelperKeys(
      {"endpoint", "traces_endpoint", "logs_endpoint", "encoding", "compression", "headers", "tls", "proxy_url",
       "read_buffer_size", "write_buffer_size", "max_idle_conns", "max_idle_conns_per_host",
       "max_conns_per_host", "idle_conn_timeout", "disable_keep_alives", "http2_read_idle_timeout",
       "http2_ping_timeout", "cookies", "auth", "compression_params"})));
  OtlpHttpConfig c;
  c.helper.timeout = std::chrono::seconds(30);
  // Every URL present is checked, whichever signal this exporter is for, so a config error
  // shows however the id is used.
  std::string endpoint, traces_endpoint, logs_endpoint;
  RETURN_IF_ERROR(node.GetString("endpoint", &endpoint));
  RETURN_IF_ERROR(node.GetString("traces_endpoint", &traces_endpoint));
  RETURN_IF_ERROR(node.GetString("logs_endpoint", &logs_endpoint));
  for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"endpoint", endpoint},
                                   {"traces_endpoint", traces_endpoint},
                                   {"logs_endpoint", logs_endpoint}}) {
    if (!value.empty() && !IsHttpUrl(value)) {
      return node[key].Error("must be an http:// or https:// URL");
    }
  }
  const bool logs = signal == Signal::kLogs;
  const std::string& own = logs ? logs_endpoint : traces_endpoint;
  if (!own.empty()) {
    c.url = own;
  } else if (!endpoint.empty()) {
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    c.url = endpoint + (logs ? "/v1/logs" : "/v1/traces");
  } else {
    return node.Error(logs ? "endpoint or logs_endpoint is required"
                           : "endpoint or traces_endpoint is required");
  }

  std::string encoding = "proto";
  RETURN_IF_ERROR(node.GetString("encoding", &encoding));
  if (encoding == "proto") {
    c.encoding = Encoding::kProto;
  } else if (encoding == "json") {
    c.encoding = Encoding::kJson;
  } else {
    return node["encoding"].Error(
        th::StrCat("unknown encoding \"", encoding, "\" (known: proto, json)"));
  }

  std::string compression = "gzip";
  RETURN_IF_ERROR(node.GetString("compression", &compression));
  compression = AsciiLower(compression);
  if (compression == "gzip") {
    c.compression = Compression::kGzip;
  } else if (compression == "zstd") {
    c.compression = Compression::kZstd;
  } else if (compression == "none" || compression.empty()) {
    c.compression = Compression::kNone;
  } else {
    return node["compression"].Error(
        th::StrCat("unknown compression \"", compression, "\" (known: gzip, zstd, none)"));
  }

  RETURN_IF_ERROR(node.GetStringMap("headers", &c.headers));
  config::Node tls = node["tls"];
  RETURN_IF_ERROR(tls.CheckKeys({"insecure", "insecure_skip_verify", "ca_file", "cert_file",
                                 "key_file", "min_version", "server_name_override"}));
  RETURN_IF_ERROR(tls.GetBool("insecure_skip_verify", &c.insecure_skip_verify));
  RETURN_IF_ERROR(tls.GetString("ca_file", &c.ca_file));
  RETURN_IF_ERROR(tls.GetString("cert_file", &c.cert_file));
  RETURN_IF_ERROR(tls.GetString("key_file", &c.key_file));
  if (c.cert_file.empty() != c.key_file.empty()) {
    return tls.Error("cert_file and key_file go together");
  }
  RETURN_IF_ERROR(node.GetString("proxy_url", &c.proxy_url));
  if (node["auth"].IsPresent() && !node["auth"].IsNull()) {
    return node["auth"].Error("authenticator extensions are not supported; use headers");
  }
  RETURN_IF_ERROR(helper::ParseHelperSettings(node, data_dir, &c.helper));
  return c;
}

}  // namespace th::exporter::otlphttp

#include "ingest/zipkin/config.h"

#include "common/http/tls_config.h"

#include <charconv>
#include <string_view>

#include "common/config/node.h"
#include "common/strings.h"

namespace th::ingest::zipkin {
namespace {

// Empty when `endpoint` is host:port with a port in 0..65535, otherwise what is wrong.
std::string CheckEndpoint(std::string_view endpoint) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) return "expected host:port";
  std::string_view port_text = endpoint.substr(colon + 1);
  int port = -1;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return "port must be 0..65535";
  }
  return {};
}

}  // namespace

Status ZipkinReceiverConfig::Validate() const {
  if (std::string why = CheckEndpoint(endpoint); !why.empty()) {
    return absl::InvalidArgumentError(th::StrCat("endpoint \"", endpoint, "\": ", why));
  }
  if (max_request_body_size == 0) {
    return absl::InvalidArgumentError("max_request_body_size: must be positive");
  }
  if (cors.max_age < 0) return absl::InvalidArgumentError("cors.max_age: must not be negative");
  return absl::OkStatus();
}

Result<ZipkinReceiverConfig> ZipkinReceiverConfig::Parse(const config::Node& node) {
  ZipkinReceiverConfig c;
  RETURN_IF_ERROR(node.CheckKeys({"endpoint", "parse_string_tags", "max_request_body_size",
                                  "response_headers", "cors", "tls"}));
  RETURN_IF_ERROR(http::ReadTlsServerSettings(node["tls"], &c.tls));
  RETURN_IF_ERROR(node.GetString("endpoint", &c.endpoint));
  if (std::string why = CheckEndpoint(c.endpoint); !why.empty()) {
    return node["endpoint"].Error(th::StrCat("\"", c.endpoint, "\": ", why));
  }
  RETURN_IF_ERROR(node.GetBool("parse_string_tags", &c.parse_string_tags));
  RETURN_IF_ERROR(node.GetUint("max_request_body_size", &c.max_request_body_size));
  if (c.max_request_body_size == 0) {
    return node["max_request_body_size"].Error("must be positive");
  }
  RETURN_IF_ERROR(node.GetStringMap("response_headers", &c.response_headers));
  config::Node cors = node["cors"];
  RETURN_IF_ERROR(cors.CheckKeys({"allowed_origins", "allowed_headers", "max_age"}));
  RETURN_IF_ERROR(cors.GetStringList("allowed_origins", &c.cors.allowed_origins));
  RETURN_IF_ERROR(cors.GetStringList("allowed_headers", &c.cors.allowed_headers));
  RETURN_IF_ERROR(cors.GetInt("max_age", &c.cors.max_age));
  if (c.cors.max_age < 0) return cors["max_age"].Error("must not be negative");
  RETURN_IF_ERROR(c.Validate());
  return c;
}

}  // namespace th::ingest::zipkin

#include "ingest/jaeger/internal/receiver_config.h"

#include "common/http/tls_config.h"

#include "common/config/node.h"
#include "common/strings.h"

namespace th::ingest::jaeger {
namespace {

Status CheckEndpoint(const config::Node& section, const std::string& endpoint) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon + 1 == endpoint.size()) {
    return section["endpoint"].Error(
        th::StrCat("endpoint \"", endpoint, "\" must be host:port"));
  }
  for (size_t i = colon + 1; i < endpoint.size(); ++i) {
    if (endpoint[i] < '0' || endpoint[i] > '9') {
      return section["endpoint"].Error(
          th::StrCat("endpoint \"", endpoint, "\" has a bad port"));
    }
  }
  return absl::OkStatus();
}

Status GetBoundedInt(const config::Node& n, std::string_view key, int64_t lo, int64_t hi,
                     int* out) {
  int64_t v = *out;
  RETURN_IF_ERROR(n.GetInt(key, &v));
  if (v < lo || v > hi) {
    return n[key].Error(th::StrCat("must be between ", lo, " and ", hi, ", got ", v));
  }
  *out = static_cast<int>(v);
  return absl::OkStatus();
}

Status ParseUdp(const config::Node& n, UdpSettings* s) {
  RETURN_IF_ERROR(
      n.CheckKeys({"endpoint", "queue_size", "max_packet_size", "workers", "socket_buffer_size"}));
  RETURN_IF_ERROR(n.GetString("endpoint", &s->endpoint));
  RETURN_IF_ERROR(CheckEndpoint(n, s->endpoint));
  RETURN_IF_ERROR(GetBoundedInt(n, "queue_size", 1, 1000000, &s->queue_size));
  RETURN_IF_ERROR(GetBoundedInt(n, "max_packet_size", 1, 65535, &s->max_packet_size));
  RETURN_IF_ERROR(GetBoundedInt(n, "workers", 1, 1024, &s->workers));
  RETURN_IF_ERROR(GetBoundedInt(n, "socket_buffer_size", 0, 1 << 30, &s->socket_buffer_size));
  return absl::OkStatus();
}

}  // namespace

Result<ReceiverConfig> ParseReceiverConfig(const config::Node& node) {
  ReceiverConfig c;
  RETURN_IF_ERROR(node.CheckKeys({"protocols"}));
  config::Node protocols = node["protocols"];
  RETURN_IF_ERROR(protocols.CheckKeys({"grpc", "thrift_http", "thrift_compact", "thrift_binary"}));
  if (config::Node n = protocols["grpc"]; n.IsPresent()) {
    GrpcSettings s;
    // Keys of the Collector's gRPC server settings that do not change what we serve are
    // accepted; auth is not (silently serving without it would be worse than an error).
    RETURN_IF_ERROR(n.CheckKeys({"endpoint", "transport", "max_recv_msg_size_mib",
                                 "max_concurrent_streams", "read_buffer_size", "write_buffer_size",
                                 "include_metadata", "keepalive", "tls"}));
    RETURN_IF_ERROR(http::ReadTlsServerSettings(n["tls"], &s.tls));
    RETURN_IF_ERROR(n.GetString("endpoint", &s.endpoint));
    RETURN_IF_ERROR(CheckEndpoint(n, s.endpoint));
    std::string transport = "tcp";
    RETURN_IF_ERROR(n.GetString("transport", &transport));
    if (transport != "tcp") return n["transport"].Error("only transport \"tcp\" is supported");
    RETURN_IF_ERROR(GetBoundedInt(n, "max_recv_msg_size_mib", 1, 2047, &s.max_recv_msg_size_mib));
    RETURN_IF_ERROR(
        GetBoundedInt(n, "max_concurrent_streams", 0, 1 << 20, &s.max_concurrent_streams));
    c.grpc = s;
  }
  if (config::Node n = protocols["thrift_http"]; n.IsPresent()) {
    ThriftHttpSettings s;
    RETURN_IF_ERROR(
        n.CheckKeys({"endpoint", "max_request_body_size", "include_metadata", "tls"}));
    RETURN_IF_ERROR(http::ReadTlsServerSettings(n["tls"], &s.tls));
    RETURN_IF_ERROR(n.GetString("endpoint", &s.endpoint));
    RETURN_IF_ERROR(CheckEndpoint(n, s.endpoint));
    RETURN_IF_ERROR(n.GetUint("max_request_body_size", &s.max_request_body_size));
    if (s.max_request_body_size == 0) s.max_request_body_size = 20u << 20;
    c.thrift_http = s;
  }
  if (config::Node n = protocols["thrift_compact"]; n.IsPresent()) {
    UdpSettings s;
    s.endpoint = "127.0.0.1:6831";
    RETURN_IF_ERROR(ParseUdp(n, &s));
    c.thrift_compact = s;
  }
  if (config::Node n = protocols["thrift_binary"]; n.IsPresent()) {
    UdpSettings s;
    s.endpoint = "127.0.0.1:6832";
    RETURN_IF_ERROR(ParseUdp(n, &s));
    c.thrift_binary = s;
  }
  if (!c.grpc && !c.thrift_http && !c.thrift_compact && !c.thrift_binary) {
    return (protocols.IsPresent() ? protocols : node)
        .Error("must specify at least one protocol (grpc, thrift_http, thrift_compact, "
               "thrift_binary) when using the jaeger receiver");
  }
  return c;
}

}  // namespace th::ingest::jaeger

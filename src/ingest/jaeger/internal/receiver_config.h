// The jaeger receiver's settings, read from its config section (jaeger_receiver.h lists the
// keys). Plain values; defaults as the Collector's.
#pragma once

#include "common/http/server.h"

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace th::config {
class Node;
}

namespace th::ingest::jaeger {

// Default endpoints are the Collector's: loopback (serve's own defaults name 0.0.0.0).
struct GrpcSettings {
  std::string endpoint = "127.0.0.1:14250";
  int max_recv_msg_size_mib = 4;
  int max_concurrent_streams = 0;  // 0: gRPC's default
  http::TlsOptions tls;
};

struct ThriftHttpSettings {
  std::string endpoint = "127.0.0.1:14268";
  uint64_t max_request_body_size = 20u << 20;
  http::TlsOptions tls;
};

struct UdpSettings {
  std::string endpoint;
  int queue_size = 1000;        // pending packets; more are dropped and counted
  int max_packet_size = 65000;  // larger datagrams are dropped and counted
  int workers = 10;
  int socket_buffer_size = 0;  // SO_RCVBUF; 0 leaves the system default
};

struct ReceiverConfig {
  std::optional<GrpcSettings> grpc;
  std::optional<ThriftHttpSettings> thrift_http;
  std::optional<UdpSettings> thrift_compact;
  std::optional<UdpSettings> thrift_binary;
};

// Errors: unknown keys, wrong types, out-of-range values, no protocol at all — each naming the
// file, line and key.
Result<ReceiverConfig> ParseReceiverConfig(const config::Node& node);

}  // namespace th::ingest::jaeger

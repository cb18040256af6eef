// A UDP listener for the Jaeger agent ports: one reader thread receives datagrams into a bounded
// queue (full queue or oversized datagram: dropped and counted), `workers` threads hand each
// datagram to the packet handler. UDP has no answers, so overload only ever drops.
// Thread-safety: Start/Stop from one thread; the handler runs on worker threads concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/metrics.h"
#include "common/status.h"

namespace th::ingest::jaeger {

struct UdpServerOptions {
  std::string endpoint;  // host:port; port 0 picks a free port
  int queue_size = 1000;
  int max_packet_size = 65000;
  int workers = 10;
  int socket_buffer_size = 0;
  metrics::Counter* dropped_queue_full = nullptr;
  metrics::Counter* dropped_too_large = nullptr;
};

class UdpServer {
 public:
  using PacketHandler = std::function<void(std::string&& packet)>;

  virtual ~UdpServer() = default;

  // Binds and starts the threads. Errors: bad endpoint, bind failure (naming the endpoint).
  static Result<std::unique_ptr<UdpServer>> Start(const UdpServerOptions& options,
                                                  PacketHandler handler);

  virtual int port() const = 0;

  // Stops receiving, lets the workers finish the queued datagrams until `deadline` (the rest are
  // dropped and counted as queue_full), and joins the threads. Idempotent.
  virtual void Stop(std::chrono::steady_clock::time_point deadline) = 0;
};

}  // namespace th::ingest::jaeger

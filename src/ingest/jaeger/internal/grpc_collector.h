// gRPC server for jaeger.api_v2.CollectorService/PostSpans. Internal to ingest/jaeger; gRPC
// headers stay in the .cc.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "ingest/jaeger/internal/receiver_config.h"
#include "ingest/jaeger/internal/submit.h"
#include "pipeline/consumer.h"

namespace th::ingest::jaeger {

class GrpcCollectorServer {
 public:
  virtual ~GrpcCollectorServer() = default;
  // Binds and serves. Errors: cannot listen (message names the endpoint).
  static Result<std::unique_ptr<GrpcCollectorServer>> Start(
      const GrpcSettings& settings, pipeline::TracesConsumer* consumer,
      const pipeline::ReceiverCounters& metrics, std::shared_ptr<InFlight> in_flight);
  virtual int port() const = 0;
  // Stops accepting; waits for in-flight calls until `deadline`, then cancels them.
  virtual void Shutdown(std::chrono::steady_clock::time_point deadline) = 0;
};

}  // namespace th::ingest::jaeger

// OTLP/gRPC server for TraceService/Export and LogsService/Export (each registered only when its
// consumer is given; otherwise UNIMPLEMENTED). Internal to ingest/otlp.
#pragma once

#include <memory>
#include <string>

#include "common/http/server.h"
#include "common/status.h"
#include "pipeline/consumer.h"

namespace th::ingest::otlp {

class GrpcTraceServer {
 public:
  virtual ~GrpcTraceServer() = default;
  static Result<std::unique_ptr<GrpcTraceServer>> Start(const std::string& endpoint,
                                                        int max_recv_msg_size_mib,
                                                        const http::TlsOptions& tls,
                                                        pipeline::TracesConsumer* traces,
                                                        pipeline::LogsConsumer* logs);
  virtual int port() const = 0;
  virtual void Shutdown(int grace_ms) = 0;
};

}  // namespace th::ingest::otlp

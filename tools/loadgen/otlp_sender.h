// OtlpSender: one client connection that sends OTLP trace export requests and waits for the
// answer. Implementations for gRPC and HTTP. Thread-safety: one sender per thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace th::tools {

enum class OtlpProtocol { kGrpc, kHttpProtobuf, kHttpJson };

struct SendResult {
  Status status;               // transport or server error
  int64_t rejected_spans = 0;  // from partial success
};

class OtlpSender {
 public:
  virtual ~OtlpSender() = default;
  // `body` is an ExportTraceServiceRequest in the sender's encoding.
  virtual SendResult Send(const std::string& body) = 0;

  static std::unique_ptr<OtlpSender> Create(OtlpProtocol protocol, const std::string& endpoint,
                                            const std::string& tenant);
};

}  // namespace th::tools

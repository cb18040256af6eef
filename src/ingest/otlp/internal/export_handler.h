// The part of an OTLP trace export that is the same for gRPC and HTTP: decode the body, count,
// hand the batch to the consumer, and build the ExportTraceServiceResponse. Internal to
// ingest/otlp.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pipeline/consumer.h"

namespace th::ingest::otlp {

enum class Encoding { kProto, kJson };

struct ExportOutcome {
  Status status;  // not OK: the whole request failed
  int64_t rejected_spans = 0;
  std::string rejection_message;
};

using ExportDone = std::function<void(ExportOutcome&&)>;

// Decodes `body` and passes it on; `done` runs exactly once, possibly on another thread.
// `transport` ("grpc", "http") labels the metrics.
void HandleTraceExport(std::string&& body, Encoding encoding, std::string_view tenant,
                       std::string_view transport, pipeline::TracesConsumer* consumer,
                       ExportDone done);

// The same for ExportLogsServiceRequest: the body is checked and counted (logs stay encoded),
// then handed to `consumer`.
void HandleLogsExport(std::string&& body, Encoding encoding, std::string_view tenant,
                      std::string_view transport, pipeline::LogsConsumer* consumer,
                      ExportDone done);

// ExportTraceServiceResponse in `encoding` (also the bytes of an ExportLogsServiceResponse when
// nothing was rejected: both are empty messages then); partial_success only when something was rejected.
std::string EncodeExportResponse(Encoding encoding, const ExportOutcome& outcome);

// google.rpc.Status {code, message} in `encoding`: the body of an OTLP/HTTP error response.
std::string EncodeRpcStatus(Encoding encoding, int grpc_code, std::string_view message);

}  // namespace th::ingest::otlp

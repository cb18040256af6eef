// How a gRPC answer becomes a Sender outcome (export/helper/sender.h), after the Collector's
// exporters (otlpexporter; the same table serves every gRPC exporter, otlp and jaeger):
// CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are retried;
// RESOURCE_EXHAUSTED only when the server attached RetryInfo, whose delay is honoured; every other
// code is permanent. The RetryInfo delay is read from the serialized google.rpc.Status details
// by hand (no google/rpc protos in the build), so this header needs no gRPC.
// Thread-safe: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/status.h"

namespace th::exporter::helper {

// The RetryInfo.retry_delay in serialized google.rpc.Status `details`, if there is one.
// Returns nullopt for no RetryInfo or malformed bytes.
std::optional<std::chrono::nanoseconds> RetryDelayFromGrpcDetails(std::string_view details);

// The outcome for gRPC code `code` (grpc::StatusCode numbering) with `message` and the status
// details bytes (grpc::Status::error_details()); OK for code 0. `endpoint` names the target in
// the message: "export to ENDPOINT failed: CODE_NAME: message".
Status OutcomeOfGrpcStatus(int code, std::string_view message, std::string_view details,
                           std::string_view endpoint);

}  // namespace th::exporter::helper

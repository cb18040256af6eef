// How an OTLP/gRPC answer becomes a Sender outcome (export/helper/sender.h), after the
// Collector's otlpexporter: the retryable codes, RESOURCE_EXHAUSTED only with RetryInfo, and the
// RetryInfo delay read from the google.rpc.Status details (parsed by hand: no google/rpc protos
// in the build). Thread-safe: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "common/status.h"

namespace th::exporter::otlp::internal {

// The RetryInfo.retry_delay in serialized google.rpc.Status `details`, if there is one.
// Returns nullopt for no RetryInfo or malformed bytes.
std::optional<std::chrono::nanoseconds> RetryDelayFromDetails(std::string_view details);

// The outcome for gRPC code `code` (grpc::StatusCode numbering) with `message` and the status
// details bytes; OK for code 0. `endpoint` names the target in the message.
Status OutcomeOf(int code, std::string_view message, std::string_view details,
                 std::string_view endpoint);

}  // namespace th::exporter::otlp::internal

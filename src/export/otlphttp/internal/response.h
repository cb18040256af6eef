// How an OTLP/HTTP answer becomes a Sender outcome (export/helper/sender.h), after the
// Collector's otlphttpexporter: status classes, Retry-After, partial success and the
// google.rpc.Status message of error bodies, in protobuf or JSON. Thread-safe: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace th::exporter::otlphttp::internal {

// Retry-After as delay-seconds or an HTTP date (relative to `now_unix_seconds`); nullopt when
// absent or unreadable. A date in the past is 0.
std::optional<std::chrono::nanoseconds> ParseRetryAfter(std::string_view value,
                                                        int64_t now_unix_seconds);

struct PartialSuccess {
  int64_t rejected_items = 0;  // rejected_spans or rejected_log_records
  std::string error_message;
};

// Parses a 2xx ExportTraceServiceResponse or ExportLogsServiceResponse body (the two share their
// layout; `json` picks the encoding by the response's Content-Type). An empty body is an empty
// response. InvalidArgument when it cannot be read.
Result<PartialSuccess> ParseExportResponse(std::string_view body, bool json);

// The outcome of a non-2xx answer: 429/502/503/504 retryable (with `retry_after`), others
// permanent; the message names the URL, the status and the server's message when the body is a
// google.rpc.Status.
Status OutcomeOfHttpStatus(int status, std::string_view body, bool json_body,
                           std::optional<std::chrono::nanoseconds> retry_after,
                           std::string_view url);

}  // namespace th::exporter::otlphttp::internal

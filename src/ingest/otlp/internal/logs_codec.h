// OTLP logs on the wire → LogsBatch. Protobuf is checked by parsing it (so a malformed request is
// refused, not forwarded) and its records counted; OTLP/JSON is converted to protobuf as the OTLP
// specification maps it (lowerCamelCase or snake_case keys, enums by name or number, 64-bit
// integers as strings or numbers, traceId/spanId as hex — not protobuf JSON's base64).
// Thread-safe: pure functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/logs_batch.h"

namespace th::ingest::otlp {

// Errors: InvalidArgument naming what is wrong.
Result<std::unique_ptr<model::LogsBatch>> DecodeOtlpLogsProto(std::string&& body,
                                                              std::string_view tenant);
Result<std::unique_ptr<model::LogsBatch>> DecodeOtlpLogsJson(std::string_view body,
                                                             std::string_view tenant);

}  // namespace th::ingest::otlp

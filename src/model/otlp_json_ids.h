// OTLP/JSON writes trace and span ids as hex, where protobuf's JSON mapping (what libprotobuf
// parses) wants base64. This rewrites one into the other, so OTLP/JSON can be parsed with
// libprotobuf (the logs receiver) and exported JSON checked with it (tests).
// Thread-safe: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace th::model {

// Rewrites the values of JSON object keys traceId/spanId (and trace_id/span_id) from hex to
// base64, leaving every other byte as it is. Errors: InvalidArgument for a value that is not hex.
Result<std::string> OtlpJsonHexIdsToBase64(std::string_view json);

}  // namespace th::model

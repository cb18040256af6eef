// OTLP/JSON for logs batches, which travel as protobuf (model/logs_batch.h): the encoding the
// otlphttp exporter (encoding: json) and the file exporter (format: json) write. It is
// protobuf's JSON mapping with the OTLP specification's exceptions: lowerCamelCase keys, enums
// as numbers, 64-bit integers as strings, and traceId/spanId as lower-case hex instead of base64
// (other bytes, such as a bytesValue body, stay base64 as the specification says).
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace th::exporter::helper {

// Converts an ExportLogsServiceRequest (protobuf bytes) to one line of OTLP/JSON (no newline),
// appended to *json. Errors: InvalidArgument when `proto` does not parse.
Status EncodeOtlpLogsJson(std::string_view proto, std::string* json);

// Rewrites the string values of the keys traceId and spanId in protobuf-JSON text from base64
// to hex; every other byte is kept. Exposed for tests. Errors: InvalidArgument for a value that
// is not base64.
Status Base64IdsToHex(std::string_view json, std::string* out);

}  // namespace th::exporter::helper

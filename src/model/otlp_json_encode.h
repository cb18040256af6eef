// Encoder from a SpanBatch to OTLP/JSON as the OTLP specification defines it: lowerCamelCase
// keys, hex trace and span ids, 64-bit integers as decimal strings, enums as integers, bytes as
// base64. Used by the load generator and by exporters that write JSON. Thread-safe: stateless.
#pragma once

#include <string>

#include "model/span_batch.h"

namespace th::model {

// Appends `{"resourceSpans":[…]}` for every span of `batch` to `out`.
void EncodeOtlpTracesJson(const SpanBatch& batch, std::string* out);

}  // namespace th::model

// Encoders from a SpanBatch to JSON: OTLP/JSON as the OTLP specification defines it
// (lowerCamelCase keys, hex trace and span ids, 64-bit integers as decimal strings, enums as
// integers, bytes as base64), used by the load generator and exporters; and the protobuf JSON
// mapping Tempo's HTTP API uses. Thread-safe: stateless.
#pragma once

#include <string>

#include "model/span_batch.h"

namespace th::model {

// Appends `{"resourceSpans":[…]}` for every span of `batch` to `out`.
void EncodeOtlpTracesJson(const SpanBatch& batch, std::string* out);

// Appends the ResourceSpans of every span of `batch` as the elements of a JSON array (without
// the brackets), in the protobuf JSON mapping Tempo's API answers with (Go's jsonpb, as
// libprotobuf's printer writes it): trace and span ids base64, span kind and status code as enum
// names, fields with default values left out. Parsed by a protobuf JSON parser it yields the
// same messages as the OTLP protobuf encoding of `batch` (tested), at a fraction of the cost of
// building messages and printing them.
void EncodeTempoResourceSpansJson(const SpanBatch& batch, std::string* out);

}  // namespace th::model

// Encoder from a SpanBatch to OTLP protobuf bytes (ExportTraceServiceRequest, which has the
// same bytes as TracesData), written by hand for the hot path (WAL records, load generator).
// Consecutive spans of one scope become one ScopeSpans, consecutive scopes of one resource one
// ResourceSpans. Thread-safe: stateless.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "model/span_batch.h"

namespace th::model {

// Appends the encoding of every span of `batch` to `out`.
void EncodeOtlpTraces(const SpanBatch& batch, std::string* out);

// Appends the encoding of the spans `span_indices` (in that order) of `batch` to `out`.
void EncodeOtlpTraces(const SpanBatch& batch, std::span<const uint32_t> span_indices,
                      std::string* out);

}  // namespace th::model

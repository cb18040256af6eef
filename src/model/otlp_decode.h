// Decoders from the OTLP wire formats into a SpanBatch: protobuf (the ingest hot path, a
// hand-written wire reader that never builds libprotobuf messages) and OTLP/JSON.
//
// Errors: a body that is not a well-formed ExportTraceServiceRequest (truncated, bad wire type,
// invalid UTF-8 in a string field, JSON syntax, a field of the wrong type) fails the whole request
// with InvalidArgument and a message naming the field and where it is
// (`resource_spans[0].scope_spans[1].spans[7].name: invalid UTF-8`). A well-formed span whose ids
// are unusable (trace id not 16 bytes or all zero, span id not 8 bytes or all zero, parent span id
// neither empty nor 8 bytes) is dropped alone and counted in `rejected_spans`, with the first
// reason in `rejection_message` — the OTLP partial-success answer.
// Thread-safe: stateless functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/span_batch.h"

namespace th::model {

struct DecodedTraces {
  std::unique_ptr<SpanBatch> batch;
  int64_t rejected_spans = 0;
  std::string rejection_message;  // empty when nothing was rejected
};

// Decodes protobuf `body` (ExportTraceServiceRequest, same bytes as TracesData). The batch adopts
// `body` into its arena and its string_views point into it (no copies).
Result<DecodedTraces> DecodeOtlpTracesProto(std::string&& body, std::string_view tenant);
// The same into `*batch`, which is cleared first and keeps its vectors' capacity (for decoding
// one body after another without fresh memory each time). The batch's views point into `body`,
// which must outlive its use. Returns how many spans were rejected.
Result<int64_t> DecodeOtlpTracesProtoInto(std::string_view body, std::string_view tenant,
                                          SpanBatch* batch);

// Decodes OTLP/JSON `body` as the OTLP specification defines it: lowerCamelCase keys (snake_case
// accepted too), trace and span ids as hex (either case), enums as integers or names, 64-bit
// integers as JSON numbers or strings, bytes values as base64. Strings are copied into the
// batch's arena.
Result<DecodedTraces> DecodeOtlpTracesJson(std::string_view body, std::string_view tenant);

}  // namespace th::model

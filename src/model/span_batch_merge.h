// Joining and cutting SpanBatches, for stages that regroup spans (batch processor, tail
// sampling): AppendBatch moves a whole batch onto the end of another without copying a string
// (the arena is adopted); CopySpans deep-copies chosen spans, with only the resources, scopes,
// attributes, events and links they use, into a new batch.
// Thread-safety: none (batches have one owner).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "model/span_batch.h"

namespace th::model {

// Appends every span of `src` (with its resources and scopes) to `dst`. Both must be of the same
// tenant. `dst->otlp_encoding` is cleared unless `dst` was empty (then it takes src's); the
// per-span `wire` views stay valid.
void AppendBatch(SpanBatch* dst, std::unique_ptr<SpanBatch> src);

// Joins batches of one tenant into one, in order. When every part carries its protobuf encoding,
// the result's otlp_encoding is their concatenation — a valid ExportTraceServiceRequest, whose
// only field is repeated — with the `wire` and `schema_url` views of resources, scopes and spans
// pointing into it, as a decoded batch's do (the store indexes spans by offsets into it). So a
// batch of unchanged requests is never encoded again.
std::unique_ptr<SpanBatch> JoinBatches(std::vector<std::unique_ptr<SpanBatch>> parts);

// A new batch (same tenant) with spans `indices` of `src`, in that order. No `wire` views and no
// otlp_encoding: the copy is not a slice of any received body.
std::unique_ptr<SpanBatch> CopySpans(const SpanBatch& src, std::span<const uint32_t> indices);

// Deep-copies the attribute list `r` of `src` (nested values too, strings into dst's arena) onto
// the end of `dst`'s pools; returns where it lies in `dst`.
Range CopyAttributes(const SpanBatch& src, Range r, SpanBatch* dst);

}  // namespace th::model

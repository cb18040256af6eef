// Bookkeeping for stages that change a SpanBatch in place (filter, attributes, resource).
// Not thread-safe: the caller owns the batch.
#pragma once

#include "model/span_batch.h"

namespace th::pipeline::processor {

// Forgets the cached protobuf bytes (`otlp_encoding` and every `wire` view of it: spans, scopes,
// resources), which no longer describe the batch once a stage changed it. Call after any change.
void MarkModified(model::SpanBatch& batch);

// Drops scopes no span refers to and resources no scope refers to, renumbering the rest in
// order; the Collector removes ScopeSpans and ResourceSpans that filtering left empty.
void DropUnreferencedScopes(model::SpanBatch& batch);

}  // namespace th::pipeline::processor

// SpanDedup: keeps each span once when a trace's spans are gathered from several places (head
// generations, blocks, retried requests): spans are the same when trace id and span id are, and
// the first occurrence wins. Used by trace-by-id merging, block cutting and compaction.
// Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/ids.h"
#include "model/span_batch.h"

#include "absl/container/flat_hash_set.h"

namespace th::store {

class SpanDedup {
 public:
  // True the first time (trace, span) is offered.
  bool FirstTime(const model::TraceId& trace, const model::SpanId& span) {
    Key k;
    std::copy(trace.bytes.begin(), trace.bytes.end(), k.begin());
    std::copy(span.bytes.begin(), span.bytes.end(), k.begin() + 16);
    return seen_.insert(k).second;
  }
  // The indices of `batch`'s spans not offered before, in order; offers them.
  std::vector<uint32_t> NewSpans(const model::SpanBatch& batch);

 private:
  using Key = std::array<uint8_t, 24>;
  absl::flat_hash_set<Key> seen_;
};

// The spans of `parts` (each span once; see SpanDedup) as OTLP TracesData bytes.
std::string MergeTraceParts(const std::vector<const model::SpanBatch*>& parts);

}  // namespace th::store

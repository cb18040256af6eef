// BlockWriter: builds one block (docs/formats/block.md) from traces and writes its objects to a
// Backend under "<tenant>/<block-id>/": data, index and bloom first, meta last, so the block
// becomes visible to readers all at once or not at all.
//
// Traces are added as spans of SpanBatches; the writer keeps pointers to those batches and reads
// them only in Finish(), so every batch passed in must outlive Finish(). Spans of one trace may
// come from several Add calls and batches; they are stored together, in the order added.
// Equal resources and scopes are stored once per row group.
// Thread-compatible: one thread at a time; a writer builds one block.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/span_batch.h"
#include "store/backend/backend.h"
#include "store/block/block_meta.h"

namespace th::store::block {

struct BlockWriterOptions {
  std::string tenant = std::string(model::kDefaultTenant);
  std::string block_id;  // required: unique per tenant, a valid key segment
  // A row group is closed once it holds at least this many spans (traces are never split).
  uint32_t target_spans_per_row_group = 4096;
  // Span attribute keys given their own value columns: the most frequent, up to this many.
  uint32_t max_dedicated_keys = 16;
  int zstd_level = 3;
  // Lineage, copied into the meta (block_meta.h).
  uint32_t compaction_level = 0;
  uint64_t wal_segment_end = 0;
  std::vector<std::string> sources;
  uint64_t created_unix_nano = 0;  // 0: now
};

// "<tenant>/<block-id>/<object>".
std::string BlockObjectKey(std::string_view tenant, std::string_view block_id,
                           std::string_view object);

class BlockWriter {
 public:
  // Requires: `backend` outlives the writer.
  BlockWriter(backend::Backend* backend, BlockWriterOptions options);

  // Adds the spans `span_indices` of `batch`, which must all belong to one trace. Errors:
  // InvalidArgument for an index out of range or spans of different traces; FailedPrecondition
  // after Finish. Requires: `batch` outlives Finish().
  Status AddTrace(const model::SpanBatch& batch, std::span<const uint32_t> span_indices);
  // Adds every span of `batch`, grouped by trace id. Requires: as AddTrace.
  Status AddBatch(const model::SpanBatch& batch);

  // Encodes and writes the block; returns its meta. On error nothing is visible (meta is not
  // written); objects already put are left for garbage collection. Errors: the backend's, or
  // InvalidArgument for a block too large for one page of a column.
  Result<BlockMeta> Finish();

  uint64_t span_count() const { return spans_.size(); }

 private:
  struct PendingSpan {
    model::TraceId trace_id;
    uint32_t batch;
    uint32_t span;
  };
  // Orders spans by trace id (bytes compared as two big-endian words: inline, where the array's
  // operator< is a memcmp call per comparison, which dominated sorting a block's spans).
  static bool TraceIdLess(const PendingSpan& a, const PendingSpan& b);
  uint32_t BatchIndex(const model::SpanBatch& batch);

  backend::Backend* backend_;
  BlockWriterOptions options_;
  std::vector<const model::SpanBatch*> batches_;
  std::vector<PendingSpan> spans_;
  bool finished_ = false;
};

}  // namespace th::store::block

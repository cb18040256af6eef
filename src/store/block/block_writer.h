// BlockWriter: builds one block (docs/formats/block.md) from traces and writes its objects to a
// Backend under "<tenant>/<block-id>/": data, index and bloom first, meta last, so the block
// becomes visible to readers all at once or not at all.
//
// Traces are added as spans of SpanBatches; the writer keeps pointers to those batches and reads
// them only in Finish(), so every batch passed in must outlive Finish(). Spans of one trace may
// come from several Add calls and batches; they are stored together, in the order added.
// Equal resources and scopes are stored once per block.
//
// Or, so that only one row group's spans need be in memory (cutting a block from the head,
// compaction), the block is given a row group at a time, in trace-id order: StartRowGroups, then
// spans and EndRowGroup (or AddRowGroup) for each row group, then Finish.
// Thread-compatible: one thread at a time; a writer builds one block.
#pragma once

#include <cstdint>
#include <memory>
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
  ~BlockWriter();

  // Adds the spans `span_indices` of `batch`, which must all belong to one trace. Errors:
  // InvalidArgument for an index out of range or spans of different traces; FailedPrecondition
  // after Finish. Requires: `batch` outlives Finish().
  Status AddTrace(const model::SpanBatch& batch, std::span<const uint32_t> span_indices);
  // Adds every span of `batch`, grouped by trace id. Requires: as AddTrace.
  Status AddBatch(const model::SpanBatch& batch);

  // Starts a block written row group by row group: spans added (AddTrace, AddBatch) up to each
  // EndRowGroup make one row group, and their batches need only outlive that call, so only one
  // row group's spans need be in memory. Row groups come in trace-id order. `trace_count` sizes
  // the bloom filter (an estimate will do). The dedicated keys are counted over the first
  // `sample_spans` spans (trace ids being random, a fair sample of the block's traces): the row
  // groups before that are held, copied, and written once the keys are chosen. Errors:
  // FailedPrecondition after spans were added.
  Status StartRowGroups(uint64_t trace_count, uint64_t sample_spans = kDedicatedKeySampleSpans);
  // Ends the current row group (the spans added since the last call, whole traces, stably grouped
  // by trace). Errors: InvalidArgument when a trace does not follow the previous row group's in
  // id order (the row group is dropped); FailedPrecondition before StartRowGroups; the backend's.
  Status EndRowGroup();
  // AddBatch(batch), then EndRowGroup().
  Status AddRowGroup(const model::SpanBatch& batch);
  static constexpr uint64_t kDedicatedKeySampleSpans = 32768;

  // Encodes and writes the block (what remains of it, row group by row group); returns its meta.
  // On error nothing is visible (meta is not written); objects already put are left for garbage
  // collection. Errors: the backend's, or InvalidArgument for a block too large for one page of a
  // column.
  Result<BlockMeta> Finish();

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
  Status CheckAdding() const;
  // Opens the data object and sets up the block's meta, bloom filter and tables.
  Status Open(std::vector<std::string> dedicated_keys, uint64_t trace_count, bool copy_tables);
  // Streaming: chooses the dedicated keys from the held row groups, opens, writes them.
  Status ChooseKeysAndWriteHeld();

  struct Build;
  struct Streaming;
  backend::Backend* backend_;
  BlockWriterOptions options_;
  std::vector<const model::SpanBatch*> batches_;
  std::vector<PendingSpan> spans_;
  std::unique_ptr<Build> build_;          // set once the data object is open
  std::unique_ptr<Streaming> streaming_;  // set by StartRowGroups
  bool finished_ = false;
};

}  // namespace th::store::block

// BlockMeta: what a block's `meta` object holds (docs/formats/block.md, "meta"): identity, time
// range, counts, object sizes, dedicated keys, column names, index page and bloom shard
// locations, and each row group's column chunk directory with statistics. EncodeBlockMeta writes
// the current version; DecodeBlockMeta dispatches on the stored version. Plain value;
// thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/ids.h"
#include "store/block/bloom.h"
#include "store/block/internal/columns.h"

namespace th::store::block {

// 2 added the lineage (compaction level, WAL segment end, creation time, sources); readers
// still read version 1 metas, whose lineage is empty.
inline constexpr uint32_t kBlockFormatVersion = 2;

// Object names inside "<tenant>/<block-id>/".
inline constexpr std::string_view kMetaObject = "meta";
inline constexpr std::string_view kDataObject = "data";
inline constexpr std::string_view kIndexObject = "index";
inline constexpr std::string_view kBloomObject = "bloom";

// Entries per index page and bytes per entry (trace id, row group, first span row, span count).
inline constexpr uint32_t kIndexEntriesPerPage = 1024;
inline constexpr size_t kIndexEntryBytes = 28;

struct ObjectRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct IndexPageInfo {
  model::TraceId first_trace_id;
  ObjectRange range;
};

struct RowGroupInfo {
  ObjectRange range;  // in `data`
  uint32_t trace_count = 0;
  uint32_t span_count = 0;
  model::TraceId first_trace_id;
  model::TraceId last_trace_id;
  uint64_t min_start_unix_nano = 0;
  uint64_t max_end_unix_nano = 0;
  std::vector<internal::ChunkInfo> chunks;
};

// The block's resource and scope tables, after the row groups in `data`.
struct TablesInfo {
  ObjectRange range;
  std::vector<internal::ChunkInfo> chunks;
};

struct BlockMeta {
  uint32_t version = kBlockFormatVersion;
  std::string tenant;
  std::string block_id;
  uint64_t min_start_unix_nano = 0;
  uint64_t max_end_unix_nano = 0;
  uint64_t span_count = 0;
  uint64_t trace_count = 0;
  uint64_t data_size = 0;
  uint64_t index_size = 0;
  uint64_t bloom_size = 0;
  std::vector<std::string> dedicated_keys;
  std::vector<std::string> column_names;
  std::vector<IndexPageInfo> index_pages;
  BloomShape bloom;
  std::vector<ObjectRange> bloom_shards;
  std::vector<RowGroupInfo> row_groups;
  TablesInfo tables;

  // Lineage (version 2).
  // 0 for a block cut from the head; a compacted block is one more than its highest source.
  uint32_t compaction_level = 0;
  // The first WAL segment whose records are NOT in this block (0: unknown, e.g. compaction
  // inputs without it): on replay, records of this tenant in older segments are already here.
  uint64_t wal_segment_end = 0;
  uint64_t created_unix_nano = 0;
  // Block ids this block replaces (compaction). Once it is visible they are garbage, even if
  // a crash left them behind.
  std::vector<std::string> sources;
};

// The meta object's bytes for `meta` at `version` (older versions only for tests of readers;
// fields a version lacks are dropped). Errors: as AppendPage; InvalidArgument for a version
// this writer does not know.
Result<std::string> EncodeBlockMeta(const BlockMeta& meta, uint32_t version = kBlockFormatVersion);

// Parses a meta object. Errors: DataLoss for a bad magic, checksum or body (naming `what`, e.g.
// the object key); FailedPrecondition for a version this reader does not know.
Result<BlockMeta> DecodeBlockMeta(std::string_view bytes, std::string_view what);

}  // namespace th::store::block

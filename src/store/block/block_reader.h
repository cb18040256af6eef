// BlockReader: reads a block written by BlockWriter (docs/formats/block.md). Open reads the meta
// object and dispatches on its format version; FindTrace answers a trace id from one bloom
// shard, one index page and one row group; Scan decodes every row group and hands over each
// trace as its own SpanBatch.
//
// Bloom shards and index pages, once read and verified, are kept in a PageCache (page_cache.h;
// by default the process's, 256 MiB) until the reader is destroyed or the cache evicts them, so
// repeated look-ups read only the row group of a trace the block holds, and nothing for one it
// does not. The column pages a filtered scan evaluates are kept likewise, in
// PageCache::Columns(), so that a repeated query reads nothing for the row groups it rules out.
//
// Corruption: a page that fails its checksum or decode is DataLoss naming the block, row group,
// column and page. It only affects the row group holding it: look-ups of other traces work, and
// Scan goes on with the next row group and reports the first error at the end.
// Thread-safe: immutable after Open; FindTrace and Scan may run concurrently. The reader must not
// outlive its Backend.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/ids.h"
#include "model/span_batch.h"
#include "store/backend/backend.h"
#include "store/block/block_meta.h"
#include "store/block/page_cache.h"
#include "store/block/scan_predicate.h"
#include "store/block/internal/attributes.h"

namespace th::store::block {

class BlockReader {
 public:
  // Reads and parses "<tenant>/<block-id>/meta". Errors: NotFound when the block is absent (or
  // not yet visible); DataLoss for a corrupt meta or one naming another block;
  // FailedPrecondition for an unknown format version; the backend's errors.
  // `cache` keeps bloom shards and index pages between look-ups (null: none); it must outlive
  // the reader.
  static Result<std::unique_ptr<BlockReader>> Open(backend::Backend* backend,
                                                   std::string_view tenant,
                                                   std::string_view block_id,
                                                   PageCache* cache = PageCache::Default());
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  const BlockMeta& meta() const { return meta_; }

  // The spans of trace `id` in this block as a batch, or nullptr when the block holds none.
  // Errors: DataLoss for a corrupt bloom shard, index page or row group; the backend's errors.
  Result<std::unique_ptr<model::SpanBatch>> FindTraceBatch(const model::TraceId& id) const;

  // The trace as OTLP protobuf bytes (ExportTraceServiceRequest), or nullopt when absent.
  // Errors: as FindTraceBatch.
  Result<std::optional<std::string>> FindTrace(const model::TraceId& id) const;

  // Calls `fn` with each trace of the block, in trace id order, as a batch of its own. Stops at
  // and returns the first error `fn` returns. A row group that cannot be read is skipped; after
  // the last row group, the first such error (DataLoss, or the backend's) is returned.
  Status Scan(const std::function<Status(std::unique_ptr<model::SpanBatch>&&)>& fn) const;
  // Calls `fn` with each trace of row group `index`, in trace id order, as a batch of its own
  // (a merge reads several blocks a row group at a time). Errors: InvalidArgument for an index
  // out of range; DataLoss for a corrupt row group; the backend's; the first error of `fn`.
  Status ScanRowGroup(uint32_t index,
                      const std::function<Status(std::unique_ptr<model::SpanBatch>&&)>& fn) const;
  // As Scan, skipping row groups (by their statistics) with no span overlapping
  // [start_unix_nano, end_unix_nano]; traces of other row groups are passed whole.
  Status ScanRange(uint64_t start_unix_nano, uint64_t end_unix_nano,
                   const std::function<Status(std::unique_ptr<model::SpanBatch>&&)>& fn) const;
  // As ScanRange, also skipping the block, row groups and traces that `predicate` rules out
  // (scan_predicate.h); what was skipped is added to `*skips` (may be null).
  Status ScanFiltered(uint64_t start_unix_nano, uint64_t end_unix_nano,
                      const ScanPredicate& predicate,
                      const std::function<Status(std::unique_ptr<model::SpanBatch>&&)>& fn,
                      ScanSkips* skips) const;
  // The traces ScanFiltered would pass, counted from the predicate's columns alone (nothing
  // else is decoded, no trace is built); every trace overlapping the range when `predicate` is
  // empty. Errors: the backend's (a row group whose columns cannot be read counts whole).
  Result<uint64_t> CountCandidateTraces(uint64_t start_unix_nano, uint64_t end_unix_nano,
                                        const ScanPredicate& predicate, ScanSkips* skips) const;

  // Hooks for VerifyBlock (block_verify.h), which keeps going past the problems Open stops at.
  //
  // A reader over an already decoded `meta`. Loads the tables when it can; `*tables_status`
  // receives the outcome, and after an error the reader holds empty tables. Unlike Open it
  // checks neither the meta's identity nor its row groups: see DecodeRowGroup's Requires.
  static std::unique_ptr<BlockReader> OpenForVerify(backend::Backend* backend, BlockMeta meta,
                                                    Status* tables_status);
  // Decodes row group `index` from `bytes` (its whole range of `data`) and calls `fn` with each
  // trace as a batch of its own, in order. With `build_batches` false (for a reader whose tables
  // did not load) every trace is decoded and checked but not built, and `fn` is not called.
  // Returns the first decode error (DataLoss naming the row group, column and page) or the first
  // error of `fn`. Requires: index < meta().row_groups.size(), and the row group passes Open's
  // checks (trace_count <= span_count <= kMaxValuesPerPage).
  Status DecodeRowGroup(uint32_t index, std::string_view bytes, bool build_batches,
                        const std::function<Status(std::unique_ptr<model::SpanBatch>&&)>& fn) const;

 private:
  BlockReader(backend::Backend* backend, BlockMeta meta, PageCache* cache);
  std::string Key(std::string_view object) const;
  // ScanFiltered (fn set) and CountCandidateTraces (fn null, `candidates` set).
  Status FilterRowGroups(uint64_t start_unix_nano, uint64_t end_unix_nano,
                         const ScanPredicate& predicate,
                         const std::function<Status(std::unique_ptr<model::SpanBatch>&&)>* fn,
                         ScanSkips* skips, uint64_t* candidates) const;
  // Reads row group `index`'s bytes from the data object (for RowGroupColumns::ReadLazily).
  std::function<Result<std::string>()> RowGroupBytes(uint32_t index) const;
  // Reads the resource and scope tables into tables_.
  Status LoadTables();
  // Fetches a page of `object` at `range` and returns its payload in *scratch.
  Status ReadObjectPage(std::string_view object, const ObjectRange& range, std::string_view what,
                        std::string* scratch, std::string_view* payload) const;
  // The payload of page `page` (cache key) of `object` at `range`: from cache_ when it holds it,
  // else read, verified as ReadObjectPage does and then cached.
  Result<std::shared_ptr<const std::string>> CachedObjectPage(std::string_view object,
                                                              const ObjectRange& range,
                                                              std::string_view what,
                                                              uint64_t page) const;

  backend::Backend* backend_;
  PageCache* cache_;          // may be null
  uint64_t cache_owner_ = 0;  // this reader's pages in cache_
  // Column pages of filtered scans (PageCache::Columns(); null when cache_ is).
  PageCache* column_cache_;
  uint64_t column_owner_ = 0;
  BlockMeta meta_;
  internal::ColumnNameIndex column_index_;  // over meta_.column_names
  internal::DedicatedKeys dedicated_;
  std::unique_ptr<model::SpanBatch> tables_;  // resources and scopes every row group refers to
};

}  // namespace th::store::block

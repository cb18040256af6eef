// Store: the trace store of `tracehouse serve` — the write-ahead log for durability, the head for
// recent spans, and columnar blocks in a backend (local disk or S3) for everything older, with
// compaction and retention underneath.
//
// Write path: Append() frames the batch's OTLP bytes with its tenant into one WAL record; once
// the WAL reports the record durable, the spans are indexed in the active head and only then is
// the caller's callback run with OK — so an acknowledged span is always both durable and
// readable.
//
// Cutting blocks: the flusher thread watches the active head; past `max_block_bytes` of OTLP or
// `max_block_duration` of age it rotates the WAL (wal.h: Rotate), and in the same step freezes
// the head and starts a new one, so the frozen head holds exactly the records of the WAL
// segments below the rotation. Each tenant of the frozen head becomes one block (meta names that
// WAL boundary); once a tenant's block is durable it is published in the catalog and the tenant
// dropped from the frozen head in one step (readers see the spans in one place or the other,
// never both, never neither). When every tenant of a frozen head is in blocks, the WAL segments
// below its boundary are removed. A failed block write keeps the frozen head (readable) and is
// retried with back-off; nothing is acknowledged twice or lost. While a cut is being written the
// active head may grow to `max_head_bytes`; past it appends are refused as retryable
// (back-pressure), so a flusher slower than ingest cannot exhaust memory.
//
// Open(): loads the catalog, then replays the WAL into the head, skipping each record whose
// tenant already has a block covering its segment (a crash after the block became visible but
// before the WAL segments were removed). New WAL segments are numbered above every block's WAL
// boundary, so no later record is mistaken for a flushed one.
//
// Backend unreachable or refusing at Open (wrong credentials, server down): the store still
// opens, logs the error, replays the whole WAL and accepts spans (durable in the WAL, readable
// from the head), but blocks are invisible and nothing is flushed until a later attempt loads the
// catalog (the flusher retries with back-off; FlushForTest returns the error). New WAL segments
// are then numbered from the wall clock in milliseconds, above any boundary the blocks can hold.
// Records replayed in that state that a block already held (a crash between publishing a block
// and removing its WAL segments) are written to a block again; a warning names the tenant, and
// reads and compaction keep each span once.
//
// Reads: trace by id merges the head generations and every block that may hold the trace (time
// range, bloom filter), each span once (span_dedup.h). Scans visit head generations, newest
// first, then blocks; a trace split between the head and a block, or over blocks that
// compaction has not joined yet, is visited once per part (as Tempo evaluates per block).
//
// WAL record payload (docs/formats/wal.md, "Payload"): u8 kind (1 = spans) | u16 LE tenant length
// | tenant bytes | OTLP ExportTraceServiceRequest bytes.
//
// Thread-safety: Append, FindTrace, Scan and Stats may be called concurrently from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "model/span_batch.h"
#include "store/head/head.h"
#include "store/scan.h"
#include "store/wal/wal.h"

namespace th::store {

namespace backend {
class Backend;
}
namespace catalog {
class Catalog;
struct TenantBlocks;
}
class Compactor;
struct CompactorOptions;

struct StoreOptions {
  std::string data_dir = "./data";  // the WAL lives in <data_dir>/wal
  wal::Options wal;                 // `dir` is filled from data_dir
  // Where blocks go. Null: a local backend rooted at <data_dir>/blocks, owned by the store.
  std::shared_ptr<backend::Backend> backend;

  // Cutting blocks from the head.
  bool cut_blocks = true;
  uint64_t max_block_bytes = 256ull << 20;                // OTLP bytes in the active head
  std::chrono::milliseconds max_block_duration{5 * 60 * 1000};  // age of the active head
  std::chrono::milliseconds flush_check_interval{1000};
  // Back-pressure: while a cut is still being written, appends are refused (ResourceExhausted,
  // which receivers answer as "retry later") once the active head holds this many OTLP bytes,
  // so a flusher slower than ingest cannot fill memory. 0: 2 × max_block_bytes.
  uint64_t max_head_bytes = 0;
  uint32_t target_spans_per_row_group = 4096;

  // Compaction and retention (compactor.h); null: the defaults.
  std::shared_ptr<const CompactorOptions> compactor;
  bool compact = true;
  // Deletion delays for blocks replaced by compaction and for orphan uploads (catalog.h).
  std::chrono::seconds compacted_grace{300};
  std::chrono::seconds orphan_grace{3600};
};

struct StoreStats {
  HeadStats head;            // the active and frozen heads together
  uint64_t frozen_heads = 0;  // cut, waiting for their blocks
  uint64_t blocks = 0;
  uint64_t block_spans = 0;
  uint64_t block_bytes = 0;
};

class Store {
 public:
  ~Store();

  // Opens the store: the backend, the catalog, the WAL (replayed into the head), the flusher
  // and the compactor.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);

  // Makes `batch` durable, indexes it, then calls `done` (on the WAL's writer thread) with OK;
  // or calls `done` with the WAL's error (ResourceExhausted when too much is queued).
  void Append(std::unique_ptr<model::SpanBatch>&& batch, std::function<void(const Status&)> done);

  // The trace as OTLP protobuf (TracesData bytes), each span once. NotFound when unknown.
  // Errors from blocks (DataLoss, backend errors) are returned only when nothing was found.
  Result<std::string> FindTrace(std::string_view tenant, const model::TraceId& id,
                                const TimeRange& range) const;

  // Visits traces for the query engine (store/scan.h).
  Status Scan(const ScanRequest& request, const TraceVisitor& visit, ScanStats* stats) const;

  // The heads' figures (what the API's head gauges show).
  HeadStats Stats() const;
  StoreStats FullStats() const;
  const wal::ReplayReport& replay_report() const { return replay_report_; }
  uint64_t replay_skipped_records() const { return replay_skipped_; }

  // Cuts the active head into blocks now and waits until every frozen head is in blocks.
  Status FlushForTest();
  // Runs one round of compaction and retention now.
  Status CompactForTest();
  catalog::Catalog* catalog() const { return catalog_.get(); }

  // Stops the flusher and compactor, commits what is queued and closes the WAL. Appends after
  // Close fail. The head is not flushed: the WAL replays it on the next Open.
  Status Close();

 private:
  struct Generation;
  struct Flusher;

  Store();
  // Indexes one framed record (replay and the write path share it).
  Status IndexRecord(std::shared_ptr<const std::string> record);
  // ResourceExhausted when block writing is behind ingest (see StoreOptions::max_head_bytes).
  Status CheckFlushBacklog() const;
  // The active head and the frozen ones, newest first.
  std::vector<std::shared_ptr<const Head>> Heads() const;
  // What a read of `tenant` sees: the heads (newest first) and its blocks, from one moment.
  // An empty tenant leaves `blocks` null.
  struct ReadView {
    std::vector<std::shared_ptr<const Head>> heads;
    std::shared_ptr<const catalog::TenantBlocks> blocks;
  };
  ReadView View(std::string_view tenant) const;
  // Indexes one durable record in the active head (replay and the write path).
  void AddToActiveHead(std::string_view tenant, std::shared_ptr<const std::string> owner,
                       std::string_view otlp, const model::SpanBatch& batch);
  // Loads the catalog if Open could not; the error otherwise.
  Status LoadCatalogIfNeeded();
  // Rotates the WAL and freezes the active head.
  Status Cut();
  // Writes blocks for the frozen heads, oldest first; stops at the first failure.
  Status FlushFrozen();
  Status FlushGeneration(Generation* gen);
  void FlusherLoop();

  StoreOptions options_;
  std::shared_ptr<backend::Backend> backend_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<Compactor> compactor_;
  std::unique_ptr<wal::Wal> wal_;
  wal::ReplayReport replay_report_;
  uint64_t replay_skipped_ = 0;
  std::atomic<bool> catalog_loaded_{false};
  // While the catalog is not loaded: the lowest WAL segment replayed per tenant.
  std::map<std::string, uint64_t, std::less<>> replayed_unchecked_;
  std::unique_ptr<Flusher> flusher_;
  bool closed_ = false;
};

}  // namespace th::store

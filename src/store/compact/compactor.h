// Compactor: merges a tenant's small blocks into bigger ones and deletes blocks past retention,
// in the background, within a CPU budget.
//
// Compaction: blocks whose newest span ends in the same time window are merged, smallest first,
// up to `max_inputs` blocks and `max_output_spans` spans per output. The output joins each
// trace's spans from every input (a trace split across blocks becomes whole) and keeps each span
// once (span_dedup.h). Its meta names the inputs as sources, so the step that publishes it also
// retires them — for this process through the catalog, and after a crash through the catalog's
// load, which hides the sources of every visible block. Inputs are deleted only after the output
// is durable (and after the catalog's grace). A crash at any step loses nothing and duplicates
// nothing: before the output's meta is visible the inputs are the truth; after, the output is.
//
// Retention: a block whose newest span ended longer ago than the tenant's retention (or the
// global one) is dropped from the catalog, then deleted, meta first.
//
// Thread-safety: RunOnce may be called from any thread, one call at a time; Start/Stop run it on
// a thread of the compactor's own.
#pragma once

#include <atomic>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/block/block_meta.h"
#include "store/block/block_reader.h"
#include "store/catalog/catalog.h"

namespace th::store {

struct CompactorOptions {
  std::chrono::milliseconds interval{30'000};  // between rounds
  std::chrono::seconds window{3600};           // blocks merge only within one window
  uint32_t min_inputs = 2;
  uint32_t max_inputs = 8;
  uint64_t max_output_spans = 2'000'000;
  uint32_t target_spans_per_row_group = 4096;
  // Compression of the merged blocks' cold pages. Higher than the cut's level 3: compaction runs
  // in the background and its output is what stays for weeks (level 13 stores loadgen spans in
  // ~24.3 B instead of ~26.0 B at ~60 % of the build speed; BENCHMARKS.md).
  int zstd_level = 13;
  // Fraction of one core the background work may use: after a job of d seconds it rests
  // d * (1 / cpu_budget - 1).
  double cpu_budget = 0.5;
  // 0: keep forever.
  std::chrono::seconds retention{0};
  std::map<std::string, std::chrono::seconds, std::less<>> tenant_retention;
};

using BlockList = std::vector<std::shared_ptr<const block::BlockReader>>;

// The compaction jobs for one tenant's blocks: each a set of blocks to merge into one. Blocks of
// one window are packed up to max_inputs and max_output_spans; a cut block (level 0) of
// max_output_spans or more is a job alone, rewritten once at the compaction's zstd level.
std::vector<BlockList> PlanCompactions(const catalog::TenantBlocks& blocks,
                                       const CompactorOptions& options);

// The ids of blocks past `retention` (0: none) at `now_unix_nano`.
std::vector<std::string> ExpiredBlocks(const catalog::TenantBlocks& blocks,
                                       std::chrono::seconds retention, uint64_t now_unix_nano);

// Writes the merge of `inputs` as a new block of `tenant` and returns its meta; the block is
// durable but not yet in the catalog. When `*cancel` becomes true the merge stops early with
// Cancelled (its partial output is never published; garbage collection removes it), so shutting
// down never waits for a long merge. When `rest` is set it is called after each output row
// group with the time spent since the last call, so that a long merge stays within the CPU
// budget while it runs rather than only resting after it; when it returns false (shutting down)
// the merge stops with Cancelled.
using RestFn = std::function<bool(std::chrono::steady_clock::duration busy)>;
Result<block::BlockMeta> MergeBlocks(backend::Backend* backend, std::string_view tenant,
                                     const BlockList& inputs, const CompactorOptions& options,
                                     const std::atomic<bool>* cancel = nullptr,
                                     const RestFn& rest = nullptr);

class Compactor {
 public:
  // Requires: `catalog` outlives the compactor.
  Compactor(catalog::Catalog* catalog, CompactorOptions options);
  ~Compactor();

  // One round over every tenant: retention, then compaction jobs, then garbage collection.
  // Returns the first error; later tenants and jobs are still tried.
  Status RunOnce();

  void Start();
  void Stop();

 private:
  struct Thread;
  // Rests after a job of `busy` so the work stays within the CPU budget; false when stopping.
  bool Rest(std::chrono::steady_clock::duration busy);

  catalog::Catalog* catalog_;
  CompactorOptions options_;
  std::unique_ptr<Thread> thread_;
};

}  // namespace th::store

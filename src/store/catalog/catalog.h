// Catalog: the list of visible blocks of every tenant, published as immutable snapshots. Readers
// take a snapshot (a shared_ptr to a const list) and use it without locks for as long as they
// like; writers (flush, compaction, retention) publish a new list with one swap, so a reader
// sees a block list as it was before or after a change, never half of one.
//
// Visibility rules (docs/formats/block.md): a block exists once its `meta` object exists. A block
// named as a source by another visible block has been compacted: it is hidden at once and its
// objects deleted after `compacted_grace` (other processes may still be reading it). A block
// folder without a meta is an upload in flight or left by a crash: it is deleted once its id's
// creation time is older than `orphan_grace`.
//
// Several processes over one bucket: after every change the owner writes "<tenant>/index", the
// list of the tenant's visible block ids (catalog_index.md). A process that only reads loads that
// object instead of listing the bucket, and so sees exactly the list the owner published.
//
// Thread-safe: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/backend/backend.h"
#include "store/block/block_reader.h"

namespace th::store::catalog {

// One tenant's visible blocks, sorted by min start time then block id. Immutable.
struct TenantBlocks {
  std::vector<std::shared_ptr<const block::BlockReader>> blocks;
  // The highest `wal_segment_end` of any block the tenant ever had in this catalog: WAL records
  // of this tenant in older segments are already in blocks.
  uint64_t wal_segment_end = 0;
  uint64_t span_count = 0;
  uint64_t byte_count = 0;  // data + index + bloom (meta not counted)
};

struct CatalogOptions {
  // How long a compacted block's objects stay after it was replaced (readers in flight).
  std::chrono::seconds compacted_grace{300};
  // How old a block folder without a meta must be before it is garbage.
  std::chrono::seconds orphan_grace{3600};
};

// "<16 hex digits of the unix time in ns>-<8 random hex digits>": unique, sortable by creation.
std::string NewBlockId();
// The creation time encoded in a block id by NewBlockId, or 0 if it has none.
uint64_t BlockIdTimeUnixNano(std::string_view block_id);

class Catalog {
 public:
  // Requires: `backend` outlives the catalog.
  Catalog(backend::Backend* backend, CatalogOptions options);
  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Lists the backend and opens every visible block's meta, replacing what the catalog held.
  // Blocks that cannot be opened (corrupt meta) are logged, counted and left out. With
  // `collect_garbage`, replaced blocks and orphan folders past their grace are deleted
  // (only the process that owns the bucket's writes should do that).
  Status Load(bool collect_garbage);

  // Reads the published "<tenant>/index" of every tenant instead of trusting a listing; blocks
  // in an index whose meta cannot be read are left out. For processes that only read.
  Status LoadFromIndex();

  // The tenant's current blocks (an empty list for an unknown tenant). Never null.
  std::shared_ptr<const TenantBlocks> Snapshot(std::string_view tenant) const;
  std::vector<std::string> Tenants() const;

  // Publishes a new list for `tenant`: `added` join, blocks with ids in `removed` leave (their
  // objects are deleted after compacted_grace by CollectGarbage). Then writes the tenant's index
  // object; its failure is returned but the in-memory list is already updated.
  Status Update(std::string_view tenant,
                std::vector<std::shared_ptr<const block::BlockReader>> added,
                const std::vector<std::string>& removed);

  // Removes a block now (retention): hides it, publishes the index, then deletes its meta (the
  // block is gone for everyone) and its other objects.
  Status Drop(std::string_view tenant, std::string_view block_id);

  // Deletes the objects of replaced blocks whose grace has passed. Returns how many blocks.
  Result<int> CollectGarbage();

  backend::Backend* backend() const { return backend_; }

 private:
  struct State;
  backend::Backend* backend_;
  CatalogOptions options_;
  std::unique_ptr<State> state_;
};

// Deletes every object of a block: meta first, so the block is invisible before any of its
// data goes.
Status DeleteBlock(backend::Backend* backend, std::string_view tenant, std::string_view block_id);

}  // namespace th::store::catalog

// PageCache: a byte-bounded LRU of verified page payloads (docs/formats/block.md). Two live in a
// process:
// - Default(): the small pages a trace-by-id look-up reads before any row data, bloom shards and
//   index pages. Once a block has been looked into, its bloom check and index search run from
//   memory, and the look-up of a trace the block does not hold does no I/O at all.
// - Columns(): the column pages a filtered scan evaluates its conditions on (span.scope,
//   trace.span_count, span.status_code, …), decompressed. A repeated query over warm data then
//   reads and decompresses nothing for the row groups it rules out. Kept apart so that a scan
//   over many blocks cannot evict the pages every trace-by-id look-up needs.
//
// Keys are (owner, page). An owner is a number NewOwner() hands out once (a BlockReader takes
// one when it opens), never reused, so readers of blocks that share an id (tests, a rewritten
// bucket) never see each other's pages; a reader erases its pages when it is destroyed. Past
// `capacity_bytes` (payload bytes plus a fixed per-entry overhead), the least recently used
// pages go first; a page bigger than the capacity is not kept. Values are shared, so a page
// evicted while a look-up uses it lives until that look-up lets go.
//
// Thread-safe: one mutex; a hit is a hash look-up and a list splice under it.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace th::store::block {

class PageCache {
 public:
  // Bytes counted for an entry besides its payload (key, list node, map slot).
  static constexpr uint64_t kEntryOverhead = 96;
  // Capacity of Default() and of Columns().
  static constexpr uint64_t kDefaultCapacity = 256ull << 20;
  static constexpr uint64_t kColumnsCapacity = 256ull << 20;

  explicit PageCache(uint64_t capacity_bytes);
  PageCache(const PageCache&) = delete;
  PageCache& operator=(const PageCache&) = delete;

  // The process's cache (kDefaultCapacity), used by BlockReader::Open unless told otherwise. Its
  // figures are exported as the tracehouse_block_page_cache_* metrics.
  static PageCache* Default();
  // The process's cache of column pages for filtered scans (kColumnsCapacity), exported as the
  // tracehouse_block_column_cache_* metrics.
  static PageCache* Columns();

  // Sets the capacity (bytes, as the constructor's), evicting least recently used pages down to
  // it at once. 0 keeps nothing.
  void SetCapacity(uint64_t capacity_bytes);

  // A new owner id, never returned before by this process.
  static uint64_t NewOwner();

  // The cached page, or null (a miss). A hit makes the page the most recently used.
  std::shared_ptr<const std::string> Lookup(uint64_t owner, uint64_t page);
  // Keeps `payload` for (owner, page), replacing an earlier one, then evicts least recently used
  // pages until the cache fits its capacity. Requires: payload is not null.
  void Insert(uint64_t owner, uint64_t page, std::shared_ptr<const std::string> payload);
  // Drops every page of `owner`.
  void EraseOwner(uint64_t owner);

  struct Stats {
    uint64_t capacity = 0;
    uint64_t bytes = 0;  // payloads plus kEntryOverhead per page
    uint64_t pages = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t evictions = 0;
  };
  Stats stats() const;

 private:
  struct Key {
    uint64_t owner;
    uint64_t page;
    friend bool operator==(const Key& a, const Key& b) {
      return a.owner == b.owner && a.page == b.page;
    }
    template <typename H>
    friend H AbslHashValue(H h, const Key& k) {
      return H::combine(std::move(h), k.owner, k.page);
    }
  };
  struct Entry {
    Key key;
    std::shared_ptr<const std::string> payload;
  };
  using List = std::list<Entry>;  // most recently used first

  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveLocked(List::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PublishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  uint64_t capacity_ ABSL_GUARDED_BY(mu_);
  List lru_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<Key, List::iterator> index_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
  struct Metrics;
  const Metrics* metrics_ = nullptr;  // set for the process-wide caches only
};

}  // namespace th::store::block

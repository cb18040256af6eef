#include "store/block/page_cache.h"

#include <atomic>
#include <utility>

#include "common/metrics.h"
#include "common/strings.h"

namespace th::store::block {

// The figures of one process-wide cache, exported as `<prefix>_{bytes,pages,hits_total,
// misses_total,evictions_total}`; `what` names what it holds in the help texts.
struct PageCache::Metrics {
  metrics::Gauge* bytes;
  metrics::Gauge* pages;
  metrics::Counter* hits;
  metrics::Counter* misses;
  metrics::Counter* evictions;

  static const Metrics* Make(std::string_view prefix, std::string_view what) {
    auto& r = metrics::Registry::Default();
    return new Metrics{
        r.GetGauge(th::StrCat(prefix, "_bytes"),
                   th::StrCat("Bytes held by the cache of ", what, " (with overhead).")),
        r.GetGauge(th::StrCat(prefix, "_pages"), th::StrCat("Pages of ", what, " held in memory.")),
        r.GetCounter(th::StrCat(prefix, "_hits_total"),
                     th::StrCat("Reads of ", what, " answered from memory.")),
        r.GetCounter(th::StrCat(prefix, "_misses_total"),
                     th::StrCat("Reads of ", what, " that went to the backend.")),
        r.GetCounter(th::StrCat(prefix, "_evictions_total"),
                     "Pages dropped from the cache to stay within its capacity."),
    };
  }
};

namespace {

uint64_t Cost(const std::string& payload) { return payload.size() + PageCache::kEntryOverhead; }

}  // namespace

PageCache::PageCache(uint64_t capacity_bytes) : capacity_(capacity_bytes) {
  stats_.capacity = capacity_bytes;
}

PageCache* PageCache::Default() {
  static PageCache* cache = [] {
    auto* c = new PageCache(kDefaultCapacity);
    c->metrics_ = Metrics::Make("tracehouse_block_page_cache", "bloom shards and index pages");
    return c;
  }();
  return cache;
}

PageCache* PageCache::Columns() {
  static PageCache* cache = [] {
    auto* c = new PageCache(kColumnsCapacity);
    c->metrics_ = Metrics::Make("tracehouse_block_column_cache",
                                "column pages read by filtered scans");
    return c;
  }();
  return cache;
}

void PageCache::SetCapacity(uint64_t capacity_bytes) {
  absl::MutexLock lock(&mu_);
  capacity_ = capacity_bytes;
  stats_.capacity = capacity_bytes;
  EvictLocked();
  PublishLocked();
}

uint64_t PageCache::NewOwner() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<const std::string> PageCache::Lookup(uint64_t owner, uint64_t page) {
  std::shared_ptr<const std::string> found;
  {
    absl::MutexLock lock(&mu_);
    auto it = index_.find(Key{owner, page});
    if (it == index_.end()) {
      ++stats_.misses;
    } else {
      ++stats_.hits;
      lru_.splice(lru_.begin(), lru_, it->second);
      found = it->second->payload;
    }
  }
  if (metrics_ != nullptr) (found != nullptr ? metrics_->hits : metrics_->misses)->Add();
  return found;
}

void PageCache::Insert(uint64_t owner, uint64_t page, std::shared_ptr<const std::string> payload) {
  absl::MutexLock lock(&mu_);
  if (Cost(*payload) > capacity_) return;
  Key key{owner, page};
  auto it = index_.find(key);
  if (it != index_.end()) RemoveLocked(it->second);
  stats_.bytes += Cost(*payload);
  ++stats_.pages;
  lru_.push_front(Entry{key, std::move(payload)});
  index_[key] = lru_.begin();
  EvictLocked();
  PublishLocked();
}

void PageCache::EraseOwner(uint64_t owner) {
  absl::MutexLock lock(&mu_);
  for (auto it = lru_.begin(); it != lru_.end();) {
    auto next = std::next(it);
    if (it->key.owner == owner) RemoveLocked(it);
    it = next;
  }
  PublishLocked();
}

PageCache::Stats PageCache::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void PageCache::EvictLocked() {
  while (stats_.bytes > capacity_ && !lru_.empty()) {
    RemoveLocked(std::prev(lru_.end()));
    ++stats_.evictions;
    if (metrics_ != nullptr) metrics_->evictions->Add();
  }
}

void PageCache::RemoveLocked(List::iterator it) {
  stats_.bytes -= Cost(*it->payload);
  --stats_.pages;
  index_.erase(it->key);
  lru_.erase(it);
}

void PageCache::PublishLocked() {
  if (metrics_ == nullptr) return;
  metrics_->bytes->Set(static_cast<double>(stats_.bytes));
  metrics_->pages->Set(static_cast<double>(stats_.pages));
}

}  // namespace th::store::block

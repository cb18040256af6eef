#include "store/block/page_cache.h"

#include <memory>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "model/span_batch.h"
#include "store/backend/memory/memory_backend.h"
#include "store/block/block_reader.h"
#include "store/block/block_writer.h"
#include "tools/loadgen/trace_generator.h"

namespace th::store::block {
namespace {

using backend::MemoryBackend;
using backend::Verb;
using model::TraceId;

constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;

std::shared_ptr<const std::string> Bytes(size_t n, char c) {
  return std::make_shared<const std::string>(n, c);
}

TEST(PageCache, ReturnsWhatWasInsertedPerOwnerAndPage) {
  PageCache cache(1 << 20);
  uint64_t a = PageCache::NewOwner(), b = PageCache::NewOwner();
  EXPECT_NE(a, b);
  EXPECT_EQ(cache.Lookup(a, 1), nullptr);
  cache.Insert(a, 1, Bytes(10, 'x'));
  cache.Insert(b, 1, Bytes(20, 'y'));
  ASSERT_NE(cache.Lookup(a, 1), nullptr);
  EXPECT_EQ(*cache.Lookup(a, 1), std::string(10, 'x'));
  EXPECT_EQ(*cache.Lookup(b, 1), std::string(20, 'y'));
  EXPECT_EQ(cache.Lookup(a, 2), nullptr);
  cache.Insert(a, 1, Bytes(5, 'z'));  // replaces
  EXPECT_EQ(*cache.Lookup(a, 1), std::string(5, 'z'));
  PageCache::Stats s = cache.stats();
  EXPECT_EQ(s.pages, 2u);
  EXPECT_EQ(s.bytes, 25 + 2 * PageCache::kEntryOverhead);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.hits, 4u);
}

TEST(PageCache, EvictsLeastRecentlyUsedPastCapacityAndSkipsOversizedPages) {
  const uint64_t entry = 1000 + PageCache::kEntryOverhead;
  PageCache cache(3 * entry);
  uint64_t o = PageCache::NewOwner();
  cache.Insert(o, 1, Bytes(1000, 'a'));
  cache.Insert(o, 2, Bytes(1000, 'b'));
  cache.Insert(o, 3, Bytes(1000, 'c'));
  ASSERT_NE(cache.Lookup(o, 1), nullptr);  // 2 is now the least recently used
  cache.Insert(o, 4, Bytes(1000, 'd'));
  EXPECT_EQ(cache.Lookup(o, 2), nullptr);
  EXPECT_NE(cache.Lookup(o, 1), nullptr);
  EXPECT_NE(cache.Lookup(o, 3), nullptr);
  EXPECT_NE(cache.Lookup(o, 4), nullptr);
  EXPECT_EQ(cache.stats().bytes, 3 * entry);
  EXPECT_EQ(cache.stats().evictions, 1u);

  cache.Insert(o, 5, Bytes(4 * entry, 'e'));  // bigger than the whole cache: not kept
  EXPECT_EQ(cache.Lookup(o, 5), nullptr);
  EXPECT_EQ(cache.stats().pages, 3u);
}

TEST(PageCache, SmallerCapacityEvictsAtOnceAndZeroKeepsNothing) {
  const uint64_t entry = 1000 + PageCache::kEntryOverhead;
  PageCache cache(3 * entry);
  uint64_t o = PageCache::NewOwner();
  for (uint64_t page = 1; page <= 3; ++page) cache.Insert(o, page, Bytes(1000, 'a'));
  ASSERT_NE(cache.Lookup(o, 1), nullptr);  // 2 is now the least recently used
  cache.SetCapacity(2 * entry);
  EXPECT_EQ(cache.stats().capacity, 2 * entry);
  EXPECT_EQ(cache.stats().pages, 2u);
  EXPECT_EQ(cache.Lookup(o, 2), nullptr);
  EXPECT_NE(cache.Lookup(o, 1), nullptr);
  cache.SetCapacity(0);
  EXPECT_EQ(cache.stats().pages, 0u);
  cache.Insert(o, 6, Bytes(1, 'f'));
  EXPECT_EQ(cache.Lookup(o, 6), nullptr);
  cache.SetCapacity(entry);  // and back
  cache.Insert(o, 6, Bytes(1, 'f'));
  EXPECT_NE(cache.Lookup(o, 6), nullptr);
}

TEST(PageCache, EvictedPageStaysValidForItsHolderAndEraseOwnerDropsOnlyThatOwner) {
  PageCache cache(2000);
  uint64_t a = PageCache::NewOwner(), b = PageCache::NewOwner();
  cache.Insert(a, 1, Bytes(800, 'a'));
  std::shared_ptr<const std::string> held = cache.Lookup(a, 1);
  cache.Insert(b, 1, Bytes(800, 'b'));
  cache.Insert(b, 2, Bytes(800, 'c'));  // evicts (a, 1)
  EXPECT_EQ(cache.Lookup(a, 1), nullptr);
  EXPECT_EQ(*held, std::string(800, 'a'));
  cache.Insert(a, 3, Bytes(10, 'd'));
  cache.EraseOwner(b);
  EXPECT_EQ(cache.Lookup(b, 1), nullptr);
  EXPECT_EQ(cache.Lookup(b, 2), nullptr);
  EXPECT_NE(cache.Lookup(a, 3), nullptr);
  EXPECT_EQ(cache.stats().pages, 1u);
  EXPECT_EQ(cache.stats().bytes, 10 + PageCache::kEntryOverhead);
}

class BlockPageCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tools::TraceGenerator gen(21);
    batch_ = gen.NextBatch(5000, kNow);
    BlockWriterOptions o;
    o.tenant = "tenant-a";
    o.block_id = "cached";
    o.target_spans_per_row_group = 1000;
    BlockWriter writer(&backend_, o);
    ASSERT_TRUE(writer.AddBatch(*batch_).ok());
    ASSERT_TRUE(writer.Finish().ok());
  }
  uint64_t Reads() const { return backend_.stats().requests_for(Verb::kGetRange); }

  MemoryBackend backend_;
  std::unique_ptr<model::SpanBatch> batch_;
};

TEST_F(BlockPageCacheTest, RepeatedLookUpsReadOnlyTheRowGroupAndMissesReadNothing) {
  PageCache cache(1 << 20);
  auto reader = BlockReader::Open(&backend_, "tenant-a", "cached", &cache);
  ASSERT_TRUE(reader.ok()) << reader.status();
  const TraceId id = batch_->spans.trace_id[0];

  uint64_t before = Reads();
  auto first = (*reader)->FindTrace(id);
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ(Reads() - before, 3u);  // bloom shard, index page, row group
  before = Reads();
  auto again = (*reader)->FindTrace(id);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ(**again, **first);
  EXPECT_EQ(Reads() - before, 1u);  // the row group only

  // Absent ids: once every bloom shard and index page is cached, no reads at all.
  std::mt19937_64 rng(3);
  auto random_id = [&] {
    TraceId t;
    for (auto& b : t.bytes) b = static_cast<uint8_t>(rng());
    return t;
  };
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE((*reader)->FindTrace(random_id()).ok());
  before = Reads();
  for (int i = 0; i < 2000; ++i) {
    auto found = (*reader)->FindTrace(random_id());
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(found->has_value());
  }
  EXPECT_EQ(Reads() - before, 0u);
  EXPECT_GT(cache.stats().pages, 1u);
  // Payloads only (no page envelopes), at most the block's bloom and index objects.
  const PageCache::Stats s = cache.stats();
  EXPECT_LT(s.bytes - s.pages * PageCache::kEntryOverhead,
            (*reader)->meta().bloom_size + (*reader)->meta().index_size);

  reader->reset();  // a destroyed reader's pages leave the cache
  EXPECT_EQ(cache.stats().pages, 0u);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST_F(BlockPageCacheTest, ReadersWithoutACacheReadEveryTimeAndReadersDoNotShare) {
  auto uncached = BlockReader::Open(&backend_, "tenant-a", "cached", /*cache=*/nullptr);
  ASSERT_TRUE(uncached.ok());
  const TraceId id = batch_->spans.trace_id[0];
  ASSERT_TRUE((*uncached)->FindTrace(id).ok());
  uint64_t before = Reads();
  ASSERT_TRUE((*uncached)->FindTrace(id).ok());
  EXPECT_EQ(Reads() - before, 3u);

  // Another block under the same id in another backend: a reader of it, sharing the cache with
  // a reader of the first, must not see the first block's pages.
  PageCache cache(1 << 20);
  auto first = BlockReader::Open(&backend_, "tenant-a", "cached", &cache);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)->FindTrace(id).ok());
  MemoryBackend other;
  tools::TraceGenerator gen(22);
  auto other_batch = gen.NextBatch(500, kNow);
  BlockWriterOptions o;
  o.tenant = "tenant-a";
  o.block_id = "cached";
  BlockWriter writer(&other, o);
  ASSERT_TRUE(writer.AddBatch(*other_batch).ok());
  ASSERT_TRUE(writer.Finish().ok());
  auto second = BlockReader::Open(&other, "tenant-a", "cached", &cache);
  ASSERT_TRUE(second.ok());
  auto found = (*second)->FindTrace(id);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
  auto own = (*second)->FindTrace(other_batch->spans.trace_id[0]);
  ASSERT_TRUE(own.ok() && own->has_value());
}

}  // namespace
}  // namespace th::store::block

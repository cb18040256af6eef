#include "store/catalog/catalog.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "store/backend/memory/memory_backend.h"
#include "store/block/block_writer.h"
#include "tools/loadgen/trace_generator.h"

namespace th::store::catalog {
namespace {

using backend::MemoryBackend;
using block::BlockReader;

constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;

class CatalogTest : public ::testing::Test {
 protected:
  // Writes a block of a few traces and returns its id.
  std::string Write(std::string_view tenant, std::vector<std::string> sources = {},
                    uint64_t wal_end = 0, std::string id = NewBlockId()) {
    auto batch = gen_.NextBatch(200, kNow);
    block::BlockWriterOptions o;
    o.tenant = std::string(tenant);
    o.block_id = id;
    o.sources = std::move(sources);
    o.wal_segment_end = wal_end;
    block::BlockWriter w(&backend_, o);
    EXPECT_TRUE(w.AddBatch(*batch).ok());
    EXPECT_TRUE(w.Finish().ok());
    batches_.push_back(std::move(batch));
    return id;
  }
  std::shared_ptr<const BlockReader> Open(std::string_view tenant, std::string_view id) {
    auto r = BlockReader::Open(&backend_, tenant, id);
    EXPECT_TRUE(r.ok()) << r.status();
    return std::move(r).value();
  }
  static std::vector<std::string> Ids(const TenantBlocks& t) {
    std::vector<std::string> ids;
    for (const auto& b : t.blocks) ids.push_back(b->meta().block_id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  bool Exists(std::string_view tenant, std::string_view id) {
    return !backend_.List(th::StrCat(tenant, "/", id), backend::ListMode::kRecursive)->empty();
  }

  MemoryBackend backend_;
  tools::TraceGenerator gen_{5};
  std::vector<std::unique_ptr<model::SpanBatch>> batches_;
};

TEST(BlockId, IsSortableByCreationAndCarriesItsTime) {
  std::string a = NewBlockId();
  std::string b = NewBlockId();
  EXPECT_EQ(a.size(), 25u);
  EXPECT_LE(a.substr(0, 16), b.substr(0, 16));
  EXPECT_NE(a, b);
  EXPECT_GT(BlockIdTimeUnixNano(a), kNow);
  EXPECT_EQ(BlockIdTimeUnixNano("not-a-block-id"), 0u);
}

TEST_F(CatalogTest, LoadListsVisibleBlocksPerTenantAndSkipsUnfinishedOnes) {
  std::string a1 = Write("a", {}, 3);
  std::string a2 = Write("a", {}, 7);
  std::string b1 = Write("b");
  // An upload that never got its meta (a crash mid-flush), created long ago.
  ASSERT_TRUE(backend_.Put("a/0000000000000001-00000000/data", "partial").ok());
  // And one in flight right now (another process).
  std::string fresh = NewBlockId();
  ASSERT_TRUE(backend_.Put(th::StrCat("a/", fresh, "/data"), "partial").ok());

  Catalog catalog(&backend_, CatalogOptions{});
  ASSERT_TRUE(catalog.Load(/*collect_garbage=*/true).ok());
  EXPECT_EQ(catalog.Tenants(), (std::vector<std::string>{"a", "b"}));
  auto a = catalog.Snapshot("a");
  EXPECT_EQ(Ids(*a), (std::vector<std::string>{std::min(a1, a2), std::max(a1, a2)}));
  EXPECT_EQ(a->wal_segment_end, 7u);
  EXPECT_GT(a->span_count, 0u);
  EXPECT_EQ(Ids(*catalog.Snapshot("b")), std::vector<std::string>{b1});
  EXPECT_TRUE(catalog.Snapshot("nobody")->blocks.empty());
  EXPECT_FALSE(Exists("a", "0000000000000001-00000000"));  // old orphan collected
  EXPECT_TRUE(Exists("a", fresh));                          // in-flight upload left alone
}

TEST_F(CatalogTest, ReplacedBlocksAreHiddenAndCollectedAfterGrace) {
  std::string s1 = Write("a");
  std::string s2 = Write("a");
  std::string merged = Write("a", {s1, s2});
  CatalogOptions options;
  options.compacted_grace = std::chrono::seconds(0);
  Catalog catalog(&backend_, options);
  ASSERT_TRUE(catalog.Load(true).ok());
  EXPECT_EQ(Ids(*catalog.Snapshot("a")), std::vector<std::string>{merged});
  EXPECT_TRUE(Exists("a", s1));
  auto deleted = catalog.CollectGarbage();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 2);
  EXPECT_FALSE(Exists("a", s1));
  EXPECT_FALSE(Exists("a", s2));
  EXPECT_TRUE(Exists("a", merged));
}

TEST_F(CatalogTest, UpdatePublishesASnapshotAndAnIndexOtherProcessesRead) {
  Catalog owner(&backend_, CatalogOptions{});
  ASSERT_TRUE(owner.Load(true).ok());
  std::string b1 = Write("a");
  std::string b2 = Write("a");
  auto before = owner.Snapshot("a");
  ASSERT_TRUE(owner.Update("a", {Open("a", b1), Open("a", b2)}, {}).ok());
  EXPECT_TRUE(before->blocks.empty());  // a snapshot never changes under its reader
  EXPECT_EQ(owner.Snapshot("a")->blocks.size(), 2u);

  // A block written but not yet published is not seen by an index reader.
  std::string unpublished = Write("a");
  Catalog reader(&backend_, CatalogOptions{});
  ASSERT_TRUE(reader.LoadFromIndex().ok());
  EXPECT_EQ(Ids(*reader.Snapshot("a")), Ids(*owner.Snapshot("a")));

  std::string merged = Write("a", {b1, b2});
  ASSERT_TRUE(owner.Update("a", {Open("a", merged)}, {b1, b2}).ok());
  ASSERT_TRUE(reader.LoadFromIndex().ok());
  EXPECT_EQ(Ids(*reader.Snapshot("a")), std::vector<std::string>{merged});
  // Within the grace the replaced blocks' objects are still there for readers in flight.
  EXPECT_TRUE(Exists("a", b1));
  EXPECT_EQ(*owner.CollectGarbage(), 0);
}

TEST_F(CatalogTest, CorruptIndexIsDataLoss) {
  Catalog owner(&backend_, CatalogOptions{});
  std::string b1 = Write("a");
  ASSERT_TRUE(owner.Update("a", {Open("a", b1)}, {}).ok());
  std::string index = *backend_.Get("a/index");
  index[index.size() / 2] ^= 1;
  ASSERT_TRUE(backend_.Put("a/index", index).ok());
  Catalog reader(&backend_, CatalogOptions{});
  EXPECT_EQ(reader.LoadFromIndex().code(), absl::StatusCode::kDataLoss);
}

TEST_F(CatalogTest, DropRemovesTheBlockForEveryone) {
  Catalog owner(&backend_, CatalogOptions{});
  std::string b1 = Write("a");
  std::string b2 = Write("a");
  ASSERT_TRUE(owner.Update("a", {Open("a", b1), Open("a", b2)}, {}).ok());
  ASSERT_TRUE(owner.Drop("a", b1).ok());
  EXPECT_EQ(Ids(*owner.Snapshot("a")), std::vector<std::string>{b2});
  EXPECT_FALSE(Exists("a", b1));
  Catalog fresh(&backend_, CatalogOptions{});
  ASSERT_TRUE(fresh.Load(false).ok());
  EXPECT_EQ(Ids(*fresh.Snapshot("a")), std::vector<std::string>{b2});
}

TEST_F(CatalogTest, UnreadableMetaIsLeftOutNotFatal) {
  std::string good = Write("a");
  std::string bad = Write("a");
  ASSERT_TRUE(backend_.Put(th::StrCat("a/", bad, "/meta"), "garbage").ok());
  Catalog catalog(&backend_, CatalogOptions{});
  ASSERT_TRUE(catalog.Load(true).ok());
  EXPECT_EQ(Ids(*catalog.Snapshot("a")), std::vector<std::string>{good});
  EXPECT_TRUE(Exists("a", bad));  // kept for an operator to look at (block verify)
}

}  // namespace
}  // namespace th::store::catalog

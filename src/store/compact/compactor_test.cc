#include "store/compact/compactor.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "store/backend/memory/memory_backend.h"
#include "store/block/block_writer.h"
#include "tools/loadgen/trace_generator.h"

namespace th::store {
namespace {

using backend::MemoryBackend;
using block::BlockReader;

constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;
constexpr uint64_t kHour = 3600ull * 1'000'000'000ull;

class CompactorTest : public ::testing::Test {
 protected:
  // Writes `spans` indices of `batch` (or all) as a block of tenant "t" and opens it.
  std::shared_ptr<const BlockReader> Write(const model::SpanBatch& batch,
                                           const std::vector<uint32_t>& spans = {},
                                           uint32_t spans_per_row_group = 4096) {
    block::BlockWriterOptions o;
    o.tenant = "t";
    o.block_id = catalog::NewBlockId();
    o.target_spans_per_row_group = spans_per_row_group;
    block::BlockWriter w(&backend_, o);
    if (spans.empty()) {
      EXPECT_TRUE(w.AddBatch(batch).ok());
    } else {
      std::map<model::TraceId, std::vector<uint32_t>> by_trace;
      for (uint32_t i : spans) by_trace[batch.spans.trace_id[i]].push_back(i);
      for (const auto& [id, idx] : by_trace) EXPECT_TRUE(w.AddTrace(batch, idx).ok());
    }
    EXPECT_TRUE(w.Finish().ok());
    auto r = BlockReader::Open(&backend_, "t", o.block_id);
    EXPECT_TRUE(r.ok()) << r.status();
    return std::move(r).value();
  }
  std::unique_ptr<model::SpanBatch> Batch(size_t spans, uint64_t now) {
    return gen_.NextBatch(spans, now);
  }
  // (trace id, span id) of every span in the tenant's visible blocks, with multiplicity.
  std::multiset<std::string> AllSpans(const catalog::TenantBlocks& blocks) {
    std::multiset<std::string> out;
    for (const auto& b : blocks.blocks) {
      EXPECT_TRUE(b->Scan([&](std::unique_ptr<model::SpanBatch>&& t) -> Status {
                     for (size_t i = 0; i < t->span_count(); ++i) {
                       out.insert(th::StrCat(t->spans.trace_id[i].View(),
                                             t->spans.span_id[i].View()));
                     }
                     return Status();
                   }).ok());
    }
    return out;
  }

  MemoryBackend backend_;
  tools::TraceGenerator gen_{11};
};

catalog::TenantBlocks Blocks(std::vector<std::shared_ptr<const BlockReader>> list) {
  catalog::TenantBlocks t;
  t.blocks = std::move(list);
  return t;
}

TEST_F(CompactorTest, PlanGroupsByWindowAndRespectsLimits) {
  auto a = Batch(100, kNow);
  auto b = Batch(100, kNow);
  auto c = Batch(100, kNow);
  auto later = Batch(100, kNow + 5 * kHour);
  auto lone = Write(*later);
  auto ba = Write(*a), bb = Write(*b), bc = Write(*c);
  CompactorOptions options;
  auto jobs = PlanCompactions(Blocks({ba, lone, bb, bc}), options);
  ASSERT_EQ(jobs.size(), 1u);  // the lone block of another window is left alone
  EXPECT_EQ(jobs[0].size(), 3u);

  options.max_inputs = 2;
  jobs = PlanCompactions(Blocks({ba, bb, bc}), options);
  ASSERT_EQ(jobs.size(), 1u);  // 2 + a leftover of 1, which is no job
  EXPECT_EQ(jobs[0].size(), 2u);

  options.max_inputs = 8;
  options.max_output_spans = ba->meta().span_count + 1;  // no two fit together
  EXPECT_TRUE(PlanCompactions(Blocks({ba, bb, bc}), options).empty());
}

TEST_F(CompactorTest, BigCutBlocksAreRewrittenAloneOnceAtTheCompactionLevel) {
  auto a = Batch(300, kNow);
  auto b = Batch(300, kNow);
  auto ba = Write(*a), bb = Write(*b);
  ASSERT_EQ(ba->meta().compaction_level, 0u);
  CompactorOptions options;
  options.max_output_spans = std::min(ba->meta().span_count, bb->meta().span_count);
  auto jobs = PlanCompactions(Blocks({ba, bb}), options);
  ASSERT_EQ(jobs.size(), 2u);  // too big to merge, each rewritten alone
  EXPECT_EQ(jobs[0].size(), 1u);
  EXPECT_EQ(jobs[1].size(), 1u);

  options.zstd_level = 13;
  auto rewritten = MergeBlocks(&backend_, "t", {ba}, options);
  ASSERT_TRUE(rewritten.ok()) << rewritten.status();
  EXPECT_EQ(rewritten->compaction_level, 1u);
  EXPECT_EQ(rewritten->span_count, ba->meta().span_count);
  auto reader = BlockReader::Open(&backend_, "t", rewritten->block_id);
  ASSERT_TRUE(reader.ok());
  std::shared_ptr<const BlockReader> shared = std::move(reader).value();
  EXPECT_EQ(AllSpans(Blocks({shared})), AllSpans(Blocks({ba})));
  // Once rewritten it is left alone, and so is a small cut block alone in its window.
  auto small = Batch(10, kNow + 5 * kHour);
  EXPECT_TRUE(PlanCompactions(Blocks({shared, Write(*small)}), options).empty());
}

TEST_F(CompactorTest, ExpiredBlocksArePastRetentionByTheirNewestSpan) {
  auto old_batch = Batch(50, kNow - 48 * kHour);
  auto new_batch = Batch(50, kNow);
  auto old_block = Write(*old_batch);
  auto new_block = Write(*new_batch);
  auto t = Blocks({old_block, new_block});
  EXPECT_EQ(ExpiredBlocks(t, std::chrono::hours(24), kNow),
            std::vector<std::string>{old_block->meta().block_id});
  EXPECT_TRUE(ExpiredBlocks(t, std::chrono::seconds(0), kNow).empty());
}

TEST_F(CompactorTest, MergeJoinsSplitTracesAndKeepsEachSpanOnce) {
  auto batch = Batch(400, kNow);
  uint32_t n = batch->span_count();
  // First block: the first two thirds; second: the last two thirds (a third overlaps, as
  // client retries would), so most traces are split over both.
  std::vector<uint32_t> first, second;
  for (uint32_t i = 0; i < n; ++i) {
    if (i < 2 * n / 3) first.push_back(i);
    if (i >= n / 3) second.push_back(i);
  }
  auto b1 = Write(*batch, first);
  auto b2 = Write(*batch, second);
  auto merged = MergeBlocks(&backend_, "t", {b1, b2}, CompactorOptions());
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->span_count, n);
  EXPECT_EQ(merged->compaction_level, 1u);
  EXPECT_EQ(merged->sources,
            (std::vector<std::string>{b1->meta().block_id, b2->meta().block_id}));
  auto reader = BlockReader::Open(&backend_, "t", merged->block_id);
  ASSERT_TRUE(reader.ok());
  // Every trace is whole in the merged block.
  std::set<model::TraceId> ids(batch->spans.trace_id.begin(), batch->spans.trace_id.end());
  EXPECT_EQ((*reader)->meta().trace_count, ids.size());
  for (const model::TraceId& id : ids) {
    auto t = (*reader)->FindTraceBatch(id);
    ASSERT_TRUE(t.ok());
    size_t expected = std::count(batch->spans.trace_id.begin(), batch->spans.trace_id.end(), id);
    EXPECT_EQ((*t)->span_count(), expected);
  }
}

// Inputs of many row groups each, merged a row group at a time: every trace comes out whole,
// its parts in input order, each span once, over several output row groups.
TEST_F(CompactorTest, MergeOfManyRowGroupsKeepsInputOrderWithinEachTrace) {
  auto batch = Batch(20000, kNow);
  const uint32_t n = batch->span_count();
  // Spans dealt round-robin to three inputs; the third also repeats every tenth span (retries).
  std::vector<std::vector<uint32_t>> parts(3);
  for (uint32_t i = 0; i < n; ++i) {
    parts[i % 3].push_back(i);
    if (i % 10 == 0 && i % 3 != 2) parts[2].push_back(i);
  }
  std::sort(parts[2].begin(), parts[2].end());
  std::vector<std::shared_ptr<const BlockReader>> inputs;
  for (const auto& p : parts) inputs.push_back(Write(*batch, p, 700));
  for (const auto& in : inputs) ASSERT_GT(in->meta().row_groups.size(), 3u);
  CompactorOptions options;
  options.target_spans_per_row_group = 1500;
  // The merge offers to rest after each output row group but the last (ended by Finish).
  int rests = 0;
  RestFn rest = [&](std::chrono::steady_clock::duration busy) {
    EXPECT_GT(busy.count(), 0);
    ++rests;
    return true;
  };
  auto merged =
      MergeBlocks(&backend_, "t", BlockList(inputs.begin(), inputs.end()), options, nullptr, rest);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->span_count, n);
  EXPECT_GT(merged->row_groups.size(), 5u);
  EXPECT_GE(static_cast<size_t>(rests) + 1, merged->row_groups.size());
  // A rest that says "stop" (shutting down) ends the merge as cancelled.
  auto stopped = MergeBlocks(&backend_, "t", BlockList(inputs.begin(), inputs.end()), options,
                             nullptr, [](std::chrono::steady_clock::duration) { return false; });
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kCancelled);
  auto reader = BlockReader::Open(&backend_, "t", merged->block_id);
  ASSERT_TRUE(reader.ok());
  std::map<model::TraceId, std::vector<std::string>> expected;  // span ids, input by input
  std::set<std::string> seen;
  for (const auto& p : parts) {
    for (uint32_t i : p) {
      std::string key = th::StrCat(batch->spans.trace_id[i].View(), batch->spans.span_id[i].View());
      if (!seen.insert(key).second) continue;
      expected[batch->spans.trace_id[i]].emplace_back(batch->spans.span_id[i].View());
    }
  }
  EXPECT_EQ((*reader)->meta().trace_count, expected.size());
  for (const auto& [id, span_ids] : expected) {
    auto t = (*reader)->FindTraceBatch(id);
    ASSERT_TRUE(t.ok() && *t != nullptr);
    std::vector<std::string> got;
    for (const model::SpanId& s : (*t)->spans.span_id) got.emplace_back(s.View());
    ASSERT_EQ(got, span_ids);
  }
}

TEST_F(CompactorTest, RunOncePublishesMergesAndAppliesRetention) {
  catalog::CatalogOptions co;
  co.compacted_grace = std::chrono::seconds(0);
  catalog::Catalog cat(&backend_, co);
  auto now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  std::vector<std::unique_ptr<model::SpanBatch>> keep;
  std::vector<std::shared_ptr<const BlockReader>> blocks;
  for (int i = 0; i < 3; ++i) {
    keep.push_back(Batch(100, now));
    blocks.push_back(Write(*keep.back()));
  }
  keep.push_back(Batch(100, now - 30 * 24 * kHour));
  blocks.push_back(Write(*keep.back()));
  ASSERT_TRUE(cat.Update("t", blocks, {}).ok());
  std::multiset<std::string> recent_spans = AllSpans(Blocks({blocks[0], blocks[1], blocks[2]}));

  CompactorOptions options;
  options.retention = std::chrono::hours(24 * 7);
  Compactor compactor(&cat, options);
  ASSERT_TRUE(compactor.RunOnce().ok());
  auto after = cat.Snapshot("t");
  ASSERT_EQ(after->blocks.size(), 1u);
  EXPECT_EQ(after->blocks[0]->meta().sources.size(), 3u);
  EXPECT_EQ(AllSpans(*after), recent_spans);
  // Inputs and the expired block are gone from the backend (grace 0).
  for (const auto& b : blocks) {
    EXPECT_TRUE(backend_.List(th::StrCat("t/", b->meta().block_id), backend::ListMode::kRecursive)
                    ->empty());
  }
  // A second process loading the bucket sees the same.
  catalog::Catalog other(&backend_, co);
  ASSERT_TRUE(other.Load(false).ok());
  EXPECT_EQ(AllSpans(*other.Snapshot("t")), recent_spans);
}

TEST_F(CompactorTest, FailedOutputWriteLeavesInputsVisible) {
  catalog::Catalog cat(&backend_, catalog::CatalogOptions{});
  auto b1 = Batch(100, kNow), b2 = Batch(100, kNow);
  auto r1 = Write(*b1), r2 = Write(*b2);
  ASSERT_TRUE(cat.Update("t", {r1, r2}, {}).ok());
  auto before = AllSpans(*cat.Snapshot("t"));
  backend_.FailNext(backend::Verb::kPutStream, absl::UnavailableError("backend down"));
  Compactor compactor(&cat, CompactorOptions());
  EXPECT_FALSE(compactor.RunOnce().ok());
  EXPECT_EQ(cat.Snapshot("t")->blocks.size(), 2u);
  EXPECT_EQ(AllSpans(*cat.Snapshot("t")), before);
  backend_.ClearFaults();
  ASSERT_TRUE(compactor.RunOnce().ok());
  EXPECT_EQ(cat.Snapshot("t")->blocks.size(), 1u);
  EXPECT_EQ(AllSpans(*cat.Snapshot("t")), before);
}

}  // namespace
}  // namespace th::store

#include "store/store.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "model/otlp_encode.h"
#include "store/backend/memory/memory_backend.h"
#include "store/testing/store_checks.h"
#include "store/testing/temp_store.h"
#include "tools/loadgen/trace_generator.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace th::store {
namespace {

namespace otlp = opentelemetry::proto::trace::v1;

class StoreTest : public ::testing::Test {
 protected:
  static std::unique_ptr<model::SpanBatch> Batch(std::string_view tenant, int trace, int spans) {
    otlp::TracesData data;
    auto* rs = data.add_resource_spans();
    auto* attr = rs->mutable_resource()->add_attributes();
    attr->set_key("service.name");
    attr->mutable_value()->set_string_value("checkout");
    auto* ss = rs->add_scope_spans();
    for (int i = 0; i < spans; ++i) {
      auto* sp = ss->add_spans();
      std::string tid(16, '\x05'), sid(8, '\x06');
      tid[15] = static_cast<char>(trace);
      sid[7] = static_cast<char>(i + 1);
      sp->set_trace_id(tid);
      sp->set_span_id(sid);
      sp->set_name("op");
      sp->set_start_time_unix_nano(100);
      sp->set_end_time_unix_nano(200);
    }
    auto decoded = model::DecodeOtlpTracesProto(data.SerializeAsString(), tenant);
    EXPECT_TRUE(decoded.ok());
    return std::move(decoded->batch);
  }

  static model::TraceId TraceIdOf(int trace) {
    std::string tid(16, '\x05');
    tid[15] = static_cast<char>(trace);
    return model::TraceId::FromBytes(tid);
  }

  testing::TempStore temp_{"store_test"};

 public:
  static std::unique_ptr<model::SpanBatch> BatchForTest(std::string_view tenant, int trace,
                                                        int spans) {
    return Batch(tenant, trace, spans);
  }
  static model::TraceId TraceIdForTest(int trace) { return TraceIdOf(trace); }
};

TEST_F(StoreTest, AcknowledgedSpansAreReadable) {
  ASSERT_TRUE(temp_.Append(Batch("t", 1, 5)).ok());
  auto found = temp_.store().FindTrace("t", TraceIdOf(1), {});
  ASSERT_TRUE(found.ok()) << found.status();
  otlp::TracesData data;
  ASSERT_TRUE(data.ParseFromString(*found));
  EXPECT_EQ(data.resource_spans(0).scope_spans(0).spans_size(), 5);
  EXPECT_EQ(data.resource_spans(0).resource().attributes(0).value().string_value(), "checkout");
}

TEST_F(StoreTest, ReopenReplaysTheWalIntoTheHead) {
  ASSERT_TRUE(temp_.Append(Batch("a", 1, 3)).ok());
  ASSERT_TRUE(temp_.Append(Batch("b", 2, 4)).ok());
  auto reencoded = Batch("a", 3, 2);
  reencoded->otlp_encoding = {};  // forces the encoder path
  ASSERT_TRUE(temp_.Append(std::move(reencoded)).ok());
  temp_.Reopen();
  Store* store = temp_.get();
  EXPECT_EQ(store->replay_report().records, 3u);
  EXPECT_TRUE(store->FindTrace("a", TraceIdOf(1), {}).ok());
  EXPECT_TRUE(store->FindTrace("b", TraceIdOf(2), {}).ok());
  EXPECT_TRUE(store->FindTrace("a", TraceIdOf(3), {}).ok());
  EXPECT_FALSE(store->FindTrace("a", TraceIdOf(2), {}).ok());
  EXPECT_EQ(store->Stats().spans, 9u);
}

TEST_F(StoreTest, AppendAfterCloseFailsThroughTheCallback) {
  ASSERT_TRUE(temp_.store().Close().ok());
  EXPECT_FALSE(temp_.Append(Batch("t", 1, 1)).ok());
}

TEST_F(StoreTest, ConcurrentAppendsAreAllDurable) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        if (temp_.Append(Batch("t", t * 10 + i + 1, 3)).ok()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 40);
  temp_.Reopen();
  Store* store = temp_.get();
  EXPECT_EQ(store->Stats().spans, 120u);
  EXPECT_EQ(store->Stats().traces, 40u);
}

}  // namespace
}  // namespace th::store

namespace th::store {
namespace {

using testing::SpanIds;
using testing::WalSegments;

class StoreFlushTest : public StoreTest {};

TEST_F(StoreFlushTest, FlushMovesSpansIntoBlocksAndRemovesTheirWalSegments) {
  for (int t = 1; t <= 5; ++t) ASSERT_TRUE(temp_.Append(Batch("a", t, 4)).ok());
  ASSERT_TRUE(temp_.Append(Batch("b", 9, 3)).ok());
  std::string before = *temp_.store().FindTrace("a", TraceIdOf(2), {});
  size_t segments_before = WalSegments(temp_.dir());
  ASSERT_TRUE(temp_.store().FlushForTest().ok());
  StoreStats stats = temp_.store().FullStats();
  EXPECT_EQ(stats.head.spans, 0u);
  EXPECT_EQ(stats.blocks, 2u);  // one per tenant
  EXPECT_EQ(stats.block_spans, 23u);
  EXPECT_GE(segments_before, 1u);
  EXPECT_EQ(WalSegments(temp_.dir()), 0u);  // every record is in a block
  auto after = temp_.store().FindTrace("a", TraceIdOf(2), {});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(SpanIds(*after), SpanIds(before));
  EXPECT_TRUE(absl::IsNotFound(temp_.store().FindTrace("b", TraceIdOf(2), {}).status()));

  // After a restart the spans come from the block alone: nothing replayed twice.
  temp_.Reopen();
  EXPECT_EQ(temp_.store().Stats().spans, 0u);
  EXPECT_EQ(SpanIds(*temp_.store().FindTrace("a", TraceIdOf(2), {})), SpanIds(before));
}

// A cut of more spans than it samples for the dedicated keys, with a retried request in it: the
// block holds every span once, and every trace reads back as the head served it.
TEST_F(StoreFlushTest, BigCutIsWrittenRowGroupByRowGroupWithEverySpanOnce) {
  tools::TraceGenerator gen(21);
  std::vector<std::string> requests;
  size_t spans = 0;
  while (spans < 45000) {
    auto batch = gen.NextBatch(1000, 1'700'000'000'000'000'000ull);
    spans += batch->span_count();
    requests.emplace_back();
    model::EncodeOtlpTraces(*batch, &requests.back());
  }
  for (const std::string& r : requests) ASSERT_TRUE(temp_.AppendOtlp(r, "a").ok());
  ASSERT_TRUE(temp_.AppendOtlp(requests[3], "a").ok());  // a client retry
  std::map<model::TraceId, std::multiset<std::string>> before;
  for (const std::string& r : requests) {
    auto decoded = model::DecodeOtlpTracesProto(std::string(r), "a");
    ASSERT_TRUE(decoded.ok());
    for (const model::TraceId& id : decoded->batch->spans.trace_id) {
      if (before.contains(id)) continue;
      before[id] = SpanIds(*temp_.store().FindTrace("a", id, {}));
    }
  }
  ASSERT_TRUE(temp_.store().FlushForTest().ok());
  StoreStats stats = temp_.store().FullStats();
  EXPECT_EQ(stats.head.spans, 0u);
  EXPECT_EQ(stats.blocks, 1u);
  EXPECT_EQ(stats.block_spans, spans);
  for (const auto& [id, ids] : before) {
    auto after = temp_.store().FindTrace("a", id, {});
    ASSERT_TRUE(after.ok()) << after.status();
    ASSERT_EQ(SpanIds(*after), ids);
  }
}

TEST_F(StoreFlushTest, TraceSplitBetweenBlockAndHeadIsMergedWithEachSpanOnce) {
  ASSERT_TRUE(temp_.Append(Batch("a", 1, 3)).ok());  // spans 1..3
  ASSERT_TRUE(temp_.store().FlushForTest().ok());
  ASSERT_TRUE(temp_.Append(Batch("a", 1, 5)).ok());  // spans 1..5: 1..3 again (a retry)
  auto found = temp_.store().FindTrace("a", TraceIdOf(1), {});
  ASSERT_TRUE(found.ok()) << found.status();
  std::multiset<std::string> ids = SpanIds(*found);
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 5u);
  // And once both parts are blocks, compaction joins them into one block.
  ASSERT_TRUE(temp_.store().FlushForTest().ok());
  EXPECT_EQ(temp_.store().FullStats().blocks, 2u);
  ASSERT_TRUE(temp_.store().CompactForTest().ok());
  StoreStats stats = temp_.store().FullStats();
  EXPECT_EQ(stats.blocks, 1u);
  EXPECT_EQ(stats.block_spans, 5u);
  EXPECT_EQ(SpanIds(*temp_.store().FindTrace("a", TraceIdOf(1), {})).size(), 5u);
}

TEST_F(StoreFlushTest, ScanVisitsHeadAndBlocks) {
  ASSERT_TRUE(temp_.Append(Batch("a", 1, 3)).ok());
  ASSERT_TRUE(temp_.Append(Batch("a", 2, 2)).ok());
  ASSERT_TRUE(temp_.store().FlushForTest().ok());
  ASSERT_TRUE(temp_.Append(Batch("a", 3, 4)).ok());
  ScanRequest request;
  request.tenant = "a";
  std::map<model::TraceId, size_t> seen;
  ScanStats stats;
  ASSERT_TRUE(temp_.store()
                  .Scan(request,
                        [&](const model::TraceId& id, const model::SpanBatch& spans) {
                          seen[id] += spans.span_count();
                          return true;
                        },
                        &stats)
                  .ok());
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[TraceIdOf(1)], 3u);
  EXPECT_EQ(seen[TraceIdOf(3)], 4u);
  EXPECT_EQ(stats.spans, 9u);
  // The span limit holds across head and blocks.
  request.max_spans = 5;
  Status limited = temp_.store().Scan(
      request, [](const model::TraceId&, const model::SpanBatch&) { return true; }, nullptr);
  EXPECT_TRUE(absl::IsResourceExhausted(limited)) << limited;
  // A time range that misses every span visits nothing.
  request.max_spans = 0;
  request.range = TimeRange{1000, 2000};
  size_t visited = 0;
  ASSERT_TRUE(temp_.store()
                  .Scan(request,
                        [&](const model::TraceId&, const model::SpanBatch&) {
                          ++visited;
                          return true;
                        },
                        nullptr)
                  .ok());
  EXPECT_EQ(visited, 0u);
}

// A crash after the block became visible but before its WAL segments were removed: replay must
// skip what the block holds, so no span is served twice and none is lost.
TEST_F(StoreFlushTest, CrashBeforeWalRemovalReplaysNothingTwice) {
  for (int t = 1; t <= 3; ++t) ASSERT_TRUE(temp_.Append(Batch("a", t, 4)).ok());
  std::filesystem::path saved = temp_.dir().string() + "_wal_copy";
  std::filesystem::remove_all(saved);
  std::filesystem::copy(temp_.dir() / "wal", saved, std::filesystem::copy_options::recursive);
  ASSERT_TRUE(temp_.store().FlushForTest().ok());
  ASSERT_TRUE(temp_.Append(Batch("a", 4, 2)).ok());  // after the cut: must replay
  ASSERT_TRUE(temp_.store().Close().ok());
  // Put the flushed segments back, as if the removal never happened.
  for (const auto& e : std::filesystem::directory_iterator(saved)) {
    auto target = temp_.dir() / "wal" / e.path().filename();
    if (!std::filesystem::exists(target)) std::filesystem::copy_file(e.path(), target);
  }
  std::filesystem::remove_all(saved);
  temp_.Reopen();
  EXPECT_EQ(temp_.store().replay_skipped_records(), 3u);
  EXPECT_EQ(temp_.store().Stats().spans, 2u);  // only the record after the cut
  for (int t = 1; t <= 3; ++t) {
    EXPECT_EQ(SpanIds(*temp_.store().FindTrace("a", TraceIdOf(t), {})).size(), 4u);
  }
  EXPECT_EQ(SpanIds(*temp_.store().FindTrace("a", TraceIdOf(4), {})).size(), 2u);
}

// Regression: once a flush had removed every WAL segment, a restart numbered new segments from 1
// again, below the blocks' WAL boundary, and the next replay skipped those acknowledged records
// as "already in a block".
TEST_F(StoreFlushTest, AppendsAfterEveryWalSegmentWasRemovedSurviveTwoRestarts) {
  ASSERT_TRUE(temp_.Append(Batch("a", 1, 3)).ok());
  ASSERT_TRUE(temp_.store().FlushForTest().ok());
  ASSERT_TRUE(temp_.Append(Batch("a", 2, 2)).ok());
  ASSERT_TRUE(temp_.store().FlushForTest().ok());
  ASSERT_EQ(WalSegments(temp_.dir()), 0u);
  temp_.Reopen();  // an empty WAL dir
  ASSERT_TRUE(temp_.Append(Batch("a", 3, 4)).ok());
  temp_.Reopen();
  EXPECT_EQ(temp_.store().replay_skipped_records(), 0u);
  EXPECT_EQ(temp_.store().Stats().spans, 4u);
  EXPECT_EQ(SpanIds(*temp_.store().FindTrace("a", TraceIdOf(3), {})).size(), 4u);
}

StoreOptions WithBackend(std::shared_ptr<backend::Backend> b) {
  StoreOptions o;
  o.backend = std::move(b);
  o.compact = false;
  return o;
}

TEST(StoreFlushFaultTest, IngestIsRefusedAsRetryableWhileBlockWritingIsBehind) {
  auto memory = std::make_shared<backend::MemoryBackend>();
  StoreOptions options = WithBackend(memory);
  options.max_head_bytes = 1;  // any record past a pending cut is too much
  testing::TempStore temp("store_backpressure", options);
  ASSERT_TRUE(temp.Append(StoreTest::BatchForTest("a", 1, 3)).ok());
  memory->FailNext(backend::Verb::kPutStream, absl::UnavailableError("backend down"));
  EXPECT_FALSE(temp.store().FlushForTest().ok());  // a cut now waits to be written
  // The active head may take records up to the limit...
  ASSERT_TRUE(temp.Append(StoreTest::BatchForTest("a", 2, 3)).ok());
  // ...then the store says "retry later" instead of growing.
  Status refused = temp.Append(StoreTest::BatchForTest("a", 3, 3));
  EXPECT_TRUE(absl::IsResourceExhausted(refused)) << refused;
  // Once the cut is written, ingest resumes, and nothing accepted was lost.
  memory->ClearFaults();
  ASSERT_TRUE(temp.store().FlushForTest().ok());
  ASSERT_TRUE(temp.Append(StoreTest::BatchForTest("a", 3, 3)).ok());
  for (int t = 1; t <= 3; ++t) {
    EXPECT_EQ(SpanIds(*temp.store().FindTrace("a", StoreTest::TraceIdForTest(t), {})).size(), 3u);
  }
}

TEST(StoreFlushFaultTest, FailedBlockWriteKeepsSpansReadableAndRetries) {
  auto memory = std::make_shared<backend::MemoryBackend>();
  testing::TempStore temp("store_flush_fault", WithBackend(memory));
  ASSERT_TRUE(temp.Append(StoreTest::BatchForTest("a", 1, 3)).ok());
  memory->FailNext(backend::Verb::kPutStream, absl::UnavailableError("backend down"));
  EXPECT_FALSE(temp.store().FlushForTest().ok());
  StoreStats stats = temp.store().FullStats();
  EXPECT_EQ(stats.frozen_heads, 1u);
  EXPECT_EQ(stats.blocks, 0u);
  EXPECT_EQ(SpanIds(*temp.store().FindTrace("a", StoreTest::TraceIdForTest(1), {})).size(), 3u);
  memory->ClearFaults();
  ASSERT_TRUE(temp.store().FlushForTest().ok());
  stats = temp.store().FullStats();
  EXPECT_EQ(stats.frozen_heads, 0u);
  EXPECT_EQ(stats.blocks, 1u);
  EXPECT_EQ(SpanIds(*temp.store().FindTrace("a", StoreTest::TraceIdForTest(1), {})).size(), 3u);
}

// The backend refuses at open (wrong credentials, server down): the store opens anyway, accepts
// and serves spans from the head, and flushes once the catalog can be loaded.
TEST(StoreFlushFaultTest, CatalogLoadFailureAtOpenDefersFlushesAndLosesNothing) {
  auto memory = std::make_shared<backend::MemoryBackend>();
  {
    testing::TempStore seed("store_catalog_fault_seed", WithBackend(memory));
    ASSERT_TRUE(seed.Append(StoreTest::BatchForTest("a", 1, 3)).ok());
    ASSERT_TRUE(seed.store().FlushForTest().ok());
  }
  memory->FailNext(backend::Verb::kList, absl::PermissionDeniedError("SignatureDoesNotMatch"), 3);
  StoreOptions options = WithBackend(memory);
  options.cut_blocks = false;  // no background flusher: it would use up the faults
  testing::TempStore temp("store_catalog_fault", options);
  EXPECT_EQ(temp.store().FullStats().blocks, 0u);  // not loaded yet
  ASSERT_TRUE(temp.Append(StoreTest::BatchForTest("a", 2, 2)).ok());
  EXPECT_EQ(SpanIds(*temp.store().FindTrace("a", StoreTest::TraceIdForTest(2), {})).size(), 2u);
  Status refused = temp.store().FlushForTest();
  EXPECT_TRUE(absl::IsPermissionDenied(refused)) << refused;
  // Restarted while the backend still refuses: replayed, nothing lost.
  temp.Reopen();
  EXPECT_EQ(temp.store().Stats().spans, 2u);
  ASSERT_TRUE(temp.store().FlushForTest().ok());  // the faults are used up: loads, then flushes
  StoreStats stats = temp.store().FullStats();
  EXPECT_EQ(stats.blocks, 2u);
  EXPECT_EQ(stats.head.spans, 0u);
  temp.Reopen();
  EXPECT_EQ(temp.store().replay_skipped_records(), 0u);
  EXPECT_EQ(SpanIds(*temp.store().FindTrace("a", StoreTest::TraceIdForTest(1), {})).size(), 3u);
  EXPECT_EQ(SpanIds(*temp.store().FindTrace("a", StoreTest::TraceIdForTest(2), {})).size(), 2u);
}

}  // namespace
}  // namespace th::store

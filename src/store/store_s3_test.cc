// Store over the S3 backend, end to end against the Swift + s3api servers of the ctest fixtures
// (scripts/s3-test-server.sh): flushed spans read back from blocks on S3, a reopen loads the
// catalog from S3 and replays nothing twice, compaction merges blocks on S3, another process sees
// the published index; and the faults — wrong credentials, the server stopped before and during a
// flush, restarts in between — never lose or duplicate an acknowledged span. Each test uses a
// bucket of its own on the s3_faults_server instance, whose proxy the fault tests stop and start
// (every case holds the RESOURCE_LOCK s3_faults, shared with the backend's fault tests).
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "model/otlp_decode.h"
#include "store/backend/s3/s3_backend.h"
#include "store/backend/s3/s3_test_server.h"
#include "store/catalog/catalog.h"
#include "store/store.h"
#include "store/testing/store_checks.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"

#include <unistd.h>

namespace th::store {
namespace {

namespace otlp = opentelemetry::proto::trace::v1;
namespace s3 = backend::s3;
using ::testing::HasSubstr;

// Trace `trace` of `tenant` with spans first_span..first_span+spans-1; each span carries
// `payload` bytes of incompressible attribute (to make blocks span several upload parts).
std::unique_ptr<model::SpanBatch> Batch(std::string_view tenant, int trace, int spans,
                                        int first_span = 1, size_t payload = 0) {
  otlp::TracesData data;
  auto* rs = data.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("checkout");
  auto* ss = rs->add_scope_spans();
  uint32_t x = static_cast<uint32_t>(trace) * 2654435761u;
  for (int i = 0; i < spans; ++i) {
    auto* sp = ss->add_spans();
    std::string tid(16, '\x07'), sid(8, '\x08');
    tid[14] = static_cast<char>(trace >> 8);
    tid[15] = static_cast<char>(trace);
    sid[6] = static_cast<char>((first_span + i) >> 8);
    sid[7] = static_cast<char>(first_span + i);
    sp->set_trace_id(tid);
    sp->set_span_id(sid);
    sp->set_name("op");
    sp->set_start_time_unix_nano(1'700'000'000'000'000'000);
    sp->set_end_time_unix_nano(1'700'000'000'500'000'000);
    if (payload > 0) {
      std::string bytes(payload, '\0');
      for (char& c : bytes) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>('a' + (x >> 24) % 26);
      }
      auto* a = sp->add_attributes();
      a->set_key("payload");
      a->mutable_value()->set_string_value(bytes);
    }
  }
  auto decoded = model::DecodeOtlpTracesProto(data.SerializeAsString(), tenant);
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  return std::move(decoded->batch);
}

model::TraceId TraceIdOf(int trace) {
  std::string tid(16, '\x07');
  tid[14] = static_cast<char>(trace >> 8);
  tid[15] = static_cast<char>(trace);
  return model::TraceId::FromBytes(tid);
}

using testing::SpanIds;
using testing::WalSegments;

std::vector<std::string> BlockIds(const catalog::TenantBlocks& blocks) {
  std::vector<std::string> ids;
  for (const auto& b : blocks.blocks) ids.push_back(b->meta().block_id);
  return ids;
}

class StoreS3Test : public ::testing::Test {
 protected:
  static std::string ServerDir() { return TH_S3_FAULTS_DIR; }

  void SetUp() override {
    Result<s3::S3Options> options = s3::testing::ServerOptions(ServerDir());
    ASSERT_TRUE(options.ok()) << options.status();
    Result<std::unique_ptr<s3::S3Backend>> b = s3::testing::OpenWithFreshBucket(*options);
    ASSERT_TRUE(b.ok()) << b.status();
    s3_options_ = (*b)->options();
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           th::StrCat("store_s3_", ::getpid(), "_", test->name());
    std::filesystem::remove_all(dir_);
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
    for (const auto& d : extra_dirs_) std::filesystem::remove_all(d);
  }

  // A new S3Backend (its own connections) on this test's bucket, with `secret` if given.
  std::shared_ptr<s3::S3Backend> NewBackend(std::string secret = "") {
    s3::S3Options o = s3_options_;
    if (!secret.empty()) o.secret_key = secret;
    Result<std::unique_ptr<s3::S3Backend>> b = s3::S3Backend::Open(o);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? std::shared_ptr<s3::S3Backend>(std::move(b).value()) : nullptr;
  }

  // Closes the open store, if any, and opens one on `dir` (default: the test's) over `backend`
  // (default: a new one with good credentials).
  Status Open(std::shared_ptr<s3::S3Backend> backend = nullptr, std::filesystem::path dir = {}) {
    if (store_ != nullptr) RETURN_IF_ERROR(store_->Close());
    store_.reset();
    StoreOptions o;
    o.data_dir = (dir.empty() ? dir_ : dir).string();
    o.backend = backend != nullptr ? std::move(backend) : NewBackend();
    o.cut_blocks = false;  // flushes only when the test says so
    o.compact = false;     // CompactForTest runs one round
    ASSIGN_OR_RETURN(store_, Store::Open(o));
    return Status();
  }

  Status Append(std::unique_ptr<model::SpanBatch> batch) {
    std::promise<Status> done;
    store_->Append(std::move(batch), [&done](const Status& s) { done.set_value(s); });
    return done.get_future().get();
  }

  // The span ids of the trace, or an empty set when it is not found (failing the test).
  std::multiset<std::string> Find(std::string_view tenant, int trace) {
    Result<std::string> found = store_->FindTrace(tenant, TraceIdOf(trace), {});
    EXPECT_TRUE(found.ok()) << "trace " << trace << ": " << found.status();
    return found.ok() ? SpanIds(*found) : std::multiset<std::string>();
  }

  // A fresh data dir (removed at teardown).
  std::filesystem::path NewDir(std::string_view name) {
    std::filesystem::path d = dir_.string() + "_" + std::string(name);
    std::filesystem::remove_all(d);
    extra_dirs_.push_back(d);
    return d;
  }

  s3::S3Options s3_options_;
  std::filesystem::path dir_;
  std::vector<std::filesystem::path> extra_dirs_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreS3Test, FlushedSpansAreReadFromS3AndReopenReplaysNothingTwice) {
  ASSERT_TRUE(Open().ok());
  for (int t = 1; t <= 5; ++t) ASSERT_TRUE(Append(Batch("a", t, 4)).ok());
  ASSERT_TRUE(Append(Batch("b", 9, 3)).ok());
  std::vector<std::multiset<std::string>> before;
  for (int t = 1; t <= 5; ++t) before.push_back(Find("a", t));
  // Keep the WAL as it was before the flush, to put it back as if a crash had stopped the
  // removal of its segments.
  std::filesystem::path saved = NewDir("wal_copy");
  std::filesystem::copy(dir_ / "wal", saved, std::filesystem::copy_options::recursive);

  Status flushed = store_->FlushForTest();
  ASSERT_TRUE(flushed.ok()) << flushed;
  StoreStats stats = store_->FullStats();
  EXPECT_EQ(stats.head.spans, 0u);
  EXPECT_EQ(stats.blocks, 2u);
  EXPECT_EQ(stats.block_spans, 23u);
  EXPECT_EQ(WalSegments(dir_), 0u);
  // The blocks are objects in the bucket, read through another connection pool.
  std::shared_ptr<s3::S3Backend> other = NewBackend();
  Result<std::vector<std::string>> keys = other->List("a", backend::ListMode::kRecursive);
  ASSERT_TRUE(keys.ok()) << keys.status();
  std::string id = BlockIds(*store_->catalog()->Snapshot("a"))[0];
  for (const char* object : {"meta", "data", "index", "bloom"}) {
    EXPECT_THAT(*keys, ::testing::Contains(th::StrCat("a/", id, "/", object)));
  }
  for (int t = 1; t <= 5; ++t) EXPECT_EQ(Find("a", t), before[t - 1]) << "trace " << t;
  EXPECT_EQ(Find("b", 9).size(), 3u);

  // Reopen with the flushed WAL segments back: the catalog comes from S3 and replay skips every
  // record its blocks hold.
  ASSERT_TRUE(store_->Close().ok());
  for (const auto& e : std::filesystem::directory_iterator(saved)) {
    std::filesystem::copy_file(e.path(), dir_ / "wal" / e.path().filename());
  }
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(store_->replay_report().records, 6u);
  EXPECT_EQ(store_->replay_skipped_records(), 6u);
  stats = store_->FullStats();
  EXPECT_EQ(stats.head.spans, 0u);
  EXPECT_EQ(stats.blocks, 2u);
  for (int t = 1; t <= 5; ++t) EXPECT_EQ(Find("a", t), before[t - 1]) << "trace " << t;
  EXPECT_EQ(Find("b", 9).size(), 3u);

  // Spans appended after every WAL segment was flushed and removed survive a restart: new
  // segments are numbered above the blocks' WAL boundary (before the fix a log whose segments
  // were all removed restarted at 1, and replay skipped those records as already flushed).
  ASSERT_TRUE(Append(Batch("a", 6, 2)).ok());
  ASSERT_TRUE(store_->FlushForTest().ok());  // also removes the restored segments
  EXPECT_EQ(WalSegments(dir_), 0u);
  ASSERT_TRUE(Open().ok());  // an empty WAL dir
  ASSERT_TRUE(Append(Batch("a", 7, 3)).ok());
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(store_->replay_report().records, 1u);
  EXPECT_EQ(store_->replay_skipped_records(), 0u);
  EXPECT_EQ(store_->Stats().spans, 3u);
  EXPECT_EQ(Find("a", 7).size(), 3u);
  ASSERT_TRUE(store_->FlushForTest().ok());

  // A fresh data dir over the same bucket: everything comes from S3 alone, and new spans there
  // survive a restart too (its WAL numbers segments above the bucket's boundaries).
  std::filesystem::path fresh = NewDir("fresh");
  ASSERT_TRUE(Open(nullptr, fresh).ok());
  EXPECT_EQ(store_->Stats().spans, 0u);
  EXPECT_EQ(store_->FullStats().blocks, 4u);
  for (int t = 1; t <= 5; ++t) EXPECT_EQ(Find("a", t), before[t - 1]) << "trace " << t;
  EXPECT_EQ(Find("a", 6).size(), 2u);
  EXPECT_EQ(Find("a", 7).size(), 3u);
  EXPECT_EQ(Find("b", 9).size(), 3u);
  ASSERT_TRUE(Append(Batch("a", 8, 3)).ok());
  ASSERT_TRUE(Open(nullptr, fresh).ok());
  EXPECT_EQ(store_->replay_skipped_records(), 0u);
  EXPECT_EQ(Find("a", 8).size(), 3u);
}

TEST_F(StoreS3Test, CompactionMergesBlocksOnS3AndAnotherProcessSeesThem) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Append(Batch("a", 1, 3)).ok());  // spans 1..3
  ASSERT_TRUE(Append(Batch("a", 2, 2)).ok());
  ASSERT_TRUE(store_->FlushForTest().ok());
  ASSERT_TRUE(Append(Batch("a", 1, 5)).ok());  // spans 1..5: 1..3 again, as a retry would
  ASSERT_TRUE(Append(Batch("a", 3, 4)).ok());
  ASSERT_TRUE(store_->FlushForTest().ok());
  ASSERT_EQ(store_->FullStats().blocks, 2u);

  // Another process reading the bucket: the published index names the same blocks.
  auto view_backend = NewBackend();
  catalog::Catalog view(view_backend.get(), catalog::CatalogOptions());
  Status loaded = view.LoadFromIndex();
  ASSERT_TRUE(loaded.ok()) << loaded;
  EXPECT_EQ(BlockIds(*view.Snapshot("a")), BlockIds(*store_->catalog()->Snapshot("a")));

  Status compacted = store_->CompactForTest();
  ASSERT_TRUE(compacted.ok()) << compacted;
  StoreStats stats = store_->FullStats();
  EXPECT_EQ(stats.blocks, 1u);
  EXPECT_EQ(stats.block_spans, 11u);  // 5 + 2 + 4, the retried spans once
  std::multiset<std::string> one = Find("a", 1);
  EXPECT_EQ(one.size(), 5u);
  EXPECT_EQ(std::set<std::string>(one.begin(), one.end()).size(), 5u);
  EXPECT_EQ(Find("a", 2).size(), 2u);
  EXPECT_EQ(Find("a", 3).size(), 4u);

  std::vector<std::string> merged = BlockIds(*store_->catalog()->Snapshot("a"));
  ASSERT_TRUE(view.LoadFromIndex().ok());
  EXPECT_EQ(BlockIds(*view.Snapshot("a")), merged);
  EXPECT_EQ(view.Snapshot("a")->span_count, 11u);
  // A listing (what a restarted owner does) hides the replaced blocks, whose objects stay for
  // the compacted grace.
  catalog::Catalog listed(view_backend.get(), catalog::CatalogOptions());
  ASSERT_TRUE(listed.Load(/*collect_garbage=*/false).ok());
  EXPECT_EQ(BlockIds(*listed.Snapshot("a")), merged);

  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(store_->FullStats().blocks, 1u);
  EXPECT_EQ(store_->Stats().spans, 0u);
  EXPECT_EQ(Find("a", 1), one);
}

TEST_F(StoreS3Test, WrongSecretKeepsSpansInTheHeadAndGoodCredentialsFlushThemLater) {
  // A block already in the bucket, and a WAL whose segments were all removed.
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Append(Batch("a", 1, 3)).ok());
  ASSERT_TRUE(store_->FlushForTest().ok());

  // Wrong secret: the store opens (the catalog cannot be loaded), accepts and serves spans.
  Status opened = Open(NewBackend("not-the-secret"));
  ASSERT_TRUE(opened.ok()) << opened;
  ASSERT_TRUE(Append(Batch("a", 2, 4)).ok());
  ASSERT_TRUE(Append(Batch("b", 3, 2)).ok());
  EXPECT_EQ(Find("a", 2).size(), 4u);
  Status flush = store_->FlushForTest();
  EXPECT_TRUE(absl::IsPermissionDenied(flush)) << flush;
  EXPECT_THAT(std::string(th::Message(flush)), HasSubstr("SignatureDoesNotMatch"));
  EXPECT_EQ(Find("a", 2).size(), 4u);
  EXPECT_EQ(Find("b", 3).size(), 2u);
  EXPECT_GE(WalSegments(dir_), 1u);
  EXPECT_EQ(store_->FullStats().blocks, 0u);  // nothing of the bucket is visible
  ASSERT_TRUE(Append(Batch("a", 4, 1)).ok());
  EXPECT_FALSE(store_->FlushForTest().ok());

  // Restarted with the same wrong secret: still nothing lost.
  ASSERT_TRUE(Open(NewBackend("not-the-secret")).ok());
  EXPECT_EQ(store_->replay_report().records, 3u);
  EXPECT_EQ(store_->Stats().spans, 7u);

  // Good credentials on the same data dir: the old block and the replayed spans are all there,
  // nothing skipped as "already flushed", and the flush moves them to S3.
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(store_->replay_report().records, 3u);
  EXPECT_EQ(store_->replay_skipped_records(), 0u);
  EXPECT_EQ(store_->FullStats().blocks, 1u);
  EXPECT_EQ(Find("a", 1).size(), 3u);
  Status good = store_->FlushForTest();
  ASSERT_TRUE(good.ok()) << good;
  StoreStats stats = store_->FullStats();
  EXPECT_EQ(stats.head.spans, 0u);
  EXPECT_EQ(stats.blocks, 3u);  // a: 2, b: 1
  EXPECT_EQ(stats.block_spans, 10u);
  ASSERT_TRUE(Open().ok());  // the flushed WAL segments are gone: nothing to replay
  EXPECT_EQ(store_->replay_report().records, 0u);

  // From S3 alone, through a fresh data dir.
  ASSERT_TRUE(Open(nullptr, NewDir("fresh")).ok());
  EXPECT_EQ(Find("a", 1).size(), 3u);
  EXPECT_EQ(Find("a", 2).size(), 4u);
  EXPECT_EQ(Find("b", 3).size(), 2u);
  EXPECT_EQ(Find("a", 4).size(), 1u);
}

TEST_F(StoreS3Test, WrongSecretFromTheStartIsClearAndLosesNothing) {
  Status opened = Open(NewBackend("not-the-secret"));
  ASSERT_TRUE(opened.ok()) << opened;
  ASSERT_TRUE(Append(Batch("a", 1, 2)).ok());
  Status flush = store_->FlushForTest();
  EXPECT_TRUE(absl::IsPermissionDenied(flush)) << flush;
  EXPECT_THAT(std::string(th::Message(flush)), HasSubstr("SignatureDoesNotMatch"));
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(store_->FlushForTest().ok());
  ASSERT_TRUE(Open(nullptr, NewDir("fresh")).ok());
  EXPECT_EQ(Find("a", 1).size(), 2u);
}

// Cases that stop and start the server's proxy.
class StoreS3FaultsTest : public StoreS3Test {
 protected:
  void TearDown() override {
    store_.reset();  // before the proxy comes back: Close does not touch the backend
    if (proxy_stopped_) {
      EXPECT_TRUE(s3::testing::RunServerScript("start-proxy", ServerDir()).ok());
    }
    StoreS3Test::TearDown();
  }
  void StopProxy() {
    ASSERT_TRUE(s3::testing::RunServerScript("stop-proxy", ServerDir()).ok());
    proxy_stopped_ = true;
  }
  void StartProxy() {
    ASSERT_TRUE(s3::testing::RunServerScript("start-proxy", ServerDir()).ok());
    proxy_stopped_ = false;
  }

  bool proxy_stopped_ = false;
};

TEST_F(StoreS3FaultsTest, ServerStoppedFailsTheFlushAndARestartInBetweenLosesNothing) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(Append(Batch("a", 1, 3)).ok());
  ASSERT_TRUE(store_->FlushForTest().ok());  // one block before the outage
  ASSERT_TRUE(Append(Batch("a", 2, 4)).ok());
  ASSERT_TRUE(Append(Batch("a", 3, 2)).ok());
  StopProxy();

  auto start = std::chrono::steady_clock::now();
  Status flush = store_->FlushForTest();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(absl::IsUnavailable(flush)) << flush;
  EXPECT_THAT(std::string(th::Message(flush)), HasSubstr(s3_options_.endpoint));
  EXPECT_LE(elapsed, std::chrono::seconds(10));
  EXPECT_EQ(store_->FullStats().frozen_heads, 1u);
  EXPECT_EQ(Find("a", 2).size(), 4u);
  EXPECT_EQ(Find("a", 3).size(), 2u);
  EXPECT_GE(WalSegments(dir_), 1u);

  // Restart while the server is down: the store opens without its catalog, replays the WAL and
  // keeps accepting spans.
  Status opened = Open();
  ASSERT_TRUE(opened.ok()) << opened;
  EXPECT_EQ(store_->replay_report().records, 2u);
  EXPECT_EQ(Find("a", 2).size(), 4u);
  ASSERT_TRUE(Append(Batch("a", 4, 5)).ok());
  EXPECT_TRUE(absl::IsUnavailable(store_->FlushForTest()));

  StartProxy();
  Status good = store_->FlushForTest();
  ASSERT_TRUE(good.ok()) << good;
  StoreStats stats = store_->FullStats();
  EXPECT_EQ(stats.head.spans, 0u);
  EXPECT_EQ(stats.blocks, 2u);
  EXPECT_EQ(stats.block_spans, 14u);
  for (auto [trace, spans] : std::vector<std::pair<int, size_t>>{{1, 3}, {2, 4}, {3, 2}, {4, 5}}) {
    EXPECT_EQ(Find("a", trace).size(), spans) << "trace " << trace;
  }
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(store_->replay_report().records, 0u);
  EXPECT_EQ(store_->Stats().spans, 0u);
  EXPECT_EQ(store_->FullStats().block_spans, 14u);
}

// The proxy is stopped while the block's data is being uploaded in parts (1 MiB parts, a block
// of several MiB). The stop races the upload: whichever wins, nothing is lost or duplicated, and
// a failed flush says Unavailable.
TEST_F(StoreS3FaultsTest, ServerStoppedDuringTheUploadLosesNothing) {
  std::shared_ptr<s3::S3Backend> backend = NewBackend();
  ASSERT_TRUE(Open(backend).ok());
  constexpr int kTraces = 40, kSpans = 50;
  for (int t = 1; t <= kTraces; ++t) {
    ASSERT_TRUE(Append(Batch("a", t, kSpans, 1, 2048)).ok());
  }
  uint64_t requests_before = backend->HttpRequestsForTest();
  std::thread stopper([&] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (backend->HttpRequestsForTest() < requests_before + 2 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    StopProxy();
  });
  Status flush = store_->FlushForTest();
  stopper.join();
  if (flush.ok()) {
    ::testing::Test::RecordProperty("outcome", "flush finished before the proxy stopped");
    EXPECT_EQ(store_->FullStats().blocks, 1u);
  } else {
    EXPECT_TRUE(absl::IsUnavailable(flush)) << flush;
    EXPECT_EQ(store_->FullStats().blocks, 0u);
    EXPECT_EQ(store_->Stats().spans, static_cast<uint64_t>(kTraces * kSpans));
  }
  for (int t = 1; t <= kTraces; t += 13) EXPECT_EQ(Find("a", t).size(), size_t{kSpans});

  StartProxy();
  // Restarted after the outage: the WAL (or the block) has every span, once.
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(store_->FlushForTest().ok());
  StoreStats stats = store_->FullStats();
  EXPECT_EQ(stats.head.spans, 0u);
  EXPECT_EQ(stats.block_spans, static_cast<uint64_t>(kTraces * kSpans));
  for (int t = 1; t <= kTraces; ++t) {
    std::multiset<std::string> ids = Find("a", t);
    EXPECT_EQ(ids.size(), size_t{kSpans}) << "trace " << t;
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), size_t{kSpans});
  }
}

}  // namespace
}  // namespace th::store

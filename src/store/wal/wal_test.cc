#include "store/wal/wal.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"
#include "common/strings.h"
#include "store/wal/internal/format.h"
#include "store/wal/internal/segment_reader.h"

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

namespace th::store::wal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The value of a counter of the default registry, for before/after deltas. Tests in one binary
// run one after another, so other tests do not move it meanwhile.
uint64_t CounterValue(std::string_view name) {
  return metrics::Registry::Default().GetCounter(name, "")->Value();
}

Record MakeRecord(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Result of one Append's callback.
class Done {
 public:
  AppendCallback Callback() {
    return [this](const Status& status) {
      status_ = status;
      notification_.Notify();
    };
  }
  Status Wait() {
    notification_.WaitForNotification();
    return status_;
  }
  bool HasRun() const { return notification_.HasBeenNotified(); }

 private:
  absl::Notification notification_;
  Status status_;
};

class WalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = th::StrCat(::testing::TempDir(), "/wal_test_XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ + "/wal";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  Options Opts(bool sync = false) const {
    Options options;
    options.dir = dir_;
    options.sync = sync;
    return options;
  }

  // Opens the log, collecting replayed records into replayed_ and the report into report_.
  std::unique_ptr<Wal> OpenOrDie(const Options& options) {
    replayed_.clear();
    Result<std::unique_ptr<Wal>> wal = Wal::Open(
        options, [this](std::string_view r) { replayed_.emplace_back(r); }, &report_);
    EXPECT_TRUE(wal.ok()) << wal.status();
    return wal.ok() ? std::move(wal).value() : nullptr;
  }

  Status AppendAndWait(Wal& wal, std::string payload) {
    Done done;
    RETURN_IF_ERROR(wal.Append(MakeRecord(std::move(payload)), done.Callback()));
    return done.Wait();
  }

  // Writes `payloads` in one log session (one segment) and closes it; returns the segment path.
  std::string WriteSession(const std::vector<std::string>& payloads) {
    std::unique_ptr<Wal> wal = OpenOrDie(Opts());
    for (const std::string& p : payloads) EXPECT_TRUE(AppendAndWait(*wal, p).ok());
    std::string path = Path(wal->SegmentsForTest().back());
    EXPECT_TRUE(wal->Close().ok());
    return path;
  }

  std::string Path(std::string_view segment) const { return th::StrCat(dir_, "/", segment); }

  std::string root_;
  std::string dir_;
  std::vector<std::string> replayed_;
  ReplayReport report_;
};

// Offset of record `index` in a segment holding records of the given payload sizes.
uint64_t RecordOffset(const std::vector<std::string>& payloads, size_t index) {
  uint64_t offset = internal::kSegmentHeaderSize;
  for (size_t i = 0; i < index; ++i) offset += internal::kRecordHeaderSize + payloads[i].size();
  return offset;
}

TEST_F(WalTest, AppendThenReopenReplaysAllRecordsInOrder) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  std::vector<Done> done(100);
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i) {
    expected.push_back(th::StrCat("record-", i));
    ASSERT_TRUE(wal->Append(MakeRecord(expected.back()), done[i].Callback()).ok());
  }
  for (Done& d : done) EXPECT_TRUE(d.Wait().ok());
  ASSERT_TRUE(wal->Close().ok());

  wal = OpenOrDie(Opts());
  EXPECT_EQ(replayed_, expected);
  EXPECT_EQ(report_.records, 100u);
  EXPECT_EQ(report_.segments, 1u);
  EXPECT_FALSE(report_.corrupt);
}

TEST_F(WalTest, EmptyDirectoryReplaysNothing) {
  dir_ = root_ + "/does/not/exist/yet";
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, IsEmpty());
  EXPECT_EQ(report_.segments, 0u);
  EXPECT_EQ(report_.records, 0u);
  EXPECT_FALSE(report_.corrupt);
  EXPECT_THAT(wal->SegmentsForTest(), ElementsAre("00000000000000000001.wal"));
}

TEST_F(WalTest, ZeroLengthRecord) {
  WriteSession({"", "x", ""});
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("", "x", ""));
  EXPECT_FALSE(report_.corrupt);
}

TEST_F(WalTest, AppendsAfterReopenStartAFreshSegment) {
  WriteSession({"a"});
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(wal->SegmentsForTest(),
              ElementsAre("00000000000000000001.wal", "00000000000000000002.wal"));
}

TEST_F(WalTest, CallbackRunsOnlyAfterCommit) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts(/*sync=*/true));
  std::string path = Path(wal->SegmentsForTest().back());
  uint64_t fsyncs_before = CounterValue("tracehouse_wal_fsyncs_total");
  uint64_t fsyncs_in_callback = 0;
  std::string file_in_callback;
  absl::Notification ran;
  ASSERT_TRUE(wal->Append(MakeRecord("durable"),
                          [&](const Status& status) {
                            EXPECT_TRUE(status.ok());
                            fsyncs_in_callback = CounterValue("tracehouse_wal_fsyncs_total");
                            file_in_callback = ReadFile(path);
                            ran.Notify();
                          })
                  .ok());
  ran.WaitForNotification();
  EXPECT_GT(fsyncs_in_callback, fsyncs_before);
  internal::SegmentReader reader(file_in_callback);
  ASSERT_TRUE(reader.ReadHeader().ok());
  std::optional<std::string_view> record = reader.Next();
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(*record, "durable");
}

TEST_F(WalTest, ConcurrentAppendsAreGroupCommitted) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts(/*sync=*/true));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  uint64_t fsyncs_before = CounterValue("tracehouse_wal_fsyncs_total");
  uint64_t records_before = CounterValue("tracehouse_wal_records_written_total");

  // The first callback holds the writer until every thread has queued its records, so the
  // rest must form one group: the test does not depend on thread timing.
  absl::Notification all_queued;
  std::atomic<bool> first{true};
  std::atomic<int> ok{0};
  absl::Mutex mu;
  int finished = 0;
  auto callback = [&](const Status& status) {
    if (first.exchange(false)) all_queued.WaitForNotification();
    if (status.ok()) ok.fetch_add(1);
    absl::MutexLock lock(&mu);
    ++finished;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_TRUE(wal->Append(MakeRecord(th::StrCat(t, ":", i)), callback).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  all_queued.Notify();
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* n) { return *n == kThreads * kPerThread; }, &finished));
  }
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  uint64_t fsyncs = CounterValue("tracehouse_wal_fsyncs_total") - fsyncs_before;
  EXPECT_EQ(CounterValue("tracehouse_wal_records_written_total") - records_before,
            static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LE(fsyncs, 2u);  // the group the first record was in, and everything after it
  ASSERT_TRUE(wal->Close().ok());

  // Records of one thread replay in the order that thread appended them.
  wal = OpenOrDie(Opts());
  ASSERT_EQ(replayed_.size(), static_cast<size_t>(kThreads * kPerThread));
  std::vector<int> next(kThreads, 0);
  for (const std::string& r : replayed_) {
    int t = r[0] - '0';
    EXPECT_EQ(r, th::StrCat(t, ":", next[t])) << "out of order";
    ++next[t];
  }
}

TEST_F(WalTest, StopsAtTornTailAndReportsOffset) {
  std::vector<std::string> payloads = {"first", "second", "third record"};
  std::string path = WriteSession(payloads);
  uint64_t torn_at = RecordOffset(payloads, 2);
  std::filesystem::resize_file(path, torn_at + internal::kRecordHeaderSize + 3);
  uint64_t corruptions_before = CounterValue("tracehouse_wal_replay_corruptions_total");

  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("first", "second"));
  EXPECT_TRUE(report_.corrupt);
  EXPECT_EQ(report_.corrupt_segment, "00000000000000000001.wal");
  EXPECT_EQ(report_.corrupt_offset, torn_at);
  EXPECT_THAT(report_.message, HasSubstr("torn record payload"));
  EXPECT_EQ(CounterValue("tracehouse_wal_replay_corruptions_total") - corruptions_before, 1u);
  // The torn tail was cut off.
  EXPECT_EQ(std::filesystem::file_size(path), torn_at);
}

TEST_F(WalTest, TornRecordHeaderStopsReplay) {
  std::vector<std::string> payloads = {"first", "second"};
  std::string path = WriteSession(payloads);
  uint64_t torn_at = RecordOffset(payloads, 1);
  std::filesystem::resize_file(path, torn_at + 5);

  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("first"));
  EXPECT_EQ(report_.corrupt_offset, torn_at);
  EXPECT_THAT(report_.message, HasSubstr("torn record header"));
}

TEST_F(WalTest, BitFlipInPayloadStopsReplayAtThatRecord) {
  std::vector<std::string> payloads = {"alpha", "bravo", "charlie"};
  std::string path = WriteSession(payloads);
  std::string bytes = ReadFile(path);
  uint64_t bad = RecordOffset(payloads, 1);
  bytes[bad + internal::kRecordHeaderSize + 2] ^= 0x10;
  WriteFile(path, bytes);

  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("alpha"));
  EXPECT_TRUE(report_.corrupt);
  EXPECT_EQ(report_.corrupt_offset, bad);
  EXPECT_THAT(report_.message, HasSubstr("checksum mismatch"));
}

TEST_F(WalTest, LengthPastMaximumStopsReplay) {
  std::vector<std::string> payloads = {"alpha", "bravo"};
  std::string path = WriteSession(payloads);
  std::string bytes = ReadFile(path);
  uint64_t bad = RecordOffset(payloads, 1);
  internal::EncodeFixed32(internal::kMaxRecordBytes + 1, bytes.data() + bad);
  WriteFile(path, bytes);

  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("alpha"));
  EXPECT_EQ(report_.corrupt_offset, bad);
  EXPECT_THAT(report_.message, HasSubstr("exceeds maximum"));
}

TEST_F(WalTest, TornTailIsTruncatedSoNewAppendsReplay) {
  std::vector<std::string> payloads = {"kept", "torn"};
  std::string path = WriteSession(payloads);
  std::filesystem::resize_file(path, RecordOffset(payloads, 1) + 3);

  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("kept"));
  EXPECT_TRUE(report_.corrupt);
  ASSERT_TRUE(AppendAndWait(*wal, "after").ok());
  ASSERT_TRUE(wal->Close().ok());

  wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("kept", "after"));
  EXPECT_FALSE(report_.corrupt) << report_.message;
}

TEST_F(WalTest, TornHeaderOfLastSegmentIsRemoved) {
  WriteSession({"a"});
  std::string torn = Path("00000000000000000005.wal");
  WriteFile(torn, std::string_view(internal::kMagic, 5));

  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("a"));
  EXPECT_TRUE(report_.corrupt);
  EXPECT_EQ(report_.corrupt_segment, "00000000000000000005.wal");
  EXPECT_EQ(report_.corrupt_offset, 0u);
  EXPECT_FALSE(std::filesystem::exists(torn));
  EXPECT_THAT(wal->SegmentsForTest(),
              ElementsAre("00000000000000000001.wal", "00000000000000000006.wal"));
}

TEST_F(WalTest, CorruptMiddleSegmentSkipsToNextSegment) {
  std::vector<std::string> first = {"a1", "a2", "a3"};
  std::string first_path = WriteSession(first);
  WriteSession({"b1"});
  std::string bytes = ReadFile(first_path);
  uint64_t bad = RecordOffset(first, 1);
  bytes[bad + internal::kRecordHeaderSize] ^= 0x01;
  WriteFile(first_path, bytes);
  uint64_t corruptions_before = CounterValue("tracehouse_wal_replay_corruptions_total");

  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("a1", "b1"));
  EXPECT_TRUE(report_.corrupt);
  EXPECT_EQ(report_.corrupt_segment, "00000000000000000001.wal");
  EXPECT_EQ(report_.corrupt_offset, bad);
  EXPECT_EQ(report_.segments, 2u);
  EXPECT_EQ(CounterValue("tracehouse_wal_replay_corruptions_total") - corruptions_before, 1u);
  // A middle segment is left as it is, for inspection.
  EXPECT_EQ(ReadFile(first_path), bytes);
}

TEST_F(WalTest, SegmentWithWrongSequenceIsCorruptButKept) {
  WriteSession({"a"});
  std::string second = WriteSession({"b"});
  std::string renamed = Path("00000000000000000007.wal");
  std::filesystem::rename(second, renamed);

  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("a"));
  EXPECT_TRUE(report_.corrupt);
  EXPECT_EQ(report_.corrupt_segment, "00000000000000000007.wal");
  EXPECT_EQ(report_.corrupt_offset, 0u);
  EXPECT_THAT(report_.message, HasSubstr("sequence 2"));
  // A whole header that is wrong is not a torn write: even as the last segment it may hold
  // real records, so it stays.
  EXPECT_TRUE(std::filesystem::exists(renamed));
  EXPECT_EQ(wal->SegmentsForTest().back(), "00000000000000000008.wal");
}

TEST_F(WalTest, UnknownFormatVersionFailsOpen) {
  std::string path = WriteSession({"a"});
  std::string bytes = ReadFile(path);
  bytes[internal::kMagicPrefixSize] = 2;
  WriteFile(path, bytes);

  Result<std::unique_ptr<Wal>> wal = Wal::Open(Opts(), ReplayFn(), nullptr);
  EXPECT_TRUE(absl::IsFailedPrecondition(wal.status())) << wal.status();
  EXPECT_THAT(wal.status().message(), HasSubstr("version 2"));
  EXPECT_EQ(ReadFile(path), bytes);  // untouched
}

TEST_F(WalTest, RollsOverSegmentsAtSize) {
  Options options = Opts();
  const std::string payload(100, 'p');
  options.segment_bytes = internal::kSegmentHeaderSize + 2 * (internal::kRecordHeaderSize + 100);
  std::unique_ptr<Wal> wal = OpenOrDie(options);
  std::vector<Done> done(5);
  std::vector<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    expected.push_back(th::StrCat(i, payload));
    expected.back().resize(100);
    ASSERT_TRUE(wal->Append(MakeRecord(expected.back()), done[i].Callback()).ok());
  }
  for (Done& d : done) ASSERT_TRUE(d.Wait().ok());
  // A record larger than a whole segment gets a segment of its own.
  std::string big(options.segment_bytes * 2, 'B');
  ASSERT_TRUE(AppendAndWait(*wal, big).ok());
  expected.push_back(big);

  std::vector<std::string> segments = wal->SegmentsForTest();
  ASSERT_EQ(segments.size(), 4u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_LE(std::filesystem::file_size(Path(segments[i])), options.segment_bytes);
  }
  EXPECT_EQ(std::filesystem::file_size(Path(segments[0])), options.segment_bytes);
  ASSERT_TRUE(wal->Close().ok());

  wal = OpenOrDie(options);
  EXPECT_EQ(replayed_, expected);
  EXPECT_EQ(report_.segments, 4u);
  EXPECT_FALSE(report_.corrupt);
}

TEST_F(WalTest, AppendAfterCloseFails) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  ASSERT_TRUE(wal->Close().ok());
  bool called = false;
  Status status = wal->Append(MakeRecord("late"), [&](const Status&) { called = true; });
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_FALSE(called);
  EXPECT_TRUE(wal->Close().ok());  // a second Close does nothing
}

TEST_F(WalTest, CloseCommitsEverythingQueued) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  std::vector<Done> done(20);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(wal->Append(MakeRecord(th::StrCat(i)), done[i].Callback()).ok());
  }
  ASSERT_TRUE(wal->Close().ok());
  for (Done& d : done) {
    EXPECT_TRUE(d.HasRun());
    EXPECT_TRUE(d.Wait().ok());
  }
  wal = OpenOrDie(Opts());
  EXPECT_EQ(replayed_.size(), 20u);
}

TEST_F(WalTest, RefusesPastMaxPendingBytes) {
  Options options = Opts();
  options.max_pending_bytes = 1000;
  std::unique_ptr<Wal> wal = OpenOrDie(options);
  // Holding the first callback keeps its record in flight, and in flight counts as pending.
  absl::Notification release;
  Done first;
  ASSERT_TRUE(wal->Append(MakeRecord(std::string(600, 'a')),
                          [&](const Status& s) {
                            release.WaitForNotification();
                            first.Callback()(s);
                          })
                  .ok());
  bool called = false;
  Status refused =
      wal->Append(MakeRecord(std::string(600, 'b')), [&](const Status&) { called = true; });
  EXPECT_TRUE(absl::IsResourceExhausted(refused)) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("pending"));

  release.Notify();
  ASSERT_TRUE(first.Wait().ok());
  // The budget is returned just after the callbacks ran; retry until it is.
  Status status;
  Done second;
  for (int i = 0; i < 1000; ++i) {
    status = wal->Append(MakeRecord(std::string(600, 'b')), second.Callback());
    if (!absl::IsResourceExhausted(status)) break;
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_TRUE(second.Wait().ok());
  EXPECT_FALSE(called);
}

TEST_F(WalTest, RejectsRecordOverMaximum) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  Status status = wal->Append(MakeRecord(std::string(internal::kMaxRecordBytes + 1, 'x')), {});
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_TRUE(absl::IsInvalidArgument(wal->Append(nullptr, {})));
}

TEST_F(WalTest, SecondOpenOfSameDirectoryFails) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  Result<std::unique_ptr<Wal>> second = Wal::Open(Opts(), ReplayFn(), nullptr);
  EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
  ASSERT_TRUE(wal->Close().ok());
  EXPECT_TRUE(Wal::Open(Opts(), ReplayFn(), nullptr).ok());
}

// A write error (here EFBIG from a file size limit) fails that group's callbacks; the writer
// cuts the segment back and later appends go to a fresh segment, so nothing written after the
// failure is lost behind it.
TEST_F(WalTest, WriteErrorFailsGroupAndLaterAppendsUseFreshSegment) {
  constexpr rlim_t kLimit = 1 << 20;
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  ASSERT_TRUE(AppendAndWait(*wal, "before").ok());

  struct rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  if (old_limit.rlim_max != RLIM_INFINITY && old_limit.rlim_max < kLimit) {
    GTEST_SKIP() << "RLIMIT_FSIZE hard limit too low";
  }
  sighandler_t old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = kLimit;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  Status failed = AppendAndWait(*wal, std::string(2 * kLimit, 'x'));
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  ::signal(SIGXFSZ, old_handler);

  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(failed.message(), HasSubstr("00000000000000000001.wal"));
  ASSERT_TRUE(AppendAndWait(*wal, "after").ok());
  EXPECT_THAT(wal->SegmentsForTest(),
              ElementsAre("00000000000000000001.wal", "00000000000000000002.wal"));
  ASSERT_TRUE(wal->Close().ok());

  wal = OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("before", "after"));
  EXPECT_FALSE(report_.corrupt) << report_.message;
}

// Rotation: records before the marker lie in older segments, later ones in newer segments, and
// replay reports each record's segment so the store can tell which are flushed.
TEST_F(WalTest, RotateSplitsRecordsAtASegmentBoundary) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  ASSERT_TRUE(AppendAndWait(*wal, "a").ok());
  ASSERT_TRUE(AppendAndWait(*wal, "b").ok());
  absl::Notification rotated;
  uint64_t boundary = 0;
  ASSERT_TRUE(wal->Rotate([&](uint64_t first_new) {
                   boundary = first_new;
                   rotated.Notify();
                 }).ok());
  rotated.WaitForNotification();
  ASSERT_TRUE(AppendAndWait(*wal, "c").ok());
  ASSERT_TRUE(wal->Close().ok());

  std::vector<std::pair<std::string, uint64_t>> seen;
  Result<std::unique_ptr<Wal>> reopened = Wal::Open(
      Opts(),
      ReplayFn([&](std::string_view r, uint64_t segment) { seen.emplace_back(r, segment); }),
      nullptr);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_LT(seen[0].second, boundary);
  EXPECT_LT(seen[1].second, boundary);
  EXPECT_EQ(seen[2].second, boundary);
}

TEST_F(WalTest, RotateOfAnEmptySegmentKeepsIt) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  std::vector<uint64_t> boundaries;
  absl::Mutex mu;
  for (int i = 0; i < 2; ++i) {
    absl::Notification rotated;
    ASSERT_TRUE(wal->Rotate([&](uint64_t first_new) {
                     absl::MutexLock lock(&mu);
                     boundaries.push_back(first_new);
                     rotated.Notify();
                   }).ok());
    rotated.WaitForNotification();
  }
  EXPECT_EQ(boundaries[0], boundaries[1]);
  EXPECT_EQ(wal->SegmentsForTest().size(), 1u);
}

TEST_F(WalTest, RemoveSegmentsBeforeDeletesOnlyOlderClosedSegments) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  std::vector<uint64_t> boundaries;
  for (const char* payload : {"a", "b", "c"}) {
    ASSERT_TRUE(AppendAndWait(*wal, payload).ok());
    absl::Notification rotated;
    ASSERT_TRUE(wal->Rotate([&](uint64_t first_new) {
                     boundaries.push_back(first_new);
                     rotated.Notify();
                   }).ok());
    rotated.WaitForNotification();
  }
  ASSERT_TRUE(AppendAndWait(*wal, "d").ok());
  ASSERT_EQ(wal->SegmentsForTest().size(), 4u);
  ASSERT_TRUE(wal->RemoveSegmentsBefore(boundaries[1]).ok());
  EXPECT_EQ(wal->SegmentsForTest().size(), 2u);
  // The open segment survives even a bound past it.
  ASSERT_TRUE(wal->RemoveSegmentsBefore(UINT64_MAX).ok());
  EXPECT_EQ(wal->SegmentsForTest().size(), 1u);
  ASSERT_TRUE(wal->Close().ok());
  OpenOrDie(Opts());
  EXPECT_THAT(replayed_, ElementsAre("d"));
}

TEST_F(WalTest, RotateAfterCloseFails) {
  std::unique_ptr<Wal> wal = OpenOrDie(Opts());
  ASSERT_TRUE(wal->Close().ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(wal->Rotate([](uint64_t) {})));
}

TEST(SegmentFileName, RoundTripsAndRejectsOtherNames) {
  EXPECT_EQ(internal::SegmentFileName(42), "00000000000000000042.wal");
  EXPECT_EQ(internal::ParseSegmentFileName("00000000000000000042.wal"), 42u);
  EXPECT_EQ(internal::ParseSegmentFileName("18446744073709551615.wal"), UINT64_MAX);
  EXPECT_EQ(internal::ParseSegmentFileName("0000000000000000042.wal"), std::nullopt);
  EXPECT_EQ(internal::ParseSegmentFileName("+0000000000000000042.wal"), std::nullopt);
  EXPECT_EQ(internal::ParseSegmentFileName("00000000000000000042.wal.tmp"), std::nullopt);
  EXPECT_EQ(internal::ParseSegmentFileName("99999999999999999999.wal"), std::nullopt);
}

TEST(SegmentReader, EmptyInputIsATornHeader) {
  internal::SegmentReader reader("");
  Result<uint64_t> sequence = reader.ReadHeader();
  EXPECT_TRUE(absl::IsDataLoss(sequence.status()));
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_EQ(reader.offset(), 0u);
}

TEST(SegmentReader, HeaderOnlyIsACleanEmptySegment) {
  std::string bytes = internal::EncodeSegmentHeader(7);
  internal::SegmentReader reader(bytes);
  ASSERT_EQ(reader.ReadHeader().value(), 7u);
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_TRUE(reader.status().ok());
  EXPECT_EQ(reader.offset(), internal::kSegmentHeaderSize);
}

}  // namespace
}  // namespace th::store::wal

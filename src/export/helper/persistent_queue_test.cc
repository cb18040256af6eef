#include "export/helper/internal/persistent_queue.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "export/helper/testing/test_util.h"

namespace th::exporter::helper::internal {
namespace {

class BatchFilesTest : public ::testing::Test {
 protected:
  BatchFilesTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("th_batch_files_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()) /
             "nested") {
    std::filesystem::remove_all(dir_.parent_path());
  }
  ~BatchFilesTest() override { std::filesystem::remove_all(dir_.parent_path()); }
  std::filesystem::path dir_;
};

// Writes a traces batch the way the queued exporter does.
Status WriteTraces(BatchFiles& files, uint64_t seq, const model::SpanBatch& batch) {
  return files.Write(seq, batch.tenant, batch.span_count(), testing::Encode(batch)).status();
}

TEST_F(BatchFilesTest, WritesReadsBackAndRemoves) {
  BatchFiles files(dir_.string(), QueueSignal::kTraces);
  auto found = files.Open();
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->empty());
  auto batch = testing::MakeBatch("svc", 3, "acme");
  ASSERT_TRUE(WriteTraces(files, 7, *batch).ok());
  ASSERT_TRUE(WriteTraces(files, 3, *testing::MakeBatch("svc", 1)).ok());

  BatchFiles reopened(dir_.string(), QueueSignal::kTraces);
  found = reopened.Open();
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].seq, 3u);
  EXPECT_EQ((*found)[1].seq, 7u);
  EXPECT_EQ((*found)[1].items, 3u);

  auto read = reopened.Read(7);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->tenant, "acme");
  EXPECT_EQ(read->items, 3u);
  EXPECT_EQ(read->payload, testing::Encode(*batch));

  ASSERT_TRUE(reopened.Remove(7).ok());
  ASSERT_TRUE(reopened.Remove(7).ok());  // already gone
  EXPECT_EQ(reopened.Read(7).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(BatchFilesTest, DetectsCorruptionAndDropsStrayTempFiles) {
  BatchFiles files(dir_.string(), QueueSignal::kTraces);
  ASSERT_TRUE(files.Open().ok());
  ASSERT_TRUE(WriteTraces(files, 1, *testing::MakeBatch("svc", 2)).ok());
  std::string path = (dir_ / "0000000000000001.batch").string();
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-3, std::ios::end);
    f.put('\x7f');
  }
  std::ofstream(dir_ / "0000000000000002.batch.tmp") << "half";
  auto found = files.Open();
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "0000000000000002.batch.tmp"));
  EXPECT_EQ(files.Read(1).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(BatchFilesTest, FilesRecordTheirSignalAndAnotherSignalsAreLeftAlone) {
  BatchFiles logs(dir_.string(), QueueSignal::kLogs);
  ASSERT_TRUE(logs.Open().ok());
  ASSERT_TRUE(logs.Write(1, "acme", 4, "logs-bytes").ok());
  BatchFiles traces(dir_.string(), QueueSignal::kTraces);
  auto found = traces.Open();
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());  // not replayed as traces...
  EXPECT_EQ(traces.Read(1).status().code(), absl::StatusCode::kDataLoss);
  found = logs.Open();  // ...and not deleted either
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].items, 4u);
  auto read = logs.Read(1);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->payload, "logs-bytes");
  EXPECT_EQ(read->tenant, "acme");
}

TEST(QueueDir, LogsLiveBelowTheTracesDirectoryOfTheSameId) {
  EXPECT_EQ(QueueDir("/d", "otlp/edge", QueueSignal::kTraces), "/d/otlp%2Fedge");
  EXPECT_EQ(QueueDir("/d", "otlp/edge", QueueSignal::kLogs), "/d/otlp%2Fedge/logs");
  EXPECT_NE(QueueDir("/d", "otlp/logs", QueueSignal::kTraces),
            QueueDir("/d", "otlp", QueueSignal::kLogs));
}

TEST(QueueDirName, EscapesSlashesSoIdsStayDistinct) {
  EXPECT_EQ(QueueDirName("otlp"), "otlp");
  EXPECT_EQ(QueueDirName("otlp/edge"), "otlp%2Fedge");
  EXPECT_EQ(QueueDirName("otlp/a%2Fb"), "otlp%2Fa%252Fb");
}

}  // namespace
}  // namespace th::exporter::helper::internal

// The file exporter writes what parses back: OTLP/JSON lines, length-prefixed protobuf, zstd
// frames; rotation keeps the newest backups; config errors point at the key.
#include "export/file/file_exporter.h"

#include <unistd.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/node.h"
#include "export/helper/testing/logs_test_util.h"
#include "export/helper/testing/test_util.h"
#include "model/otlp_decode.h"

namespace th::exporter::file {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Splits 4-byte big-endian length-prefixed frames.
std::vector<std::string> Frames(const std::string& data) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at + 4 <= data.size()) {
    uint32_t n = (static_cast<uint32_t>(static_cast<uint8_t>(data[at])) << 24) |
                 (static_cast<uint32_t>(static_cast<uint8_t>(data[at + 1])) << 16) |
                 (static_cast<uint32_t>(static_cast<uint8_t>(data[at + 2])) << 8) |
                 static_cast<uint32_t>(static_cast<uint8_t>(data[at + 3]));
    EXPECT_LE(at + 4 + n, data.size());
    out.push_back(data.substr(at + 4, n));
    at += 4 + n;
  }
  EXPECT_EQ(at, data.size());
  return out;
}

class FileExporterTest : public ::testing::Test {
 protected:
  FileExporterTest() {
    host_.metrics = &metrics_;
    dir_ = fs::temp_directory_path() /
           ("th_file_exporter_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~FileExporterTest() override { fs::remove_all(dir_); }

  Result<std::unique_ptr<pipeline::Exporter>> Make(const std::string& body) {
    Result<config::Node> root = config::Node::Parse("file:\n" + body, "c.yaml");
    EXPECT_TRUE(root.ok()) << root.status();
    pipeline::CreateSettings create;
    create.id = {"file", ""};
    create.host = &host_;
    return MakeFileExporterFactory()(create, (*root)["file"]);
  }

  // Writes `n` batches of `spans` spans each, then shuts down; returns their encodings.
  std::vector<std::string> Write(const std::string& body, int n, int spans = 3) {
    auto e = Make(body);
    EXPECT_TRUE(e.ok()) << e.status();
    if (!e.ok()) return {};
    EXPECT_TRUE((*e)->Start().ok());
    std::vector<std::string> want;
    std::atomic<int> done{0};
    for (int i = 0; i < n; ++i) {
      auto b = testing::MakeBatch("svc" + std::to_string(i), spans, "t", i * 100);
      want.push_back(testing::Encode(*b));
      (*e)->ConsumeTraces(std::move(b), [&](const Status& s) {
        EXPECT_TRUE(s.ok()) << s;
        ++done;
      });
    }
    EXPECT_TRUE(testing::WaitFor([&] { return done == n; }));
    (*e)->Shutdown(std::chrono::steady_clock::now() + 1s);
    return want;
  }

  // The logs twin of Write: `n` logs batches of `records` records; returns their protobuf bytes.
  std::vector<std::string> WriteLogs(const std::string& body, int n, int records = 3) {
    Result<config::Node> root = config::Node::Parse("file:\n" + body, "c.yaml");
    EXPECT_TRUE(root.ok()) << root.status();
    pipeline::CreateSettings create;
    create.id = {"file", ""};
    create.host = &host_;
    auto e = MakeFileLogsExporterFactory()(create, (*root)["file"]);
    EXPECT_TRUE(e.ok()) << e.status();
    if (!e.ok()) return {};
    EXPECT_TRUE((*e)->Start().ok());
    std::vector<std::string> want;
    std::atomic<int> done{0};
    for (int i = 0; i < n; ++i) {
      auto b = testing::MakeLogsBatch("svc" + std::to_string(i), records, "t", i * 100);
      want.push_back(b->otlp);
      (*e)->ConsumeLogs(std::move(b), [&](const Status& s) {
        EXPECT_TRUE(s.ok()) << s;
        ++done;
      });
    }
    EXPECT_TRUE(testing::WaitFor([&] { return done == n; }));
    (*e)->Shutdown(std::chrono::steady_clock::now() + 1s);
    return want;
  }

  metrics::Registry metrics_;
  pipeline::Host host_;
  fs::path dir_;
};

TEST_F(FileExporterTest, JsonIsOneRequestPerLineAndParsesBack) {
  fs::path path = dir_ / "traces.jsonl";
  std::vector<std::string> want = Write("  path: " + path.string() + "\n", 3);
  std::istringstream lines(ReadAll(path));
  std::string line;
  std::vector<std::string> got;
  while (std::getline(lines, line)) {
    auto decoded = model::DecodeOtlpTracesJson(line, "t");
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    got.push_back(testing::Encode(*decoded->batch));
  }
  EXPECT_EQ(got, want);
}

TEST_F(FileExporterTest, ProtoIsLengthPrefixedAndParsesBack) {
  fs::path path = dir_ / "traces.bin";
  std::vector<std::string> want =
      Write("  path: " + path.string() + "\n  format: proto\n  flush_interval: 10ms\n", 3);
  std::vector<std::string> got;
  for (std::string& frame : Frames(ReadAll(path))) {
    auto decoded = model::DecodeOtlpTracesProto(std::move(frame), "t");
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    got.push_back(testing::Encode(*decoded->batch));
  }
  EXPECT_EQ(got, want);
}

TEST_F(FileExporterTest, ZstdFramesDecompressToJson) {
  fs::path path = dir_ / "traces.zst";
  std::vector<std::string> want =
      Write("  path: " + path.string() + "\n  compression: zstd\n", 2);
  std::vector<std::string> got;
  for (const std::string& frame : Frames(ReadAll(path))) {
    unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
    ASSERT_NE(size, ZSTD_CONTENTSIZE_ERROR);
    std::string plain(size, '\0');
    ASSERT_EQ(ZSTD_decompress(plain.data(), plain.size(), frame.data(), frame.size()), size);
    auto decoded = model::DecodeOtlpTracesJson(plain, "t");
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    got.push_back(testing::Encode(*decoded->batch));
  }
  EXPECT_EQ(got, want);
}

TEST_F(FileExporterTest, FlushIntervalWritesWithoutShutdown) {
  fs::path path = dir_ / "live.jsonl";
  auto e = Make("  path: " + path.string() + "\n  flush_interval: 5ms\n");
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE((*e)->Start().ok());
  (*e)->ConsumeTraces(testing::MakeBatch("svc", 1), [](const Status&) {});
  EXPECT_TRUE(testing::WaitFor([&] { return ReadAll(path).find("svc-op-0") != std::string::npos; }));
  (*e)->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(FileExporterTest, RotatesAndKeepsMaxBackups) {
  fs::path path = dir_ / "traces.jsonl";
  // ~1 MiB every 6 batches of 300 spans: several rotations.
  Write("  path: " + path.string() + "\n  rotation:\n    max_megabytes: 1\n    max_backups: 2\n",
        30, 300);
  std::vector<fs::path> backups;
  for (const auto& f : fs::directory_iterator(dir_)) {
    if (f.path() != path) backups.push_back(f.path());
  }
  ASSERT_EQ(backups.size(), 2u);
  for (const fs::path& p : backups) {
    EXPECT_THAT(p.filename().string(), ::testing::MatchesRegex(
                                           "traces-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}-[0-9]{2}-"
                                           "[0-9]{2}\\.[0-9]{3}\\.jsonl"));
    EXPECT_LE(fs::file_size(p), 1u << 20);
    std::istringstream lines(ReadAll(p));
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      ASSERT_TRUE(model::DecodeOtlpTracesJson(line, "t").ok());
      ++n;
    }
    EXPECT_GT(n, 0);
  }
}

TEST_F(FileExporterTest, TruncatesUnlessAppend) {
  fs::path path = dir_ / "t.jsonl";
  Write("  path: " + path.string() + "\n", 2);
  Write("  path: " + path.string() + "\n", 1);
  std::string one = ReadAll(path);
  EXPECT_EQ(std::count(one.begin(), one.end(), '\n'), 1);
  Write("  path: " + path.string() + "\n  append: true\n", 2);
  std::string three = ReadAll(path);
  EXPECT_EQ(std::count(three.begin(), three.end(), '\n'), 3);
}

TEST_F(FileExporterTest, ConfigErrorsPointAtTheKey) {
  EXPECT_THAT(std::string(Message(Make("  format: json\n").status())),
              HasSubstr("c.yaml:2:3: file: path is required"));
  EXPECT_THAT(std::string(Message(Make("  path: x\n  format: yaml\n").status())),
              HasSubstr("c.yaml:3:11: file.format: unknown format \"yaml\""));
  EXPECT_THAT(std::string(Message(Make("  path: x\n  rotation:\n    max_megabyte: 3\n").status())),
              HasSubstr("c.yaml:4:5: file.rotation.max_megabyte: unknown key"));
}

TEST_F(FileExporterTest, UnwritablePathFailsStart) {
  auto e = Make("  path: " + (dir_ / "missing" / "x.jsonl").string() + "\n");
  ASSERT_TRUE(e.ok());
  Status s = (*e)->Start();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(Message(s)), HasSubstr("missing/x.jsonl"));
}

TEST_F(FileExporterTest, LogsJsonIsOneRequestPerLineWithHexIdsAndParsesBack) {
  fs::path path = dir_ / "logs.jsonl";
  std::vector<std::string> want = WriteLogs("  path: " + path.string() + "\n", 3);
  std::istringstream lines(ReadAll(path));
  std::string line;
  size_t i = 0;
  while (std::getline(lines, line)) {
    ASSERT_LT(i, want.size());
    EXPECT_THAT(line, HasSubstr("\"traceId\":\"ab0000000000000000000000000000"));
    testing::LogsRequest got, expected;
    ASSERT_TRUE(testing::ParseOtlpLogsJson(line, &got)) << line;
    ASSERT_TRUE(expected.ParseFromString(want[i]));
    EXPECT_EQ(got.SerializeAsString(), expected.SerializeAsString()) << line;
    ++i;
  }
  EXPECT_EQ(i, 3u);
  EXPECT_EQ(metrics_.GetCounter("otelcol_exporter_sent_log_records", "", {{"exporter", "file"}})
                ->Value(),
            9u);
}

TEST_F(FileExporterTest, LogsProtoIsLengthPrefixedAndKeepsTheBytes) {
  fs::path path = dir_ / "logs.pb";
  std::vector<std::string> want = WriteLogs("  path: " + path.string() + "\n  format: proto\n", 4);
  EXPECT_EQ(Frames(ReadAll(path)), want);
}

TEST_F(FileExporterTest, LogsZstdFramesDecompressToJson) {
  fs::path path = dir_ / "logs.zst";
  std::vector<std::string> want =
      WriteLogs("  path: " + path.string() + "\n  compression: zstd\n", 2);
  std::vector<std::string> frames = Frames(ReadAll(path));
  ASSERT_EQ(frames.size(), 2u);
  for (size_t i = 0; i < frames.size(); ++i) {
    std::string out(ZSTD_getFrameContentSize(frames[i].data(), frames[i].size()), '\0');
    size_t n = ZSTD_decompress(out.data(), out.size(), frames[i].data(), frames[i].size());
    ASSERT_FALSE(ZSTD_isError(n));
    testing::LogsRequest got;
    ASSERT_TRUE(testing::ParseOtlpLogsJson(out, &got)) << out;
    EXPECT_EQ(got.SerializeAsString(), want[i]);
  }
}

}  // namespace
}  // namespace th::exporter::file

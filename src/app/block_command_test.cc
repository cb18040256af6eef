#include "app/block_command.h"

#include <filesystem>
#include <memory>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "common/strings.h"
#include "store/backend/local/local_backend.h"
#include "store/block/block_meta.h"
#include "store/block/block_writer.h"
#include "tools/loadgen/trace_generator.h"

#include <stdio.h>
#include <stdlib.h>

namespace th::app {
namespace {

namespace block = ::th::store::block;

constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;  // 2023-11-14T22:13:20Z
constexpr uint64_t kHour = 3'600'000'000'000ull;

struct Output {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs `tracehouse block <args>` in-process, capturing both streams.
Output RunCli(std::vector<std::string> args) {
  char *out_buf = nullptr, *err_buf = nullptr;
  size_t out_len = 0, err_len = 0;
  FILE* out = open_memstream(&out_buf, &out_len);
  FILE* err = open_memstream(&err_buf, &err_len);
  Output o;
  o.code = RunBlock(args, out, err);
  fclose(out);
  fclose(err);
  o.out.assign(out_buf, out_len);
  o.err.assign(err_buf, err_len);
  free(out_buf);
  free(err_buf);
  return o;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

bool Contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// Three blocks under <tmp>/data/blocks: tenant-a "late" (an hour after kNow) and "early",
// tenant-b "only"; plus tenant-a "partial", whose meta was never written.
class BlockCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = th::StrCat(::testing::TempDir(), "/block_command_test_XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    tmp_ = pattern;
    data_dir_ = tmp_ + "/data";
    store::backend::LocalOptions options;
    options.root = data_dir_ + "/blocks";
    auto backend = store::backend::LocalBackend::Open(options);
    ASSERT_TRUE(backend.ok()) << backend.status();
    backend_ = std::move(*backend);
    Write("tenant-a", "late", 11, kNow + kHour, 300);
    Write("tenant-a", "early", 12, kNow, 4096);
    Write("tenant-b", "only", 13, kNow, 4096);
    ASSERT_TRUE(backend_->Put("tenant-a/partial/data", "unreferenced").ok());
  }
  void TearDown() override { std::filesystem::remove_all(tmp_); }

  void Write(std::string tenant, std::string id, uint64_t seed, uint64_t now,
             uint32_t spans_per_row_group, std::vector<std::string> sources = {}) {
    tools::TraceGenerator gen(seed);
    batches_.push_back(gen.NextBatch(1500, now));
    block::BlockWriterOptions o;
    o.tenant = std::move(tenant);
    o.block_id = std::move(id);
    o.target_spans_per_row_group = spans_per_row_group;
    o.compaction_level = sources.empty() ? 0 : 1;
    o.sources = std::move(sources);
    block::BlockWriter writer(backend_.get(), o);
    ASSERT_TRUE(writer.AddBatch(*batches_.back()).ok());
    auto meta = writer.Finish();
    ASSERT_TRUE(meta.ok()) << meta.status();
    metas_.push_back(std::move(*meta));
  }

  uint64_t StoredBytes(const block::BlockMeta& m) {
    uint64_t total = 0;
    for (auto object :
         {block::kMetaObject, block::kDataObject, block::kIndexObject, block::kBloomObject}) {
      total += backend_->Stat(block::BlockObjectKey(m.tenant, m.block_id, object))->size;
    }
    return total;
  }

  // Flips a byte in the first page of row group 0's span.name chunk of `m`.
  void CorruptSpanNames(const block::BlockMeta& m) {
    std::string key = block::BlockObjectKey(m.tenant, m.block_id, block::kDataObject);
    std::string data = *backend_->Get(key);
    for (const auto& c : m.row_groups[0].chunks) {
      if (m.column_names[c.name] == "span.name")
        data[m.row_groups[0].range.offset + c.offset + 12] ^= 0x40;
    }
    ASSERT_TRUE(backend_->Put(key, data).ok());
  }

  std::string tmp_, data_dir_;
  std::unique_ptr<store::backend::LocalBackend> backend_;
  std::vector<std::unique_ptr<model::SpanBatch>> batches_;
  std::vector<block::BlockMeta> metas_;  // late, early, only
};

TEST_F(BlockCommand, LsPrintsOneLinePerBlockSortedByTenantThenTime) {
  Output o = RunCli({"ls", "--data-dir", data_dir_});
  ASSERT_EQ(o.code, 0) << o.err;
  std::vector<std::string> lines = Lines(o.out);
  ASSERT_EQ(lines.size(), 5u) << o.out;
  EXPECT_TRUE(lines[0].starts_with("tenant    block")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("tenant-a  early")) << lines[1];
  EXPECT_TRUE(lines[2].starts_with("tenant-a  late")) << lines[2];
  EXPECT_TRUE(lines[3].starts_with("tenant-b  only")) << lines[3];
  const block::BlockMeta& early = metas_[1];
  EXPECT_TRUE(Contains(lines[1], "2023-11-14T22:1")) << lines[1];  // RFC 3339, UTC
  EXPECT_TRUE(Contains(lines[2], "2023-11-14T23:1")) << lines[2];
  EXPECT_TRUE(Contains(lines[1], th::StrCat(" ", early.trace_count, " ")));
  EXPECT_TRUE(Contains(lines[1], th::StrCat(" ", early.span_count, " ")));
  EXPECT_TRUE(Contains(lines[1], th::StrCat(" ", StoredBytes(early), " ")));
  EXPECT_TRUE(lines[4].starts_with("3 blocks, ")) << lines[4];
  EXPECT_TRUE(Contains(lines[4], "1 incomplete")) << lines[4];

  o = RunCli({"ls", "--data-dir", data_dir_, "--tenant", "tenant-b"});
  ASSERT_EQ(o.code, 0) << o.err;
  ASSERT_EQ(Lines(o.out).size(), 3u) << o.out;
  EXPECT_TRUE(Lines(o.out)[1].starts_with("tenant-b  only"));
}

TEST_F(BlockCommand, LsJsonHasEveryField) {
  Output o = RunCli({"ls", "--data-dir=" + data_dir_, "--json"});
  ASSERT_EQ(o.code, 0) << o.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(o.out).get(doc), simdjson::SUCCESS) << o.out;
  simdjson::dom::array blocks;
  ASSERT_EQ(doc["blocks"].get_array().get(blocks), simdjson::SUCCESS);
  ASSERT_EQ(blocks.size(), 3u);
  simdjson::dom::element late = blocks.at(1);
  const block::BlockMeta& m = metas_[0];
  EXPECT_EQ(std::string_view(late["tenant"]), "tenant-a");
  EXPECT_EQ(std::string_view(late["blockId"]), "late");
  EXPECT_EQ(uint64_t(late["traces"]), m.trace_count);
  EXPECT_EQ(uint64_t(late["spans"]), m.span_count);
  EXPECT_EQ(uint64_t(late["rowGroups"]), m.row_groups.size());
  EXPECT_GT(m.row_groups.size(), 1u);
  EXPECT_EQ(uint64_t(late["bytes"]), StoredBytes(m));
  EXPECT_EQ(uint64_t(late["version"]), block::kBlockFormatVersion);
  EXPECT_EQ(std::string_view(late["minStartUnixNano"]), th::StrCat(m.min_start_unix_nano));
  EXPECT_TRUE(std::string_view(late["minTime"]).starts_with("2023-11-14T23:"));
  EXPECT_TRUE(std::string_view(late["maxTime"]).ends_with("Z"));
  EXPECT_EQ(uint64_t(doc["incomplete"]), 1u);
}

TEST_F(BlockCommand, LsMarksCompactedBlocksAndLeavesThemOutOfTheTotals) {
  Write("tenant-b", "merged", 14, kNow + 2 * kHour, 4096, {"only"});
  Output o = RunCli({"ls", "--data-dir", data_dir_, "--tenant", "tenant-b"});
  ASSERT_EQ(o.code, 0) << o.err;
  std::vector<std::string> lines = Lines(o.out);
  ASSERT_EQ(lines.size(), 4u) << o.out;
  EXPECT_TRUE(lines[1].starts_with("tenant-b  only")) << lines[1];
  EXPECT_TRUE(lines[1].ends_with("  compacted into merged")) << lines[1];
  EXPECT_FALSE(Contains(lines[2], "compacted")) << lines[2];
  EXPECT_TRUE(lines[3].starts_with(th::StrCat("2 blocks, ", metas_[3].trace_count, " traces")))
      << lines[3];

  o = RunCli({"ls", "--data-dir", data_dir_, "--tenant", "tenant-b", "--json"});
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(o.out).get(doc), simdjson::SUCCESS) << o.out;
  EXPECT_EQ(std::string_view(doc["blocks"].at(0)["compactedInto"]), "merged");
  EXPECT_TRUE(doc["blocks"].at(1)["compactedInto"].is_null());
  EXPECT_EQ(uint64_t(doc["blocks"].at(1)["compactionLevel"]), 1u);
}

TEST_F(BlockCommand, DumpShowsMetaRowGroupsChunksAndTraces) {
  const block::BlockMeta& m = metas_[0];
  Output o = RunCli({"dump", "--data-dir", data_dir_, "--tenant", "tenant-a", "--block", "late",
                     "--traces", "2"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_TRUE(o.out.starts_with("block tenant-a/late\n")) << o.out;
  EXPECT_TRUE(Contains(o.out, th::StrCat("  traces          ", m.trace_count, "\n"))) << o.out;
  EXPECT_TRUE(Contains(o.out, "  dedicated keys  ")) << o.out;
  EXPECT_TRUE(Contains(o.out, th::StrCat("row group ", m.row_groups.size() - 1, ": "))) << o.out;
  EXPECT_TRUE(Contains(o.out, "\ntables: data bytes ")) << o.out;
  // A dictionary column shows both its pages' encodings.
  bool name_line = false;
  for (const std::string& line : Lines(o.out)) {
    if (line.starts_with("    span.name ")) {
      name_line = true;
      EXPECT_TRUE(Contains(line, "dictionary+bit-packed")) << line;
    }
  }
  EXPECT_TRUE(name_line) << o.out;
  // Two waterfalls.
  size_t waterfalls = 0;
  for (const std::string& line : Lines(o.out)) waterfalls += line.starts_with("trace ");
  EXPECT_EQ(waterfalls, 2u) << o.out;
}

TEST_F(BlockCommand, DumpJsonHasRowGroupsChunksAndOtlpTraces) {
  const block::BlockMeta& m = metas_[0];
  Output o = RunCli({"dump", "--data-dir", data_dir_, "--tenant", "tenant-a", "--block", "late",
                     "--traces", "3", "--json"});
  ASSERT_EQ(o.code, 0) << o.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(o.out).get(doc), simdjson::SUCCESS) << o.out;
  EXPECT_EQ(uint64_t(doc["spans"]), m.span_count);
  EXPECT_EQ(simdjson::dom::array(doc["dedicatedKeys"]).size(), m.dedicated_keys.size());
  simdjson::dom::array groups = doc["rowGroups"];
  ASSERT_EQ(groups.size(), m.row_groups.size());
  simdjson::dom::element g0 = groups.at(0);
  EXPECT_EQ(uint64_t(g0["spans"]), m.row_groups[0].span_count);
  simdjson::dom::array chunks = g0["chunks"];
  ASSERT_EQ(chunks.size(), m.row_groups[0].chunks.size());
  simdjson::dom::element first = chunks.at(0);
  EXPECT_EQ(std::string_view(first["column"]), "trace.id");
  EXPECT_EQ(std::string_view(first["pages"].at(0)["encoding"]), "raw");
  simdjson::dom::array traces = doc["firstTraces"];
  ASSERT_EQ(traces.size(), 3u);
  simdjson::dom::array resource_spans = traces.at(0)["resourceSpans"];
  EXPECT_GT(resource_spans.size(), 0u);
}

TEST_F(BlockCommand, VerifyAllIsCleanThenReportsACorruptBlockWithExitCodeOne) {
  Output o = RunCli({"verify", "--data-dir", data_dir_});
  ASSERT_EQ(o.code, 0) << o.out << o.err;
  std::vector<std::string> lines = Lines(o.out);
  ASSERT_EQ(lines.size(), 4u) << o.out;
  EXPECT_TRUE(lines[0].starts_with("tenant-a/early: ok (")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("tenant-a/late: ok (")) << lines[1];
  EXPECT_TRUE(lines[2].starts_with("tenant-b/only: ok (")) << lines[2];
  EXPECT_EQ(lines[3], "verified 3 blocks: 3 ok, 0 with problems, 1 incomplete skipped (no meta)");

  CorruptSpanNames(metas_[0]);
  o = RunCli({"verify", "--data-dir", data_dir_});
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_TRUE(Contains(o.out,
                       "tenant-a/late: 1 problem\n"
                       "  data: row group 0, column span.name, page 0: page: checksum "
                       "mismatch"))
      << o.out;
  EXPECT_TRUE(Contains(o.out, "verified 3 blocks: 2 ok, 1 with problems")) << o.out;

  // One block, by tenant and id, or by id alone.
  o = RunCli({"verify", "--data-dir", data_dir_, "--tenant", "tenant-b", "--block", "only"});
  EXPECT_EQ(o.code, 0) << o.out;
  EXPECT_EQ(Lines(o.out).size(), 2u) << o.out;
  o = RunCli({"verify", "--data-dir", data_dir_, "--block", "late"});
  EXPECT_EQ(o.code, 1) << o.out;
  // A block named in full without a meta is reported, not skipped.
  o = RunCli({"verify", "--data-dir", data_dir_, "--tenant", "tenant-a", "--block", "partial"});
  EXPECT_EQ(o.code, 1) << o.out;
  EXPECT_TRUE(Contains(o.out, "meta: missing")) << o.out;
  o = RunCli({"verify", "--data-dir", data_dir_, "--tenant", "tenant-a", "--block", "nope"});
  EXPECT_EQ(o.code, 1);
  EXPECT_TRUE(Contains(o.out, "tenant-a/nope: not found")) << o.out;
}

TEST_F(BlockCommand, UsageErrorsExitWithTwoAndHelpWithZero) {
  EXPECT_EQ(RunCli({}).code, 2);
  Output o = RunCli({"frobnicate"});
  EXPECT_EQ(o.code, 2);
  EXPECT_TRUE(Contains(o.err, "unknown command \"frobnicate\"")) << o.err;
  o = RunCli({"--help"});
  EXPECT_EQ(o.code, 0);
  EXPECT_TRUE(Contains(o.out, "usage: tracehouse block <command>")) << o.out;
  for (std::string sub : {"ls", "dump", "verify"}) {
    o = RunCli({sub, "--help"});
    EXPECT_EQ(o.code, 0) << sub;
    EXPECT_TRUE(Contains(o.out, th::StrCat("usage: tracehouse block ", sub, " [flags]"))) << o.out;
    EXPECT_TRUE(Contains(o.out, "--data-dir")) << o.out;
    o = RunCli({sub, "--bogus"});
    EXPECT_EQ(o.code, 2) << sub;
    EXPECT_TRUE(Contains(o.err, "unknown flag --bogus")) << o.err;
  }
  o = RunCli({"dump", "--data-dir", data_dir_, "--tenant", "tenant-a"});
  EXPECT_EQ(o.code, 2);
  EXPECT_TRUE(Contains(o.err, "--tenant and --block are required")) << o.err;
  o = RunCli({"dump", "--data-dir", data_dir_, "--tenant", "tenant-a", "--block", "late",
              "--traces", "many"});
  EXPECT_EQ(o.code, 2);
  o = RunCli({"ls", "--data-dir", data_dir_, "--tenant", "a/b"});
  EXPECT_EQ(o.code, 2);
  o = RunCli({"dump", "--data-dir", data_dir_, "--tenant", "tenant-a", "--block", "nope"});
  EXPECT_EQ(o.code, 1);
  EXPECT_TRUE(Contains(o.err, "block tenant-a/nope not found")) << o.err;
}

TEST_F(BlockCommand, MissingDataDirIsEmptyAndNotCreated) {
  std::string missing = tmp_ + "/no-such-dir";
  Output o = RunCli({"ls", "--data-dir", missing});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_TRUE(Contains(o.out, "no blocks under")) << o.out;
  o = RunCli({"verify", "--data-dir", missing});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_FALSE(std::filesystem::exists(missing));
}

}  // namespace
}  // namespace th::app

namespace th::app {
namespace {

TEST_F(BlockCommand, ConfigSaysWhereTheBlocksAreAndItsErrorsAreClear) {
  std::string config = tmp_ + "/tracehouse.yaml";
  {
    std::ofstream f(config);
    f << "storage:\n  path: " << data_dir_ << "\n";
  }
  Output from_config = RunCli({"ls", "--config", config});
  Output from_flag = RunCli({"ls", "--data-dir", data_dir_});
  EXPECT_EQ(from_config.code, 0) << from_config.err;
  EXPECT_EQ(from_config.out, from_flag.out);

  {
    std::ofstream f(config);
    f << "storage:\n  backend: nfs\n";
  }
  Output bad = RunCli({"verify", "--config", config});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("tracehouse.yaml:2:12: storage.backend: unknown backend"),
            std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace th::app

#include "store/block/block_verify.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "model/span_batch.h"
#include "store/backend/memory/memory_backend.h"
#include "store/block/block_meta.h"
#include "store/block/block_writer.h"
#include "store/block/encoding/page.h"
#include "tools/loadgen/trace_generator.h"

namespace th::store::block {
namespace {

using backend::MemoryBackend;

constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;
constexpr std::string_view kTenant = "tenant-a";
constexpr std::string_view kBlock = "b1";

std::string Key(std::string_view object) { return BlockObjectKey(kTenant, kBlock, object); }

std::string Problems(const VerifyReport& r) {
  std::string out;
  for (const VerifyProblem& p : r.problems) out += FormatProblem(p) + "\n";
  return out;
}

// True when some problem is on `object` at `location` and its message contains `text`.
bool HasProblem(const VerifyReport& r, std::string_view object, std::string_view location,
                std::string_view text = "") {
  for (const VerifyProblem& p : r.problems) {
    if (p.object == object && p.location == location && p.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

class BlockVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    tools::TraceGenerator gen(21);
    batch_ = gen.NextBatch(3000, kNow);
    BlockWriterOptions o;
    o.tenant = std::string(kTenant);
    o.block_id = std::string(kBlock);
    o.target_spans_per_row_group = 500;
    BlockWriter writer(&backend_, o);
    ASSERT_TRUE(writer.AddBatch(*batch_).ok());
    Result<BlockMeta> meta = writer.Finish();
    ASSERT_TRUE(meta.ok()) << meta.status();
    meta_ = std::move(*meta);
    ASSERT_GE(meta_.row_groups.size(), 3u);
  }

  VerifyReport Verify() {
    Result<VerifyReport> r = VerifyBlock(&backend_, kTenant, kBlock);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::move(*r) : VerifyReport();
  }

  void Flip(std::string_view object, uint64_t offset) {
    std::string bytes = *backend_.Get(Key(object));
    ASSERT_LT(offset, bytes.size());
    bytes[offset] = static_cast<char>(bytes[offset] ^ 0x20);
    ASSERT_TRUE(backend_.Put(Key(object), bytes).ok());
  }

  const internal::ChunkInfo& Chunk(const RowGroupInfo& rg, std::string_view column) {
    for (const auto& c : rg.chunks) {
      if (meta_.column_names[c.name] == column) return c;
    }
    ADD_FAILURE() << "no column " << column;
    return rg.chunks[0];
  }

  MemoryBackend backend_;
  std::unique_ptr<model::SpanBatch> batch_;
  BlockMeta meta_;
};

TEST_F(BlockVerify, GoodBlockVerifiesCleanAndChecksEverySpan) {
  VerifyReport r = Verify();
  EXPECT_TRUE(r.ok()) << Problems(r);
  ASSERT_TRUE(r.meta.has_value());
  EXPECT_EQ(r.meta->block_id, kBlock);
  EXPECT_EQ(r.row_groups_decoded, meta_.row_groups.size());
  EXPECT_EQ(r.traces_checked, meta_.trace_count);
  EXPECT_EQ(r.spans_checked, meta_.span_count);
  EXPECT_GT(r.pages_checked, meta_.row_groups.size() * 20);
}

TEST_F(BlockVerify, EmptyBlockVerifiesClean) {
  BlockWriterOptions o;
  o.tenant = std::string(kTenant);
  o.block_id = "empty";
  BlockWriter writer(&backend_, o);
  ASSERT_TRUE(writer.Finish().ok());
  Result<VerifyReport> r = VerifyBlock(&backend_, kTenant, "empty");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->ok()) << Problems(*r);
}

TEST_F(BlockVerify, FlippedDataPageIsReportedWithRowGroupColumnAndPage) {
  const RowGroupInfo& rg = meta_.row_groups[1];
  const internal::ChunkInfo& name = Chunk(rg, "span.name");
  ASSERT_EQ(name.page_count, 2u);
  // Corrupt the second page (the codes) of span.name, and the only page of span.kind in row
  // group 2: both are reported, each where it is.
  std::string data = *backend_.Get(Key(kDataObject));
  Result<encoding::Page> first =
      encoding::ReadPage(std::string_view(data).substr(rg.range.offset + name.offset));
  ASSERT_TRUE(first.ok());
  Flip(kDataObject, rg.range.offset + name.offset + first->size + encoding::kPageHeaderBytes);
  const RowGroupInfo& rg2 = meta_.row_groups[2];
  Flip(kDataObject, rg2.range.offset + Chunk(rg2, "span.kind").offset + 4);

  VerifyReport r = Verify();
  EXPECT_TRUE(HasProblem(r, "data", "row group 1, column span.name, page 1", "checksum"))
      << Problems(r);
  EXPECT_TRUE(HasProblem(r, "data", "row group 2, column span.kind, page 0")) << Problems(r);
  EXPECT_EQ(r.problems.size(), 2u) << Problems(r);
  // The other row groups were still decoded.
  EXPECT_EQ(r.row_groups_decoded, meta_.row_groups.size() - 2);
}

TEST_F(BlockVerify, FlippedTablesPageIsReported) {
  const internal::ChunkInfo& c = meta_.tables.chunks[0];
  Flip(kDataObject, meta_.tables.range.offset + c.offset + encoding::kPageHeaderBytes);
  VerifyReport r = Verify();
  EXPECT_TRUE(HasProblem(
      r, "data", th::StrCat("tables, column ", meta_.column_names[c.name], ", page 0"), "checksum"))
      << Problems(r);
  // Row groups are still decoded structurally.
  EXPECT_EQ(r.row_groups_decoded, meta_.row_groups.size());
}

TEST_F(BlockVerify, FlippedIndexPageIsReported) {
  Flip(kIndexObject, meta_.index_pages[0].range.offset + encoding::kPageHeaderBytes + 4 + 17);
  VerifyReport r = Verify();
  EXPECT_TRUE(HasProblem(r, "index", "page 0", "checksum")) << Problems(r);
  EXPECT_EQ(r.problems.size(), 1u) << Problems(r);
}

TEST_F(BlockVerify, FlippedBloomShardIsReported) {
  Flip(kBloomObject, meta_.bloom_shards[0].offset + encoding::kPageHeaderBytes + 3);
  VerifyReport r = Verify();
  EXPECT_TRUE(HasProblem(r, "bloom", "shard 0", "checksum")) << Problems(r);
  EXPECT_EQ(r.problems.size(), 1u) << Problems(r);
}

TEST_F(BlockVerify, FlippedMetaIsReported) {
  std::string meta = *backend_.Get(Key(kMetaObject));
  Flip(kMetaObject, meta.size() - 3);
  VerifyReport r = Verify();
  EXPECT_FALSE(r.meta.has_value());
  EXPECT_TRUE(HasProblem(r, "meta", "", "checksum")) << Problems(r);
}

TEST_F(BlockVerify, TruncatedDataIsReportedWithTheRowGroupsPastItsEnd) {
  std::string data = *backend_.Get(Key(kDataObject));
  const RowGroupInfo& last = meta_.row_groups.back();
  data.resize(last.range.offset + last.range.length / 2);
  ASSERT_TRUE(backend_.Put(Key(kDataObject), data).ok());
  VerifyReport r = Verify();
  EXPECT_TRUE(HasProblem(r, "data", "", "(truncated)")) << Problems(r);
  EXPECT_TRUE(
      HasProblem(r, "data", th::StrCat("row group ", meta_.row_groups.size() - 1), "past the end"))
      << Problems(r);
  EXPECT_TRUE(HasProblem(r, "data", "tables", "past the end")) << Problems(r);
  EXPECT_EQ(r.row_groups_decoded, meta_.row_groups.size() - 1);
}

TEST_F(BlockVerify, TruncatedIndexIsReported) {
  std::string index = *backend_.Get(Key(kIndexObject));
  index.resize(index.size() - 5);
  ASSERT_TRUE(backend_.Put(Key(kIndexObject), index).ok());
  VerifyReport r = Verify();
  EXPECT_TRUE(HasProblem(r, "index", "", "(truncated)")) << Problems(r);
  EXPECT_TRUE(HasProblem(r, "index", "page 0", "past the end")) << Problems(r);
}

TEST_F(BlockVerify, MissingObjectsAreReported) {
  ASSERT_TRUE(backend_.Delete(Key(kBloomObject)).ok());
  VerifyReport r = Verify();
  EXPECT_TRUE(HasProblem(r, "bloom", "", "missing")) << Problems(r);
  EXPECT_EQ(r.problems.size(), 1u) << Problems(r);

  ASSERT_TRUE(backend_.Delete(Key(kMetaObject)).ok());
  r = Verify();
  EXPECT_TRUE(HasProblem(r, "meta", "", "missing")) << Problems(r);

  ASSERT_TRUE(backend_.Delete(Key(kDataObject)).ok());
  ASSERT_TRUE(backend_.Delete(Key(kIndexObject)).ok());
  EXPECT_EQ(VerifyBlock(&backend_, kTenant, kBlock).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(VerifyBlock(&backend_, kTenant, "a/b").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Damage with valid checksums (a writer bug rather than bit rot) is found by the cross-checks.
TEST_F(BlockVerify, IndexEntryPointingAtOtherSpansIsReported) {
  std::string index = *backend_.Get(Key(kIndexObject));
  const ObjectRange& range = meta_.index_pages[0].range;
  Result<encoding::Page> page = encoding::ReadPage(std::string_view(index).substr(range.offset));
  ASSERT_TRUE(page.ok());
  std::string body(page->stored);
  body[4 + 2 * kIndexEntryBytes + 24] ^= 1;  // entry 2's span count
  std::string rewritten;
  ASSERT_TRUE(
      encoding::AppendPage(encoding::Encoding::kRaw, encoding::Compression::kNone, body, &rewritten)
          .ok());
  index.replace(range.offset, range.length, rewritten);
  ASSERT_TRUE(backend_.Put(Key(kIndexObject), index).ok());
  VerifyReport r = Verify();
  EXPECT_TRUE(HasProblem(r, "index", "page 0, entry 2", "points at span rows")) << Problems(r);
  EXPECT_EQ(r.problems.size(), 1u) << Problems(r);
}

TEST_F(BlockVerify, BloomMissingTraceIdsIsReportedOnceSummarised) {
  std::string bloom = *backend_.Get(Key(kBloomObject));
  const ObjectRange& range = meta_.bloom_shards[0];
  std::string zeros(meta_.bloom.bits_per_shard / 8, '\0');
  std::string rewritten;
  ASSERT_TRUE(encoding::AppendPage(encoding::Encoding::kRaw, encoding::Compression::kNone, zeros,
                                   &rewritten)
                  .ok());
  bloom.replace(range.offset, range.length, rewritten);
  ASSERT_TRUE(backend_.Put(Key(kBloomObject), bloom).ok());
  VerifyReport r = Verify();
  ASSERT_GT(meta_.trace_count, 10u);
  EXPECT_TRUE(HasProblem(r, "bloom", "shard 0", "does not contain trace")) << Problems(r);
  EXPECT_TRUE(HasProblem(r, "bloom", "", "more problems like the above")) << Problems(r);
  EXPECT_EQ(r.problems.size(), 11u) << Problems(r);
}

}  // namespace
}  // namespace th::store::block

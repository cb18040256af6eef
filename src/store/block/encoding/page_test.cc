#include "store/block/encoding/page.h"

#include <string>

#include <gtest/gtest.h>

namespace th::store::block::encoding {
namespace {

TEST(Page, RoundTripsPagesBackToBack) {
  std::string payload(3000, 'a');
  std::string file;
  ASSERT_TRUE(AppendPage(Encoding::kDelta, Compression::kNone, "hello", &file).ok());
  ASSERT_TRUE(AppendPage(Encoding::kPlainStrings, Compression::kZstd, payload, &file).ok());
  ASSERT_TRUE(AppendPage(Encoding::kRaw, Compression::kLz4, "", &file).ok());

  std::string_view rest = file;
  std::string scratch;
  Result<Page> p = ReadPage(rest);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->encoding, Encoding::kDelta);
  EXPECT_EQ(p->size, kPageHeaderBytes + 5);
  EXPECT_EQ(*PagePayload(*p, 100, &scratch), "hello");
  rest.remove_prefix(p->size);

  p = ReadPage(rest);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->encoding, Encoding::kPlainStrings);
  EXPECT_EQ(p->compression, Compression::kZstd);
  EXPECT_LT(p->stored.size(), 100u);
  EXPECT_EQ(*PagePayload(*p, payload.size(), &scratch), payload);
  EXPECT_EQ(PagePayload(*p, payload.size() - 1, &scratch).status().code(),
            absl::StatusCode::kDataLoss);
  rest.remove_prefix(p->size);

  p = ReadPage(rest);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*PagePayload(*p, 0, &scratch), "");
  EXPECT_EQ(p->size, rest.size());
}

TEST(Page, EveryFlippedBitIsReportedAsCorruption) {
  std::string page;
  ASSERT_TRUE(AppendPage(Encoding::kDictionary, Compression::kNone, "abcdef", &page).ok());
  for (size_t bit = 0; bit < page.size() * 8; ++bit) {
    std::string bad = page;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    Status s = ReadPage(bad).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << "bit " << bit;
  }
  std::string bad = page;
  bad.back() ^= 1;
  Status s = ReadPage(bad).status();
  EXPECT_NE(Message(s).find("checksum mismatch"), std::string_view::npos) << s;
}

TEST(Page, TruncatedPagesAndWildLengthsAreReported) {
  std::string page;
  ASSERT_TRUE(AppendPage(Encoding::kRaw, Compression::kNone, "payload", &page).ok());
  for (size_t cut = 0; cut < page.size(); ++cut) {
    Status s = ReadPage(std::string_view(page).substr(0, cut)).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << cut;
    EXPECT_NE(Message(s).find("truncated"), std::string_view::npos) << s;
  }
  std::string wild = page;
  wild[3] = 0x7f;
  Status s = ReadPage(wild).status();
  EXPECT_NE(Message(s).find("over limit"), std::string_view::npos) << s;
}

TEST(Page, UnknownIdsAreRejectedEvenWithAValidChecksum) {
  std::string page;
  ASSERT_TRUE(AppendPage(static_cast<Encoding>(200), Compression::kNone, "x", &page).ok());
  Status s = ReadPage(page).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(Message(s).find("unknown encoding id 200"), std::string_view::npos) << s;
}

}  // namespace
}  // namespace th::store::block::encoding

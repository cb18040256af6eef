#include "store/block/encoding/dictionary.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"

namespace th::store::block::encoding {
namespace {

TEST(Dictionary, RoundTripsOneDistinctString) {
  std::vector<std::string_view> values(1000, "checkout");
  std::string dict, codes;
  ASSERT_TRUE(EncodeDictionary(values, &dict, &codes).ok());
  Result<Dictionary> d = Dictionary::Open(dict);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->size(), 1u);
  std::vector<uint32_t> c;
  ASSERT_TRUE(DecodeCodes(codes, d->size(), &c).ok());
  EXPECT_EQ(c, std::vector<uint32_t>(1000, 0));
  EXPECT_LE(codes.size(), 3u);  // count and width 0: no packed bytes
}

TEST(Dictionary, RoundTrips65536DistinctStringsInSortedCodeOrder) {
  std::vector<std::string> owned;
  for (int i = 0; i < 65536; ++i) owned.push_back(StrCat("svc-", (i * 7919) % 65536));
  owned.push_back("");  // the empty string is a value like any other
  std::vector<std::string_view> values(owned.begin(), owned.end());
  std::string dict, codes;
  ASSERT_TRUE(EncodeDictionary(values, &dict, &codes).ok());
  Result<Dictionary> d = Dictionary::Open(dict);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->size(), 65537u);
  std::vector<uint32_t> c;
  ASSERT_TRUE(DecodeCodes(codes, d->size(), &c).ok());
  ASSERT_EQ(c.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(d->Get(c[i]), values[i]);
  for (uint32_t i = 1; i < d->size(); ++i) ASSERT_LT(d->Get(i - 1), d->Get(i));
  EXPECT_EQ(d->Get(0), "");
}

TEST(Dictionary, AnswersMembershipAndRangesFromTheDictionaryAlone) {
  std::vector<std::string_view> values = {"b", "d", "b", "f"};
  std::string dict, codes;
  ASSERT_TRUE(EncodeDictionary(values, &dict, &codes).ok());
  Result<Dictionary> d = Dictionary::Open(dict);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->Find("d"), 1u);
  EXPECT_EQ(d->Find("c"), std::nullopt);
  EXPECT_EQ(d->Find(""), std::nullopt);
  EXPECT_EQ(d->LowerBound("c"), 1u);
  EXPECT_EQ(d->LowerBound("a"), 0u);
  EXPECT_EQ(d->LowerBound("z"), 3u);
}

TEST(Dictionary, EmptyColumnRoundTrips) {
  std::string dict, codes;
  ASSERT_TRUE(EncodeDictionary({}, &dict, &codes).ok());
  Result<Dictionary> d = Dictionary::Open(dict);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->size(), 0u);
  EXPECT_EQ(d->Find("x"), std::nullopt);
  std::vector<uint32_t> c;
  EXPECT_TRUE(DecodeCodes(codes, 0, &c).ok());
  EXPECT_TRUE(c.empty());
}

TEST(Dictionary, RejectsCorruptPages) {
  std::vector<std::string_view> values = {"alpha", "beta", "gamma", "beta"};
  std::string dict, codes;
  ASSERT_TRUE(EncodeDictionary(values, &dict, &codes).ok());
  for (size_t cut = 0; cut < dict.size(); ++cut) {
    EXPECT_EQ(Dictionary::Open(dict.substr(0, cut)).status().code(), absl::StatusCode::kDataLoss)
        << cut;
  }
  EXPECT_EQ(Dictionary::Open(dict + "!").status().code(), absl::StatusCode::kDataLoss);
  std::string unsorted = dict;
  unsorted[2] = 'z';  // "zlpha" now sorts after "beta"
  Status s = Dictionary::Open(unsorted).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(Message(s).find("entry 1 not above entry 0"), std::string_view::npos) << s;
  std::string dup =
      "\x02\x01"
      "a"
      "\x01"
      "a";
  EXPECT_EQ(Dictionary::Open(dup).status().code(), absl::StatusCode::kDataLoss);
  std::string huge = "\xff\xff\xff\xff\x0f";
  EXPECT_EQ(Dictionary::Open(huge).status().code(), absl::StatusCode::kDataLoss);

  std::vector<uint32_t> c;
  s = DecodeCodes(codes, 2, &c);  // code 2 ("gamma") past a 2-entry dictionary
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(Message(s).find("code 2 out of range"), std::string_view::npos) << s;
  for (size_t cut = 0; cut < codes.size(); ++cut) {
    EXPECT_EQ(DecodeCodes(codes.substr(0, cut), 3, &c).code(), absl::StatusCode::kDataLoss);
  }
}

}  // namespace
}  // namespace th::store::block::encoding

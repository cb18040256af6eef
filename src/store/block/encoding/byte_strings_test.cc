#include "store/block/encoding/byte_strings.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace th::store::block::encoding {
namespace {

using Decoder = Status (*)(std::string_view, std::vector<std::string_view>*);
using Encoder = Status (*)(std::span<const std::string_view>, std::string*);

struct Codec {
  const char* name;
  Encoder encode;
  Decoder decode;
};
const Codec kCodecs[] = {
    {"plain", &EncodePlainStrings, &DecodePlainStrings},
    {"length-prefixed", &EncodeLengthPrefixedStrings, &DecodeLengthPrefixedStrings},
};

TEST(ByteStrings, RoundTripEmptyOneAndBinaryValues) {
  std::string big(100000, 'q');
  std::vector<std::vector<std::string_view>> cases = {
      {}, {""}, {"one"}, {"", "a", std::string_view("\0\xff", 2), big, ""}};
  for (const Codec& c : kCodecs) {
    for (const auto& values : cases) {
      std::string page;
      ASSERT_TRUE(c.encode(values, &page).ok());
      std::vector<std::string_view> out;
      Status s = c.decode(page, &out);
      ASSERT_TRUE(s.ok()) << c.name << ": " << s;
      EXPECT_EQ(out, values) << c.name;
    }
  }
}

TEST(ByteStrings, RejectTruncatedAndTrailingInput) {
  std::vector<std::string_view> values = {"trace", "", "span-name", "x"};
  for (const Codec& c : kCodecs) {
    std::string page;
    ASSERT_TRUE(c.encode(values, &page).ok());
    std::vector<std::string_view> out;
    for (size_t cut = 0; cut < page.size(); ++cut) {
      EXPECT_EQ(c.decode(page.substr(0, cut), &out).code(), absl::StatusCode::kDataLoss)
          << c.name << " cut " << cut;
    }
    EXPECT_EQ(c.decode(page + "+", &out).code(), absl::StatusCode::kDataLoss) << c.name;
  }
}

TEST(ByteStrings, PlainRejectsOffsetsOutOfOrder) {
  std::vector<std::string_view> values = {"ab", "cd"};
  std::string page;
  ASSERT_TRUE(EncodePlainStrings(values, &page).ok());
  page[1] = 3;  // row 0 ends at 3, row 1 at 4: fine; now make row 1 end before row 0
  page[5] = 1;
  std::vector<std::string_view> out;
  Status s = DecodePlainStrings(page, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(Message(s).find("row 1: end offset 1 outside 3..4"), std::string_view::npos) << s;
}

}  // namespace
}  // namespace th::store::block::encoding

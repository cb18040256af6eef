#include "store/block/encoding/frame_of_reference.h"

#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace th::store::block::encoding {
namespace {

template <typename T>
std::vector<T> RoundTrip(const std::vector<T>& values, std::string* page) {
  page->clear();
  EXPECT_TRUE(EncodeFrameOfReference(std::span<const T>(values), page).ok());
  std::vector<T> out;
  Status s = DecodeFrameOfReference(*page, &out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

TEST(FrameOfReference, RoundTripsBoundaryValues) {
  using I = std::numeric_limits<int64_t>;
  using U = std::numeric_limits<uint64_t>;
  std::string page;
  for (const auto& v : std::vector<std::vector<int64_t>>{
           {}, {42}, {I::min()}, {I::max(), I::min()}, {-5, 3, -5, 0}, {7, 7, 7, 7}}) {
    EXPECT_EQ(RoundTrip(v, &page), v);
  }
  for (const auto& v :
       std::vector<std::vector<uint64_t>>{{}, {0}, {U::max()}, {0, U::max()}, {1000, 1001, 1003}}) {
    EXPECT_EQ(RoundTrip(v, &page), v);
  }
}

TEST(FrameOfReference, PacksAtTheWidthOfTheRange) {
  std::vector<uint64_t> values(1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = 1'000'000'000 + i % 16;
  std::string page;
  RoundTrip(values, &page);
  EXPECT_LE(page.size(), 2 + 5 + 1 + 500u);  // count, min, width, 4 bits a value
  std::vector<uint64_t> same(100, 9);
  RoundTrip(same, &page);
  EXPECT_EQ(page.size(), 3u);  // count, min, width 0
}

TEST(FrameOfReference, RejectsTruncatedAndTrailingBytes) {
  std::vector<int64_t> values = {-100, 50, 7, 1 << 20};
  std::string page;
  RoundTrip(values, &page);
  std::vector<int64_t> out;
  for (size_t cut = 0; cut < page.size(); ++cut) {
    EXPECT_EQ(DecodeFrameOfReference(page.substr(0, cut), &out).code(), absl::StatusCode::kDataLoss)
        << cut;
  }
  EXPECT_EQ(DecodeFrameOfReference(page + '\0', &out).code(), absl::StatusCode::kDataLoss);
  std::string bad_width = page;
  bad_width[3] = 65;  // count(1) min(2: zigzag 199) width
  Status s = DecodeFrameOfReference(bad_width, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(Message(s).find("width 65"), std::string_view::npos) << s;
  std::string empty_with_tail = std::string("\0x", 2);
  EXPECT_EQ(DecodeFrameOfReference(empty_with_tail, &out).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace th::store::block::encoding

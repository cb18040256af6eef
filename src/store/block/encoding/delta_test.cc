#include "store/block/encoding/delta.h"

#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace th::store::block::encoding {
namespace {

std::vector<int64_t> RoundTrip(const std::vector<int64_t>& values, std::string* page) {
  page->clear();
  EXPECT_TRUE(EncodeDelta(values, page).ok());
  std::vector<int64_t> out;
  Status s = DecodeDelta(*page, &out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

TEST(Delta, RoundTripsBoundariesAndUnsortedData) {
  using I = std::numeric_limits<int64_t>;
  std::mt19937_64 rng(7);
  std::vector<int64_t> random(1000);
  for (auto& v : random) v = static_cast<int64_t>(rng());
  std::string page;
  for (const auto& v : std::vector<std::vector<int64_t>>{
           {}, {5}, {I::min(), I::max(), I::min(), 0, I::max()}, {3, 2, 1, 0, -1}, random}) {
    EXPECT_EQ(RoundTrip(v, &page), v);
  }
  for (size_t n : {127, 128, 129, 256, 257}) {
    std::vector<int64_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<int64_t>(i * i) - 50;
    EXPECT_EQ(RoundTrip(v, &page), v) << n;
  }
}

TEST(Delta, TimestampsWithSteadyStepsTakeFewBitsAValue) {
  std::vector<int64_t> ts(12800);
  int64_t t = 1'700'000'000'000'000'000;
  std::mt19937 rng(1);
  for (auto& v : ts) v = t += 1'000'000 + rng() % 1000;  // ~1 ms apart, 10 bits of jitter
  std::string page;
  EXPECT_EQ(RoundTrip(ts, &page), ts);
  EXPECT_LT(page.size(), ts.size() * 10 / 8 + 100 * 8 + 16);
}

TEST(Delta, ReaderSkipsBlocksWithoutUnpacking) {
  std::vector<int64_t> v(300);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i) * 3;
  std::string page;
  ASSERT_TRUE(EncodeDelta(v, &page).ok());
  Result<DeltaReader> r = DeltaReader::Open(page);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 300u);
  ASSERT_TRUE(r->SkipBlock().ok());
  EXPECT_EQ(r->position(), 128u);
  std::vector<int64_t> out;
  ASSERT_TRUE(r->ReadBlock(&out).ok());
  ASSERT_EQ(out.size(), 128u);
  EXPECT_EQ(out.front(), 128 * 3);
  ASSERT_TRUE(r->SkipBlock().ok());
  EXPECT_TRUE(r->done());
  EXPECT_EQ(r->remaining_bytes(), 0u);
}

TEST(Delta, RejectsTruncatedCorruptAndTrailingInput) {
  std::vector<int64_t> v(200);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i * 1000 + i % 7);
  std::string page;
  RoundTrip(v, &page);
  std::vector<int64_t> out;
  for (size_t cut = 0; cut < page.size(); ++cut) {
    EXPECT_EQ(DecodeDelta(page.substr(0, cut), &out).code(), absl::StatusCode::kDataLoss) << cut;
  }
  EXPECT_EQ(DecodeDelta(page + "z", &out).code(), absl::StatusCode::kDataLoss);
  // A count of 2^24 with no blocks behind it is refused before any allocation.
  std::string huge = "\x80\x80\x80\x08";
  huge.push_back('\0');
  Status s = DecodeDelta(huge, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(Message(s).find("values need at least"), std::string_view::npos) << s;
  // count 200 (2 bytes), first 0 (1), block offset 0 (1), min delta zigzag(994) (2), width.
  std::string bad_width = page;
  bad_width[6] = 70;
  s = DecodeDelta(bad_width, &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(Message(s).find("block 0: width 70 over 64"), std::string_view::npos) << s;
}

}  // namespace
}  // namespace th::store::block::encoding

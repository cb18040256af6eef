#include "store/block/encoding/bit_pack.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace th::store::block::encoding {
namespace {

std::vector<uint64_t> RandomValues(size_t n, int width, uint32_t seed) {
  std::mt19937_64 rng(seed);
  uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = rng() & mask;
  if (n > 0) v[0] = mask;  // the widest value at least once
  return v;
}

TEST(BitPack, RoundTripsEveryWidthAndCountAcrossGroupBoundaries) {
  for (int width = 0; width <= 64; ++width) {
    for (size_t n : {0, 1, 31, 32, 33, 64, 100, 1000}) {
      std::vector<uint64_t> values = RandomValues(n, width, width * 1000 + n);
      std::string packed;
      PackBits(values, width, &packed);
      ASSERT_EQ(packed.size(), PackedBytes(n, width));
      std::vector<uint64_t> out(n);
      ASSERT_TRUE(UnpackBits(packed, n, width, out.data()).ok());
      ASSERT_EQ(out, values) << "width " << width << " n " << n;
      if (width <= 32) {
        std::vector<uint32_t> v32(values.begin(), values.end());
        std::string p32;
        PackBits(v32, width, &p32);
        ASSERT_EQ(p32, packed);
        std::vector<uint32_t> o32(n);
        ASSERT_TRUE(UnpackBits(p32, n, width, o32.data()).ok());
        ASSERT_EQ(o32, v32) << "width " << width << " n " << n;
      }
    }
  }
}

TEST(BitPack, LayoutIsLeastSignificantBitFirst) {
  std::string packed;
  PackBits(std::vector<uint64_t>{1, 2, 3, 0}, 3, &packed);
  // 001 | 010 | 011 | 000 from bit 0: 0b11010001 0b0000
  ASSERT_EQ(packed.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(packed[0]), 0b11010001);
  EXPECT_EQ(static_cast<uint8_t>(packed[1]), 0b0000);
}

TEST(BitPack, UnpackReportsShortInputAndBadWidth) {
  std::string packed;
  PackBits(RandomValues(100, 7, 1), 7, &packed);
  std::vector<uint64_t> out(100);
  Status s = UnpackBits(std::string_view(packed).substr(0, packed.size() - 1), 100, 7, out.data());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(Message(s).find("need 88 bytes, have 87"), std::string_view::npos) << s;
  EXPECT_EQ(UnpackBits(packed, 100, 65, out.data()).code(), absl::StatusCode::kInvalidArgument);
  std::vector<uint32_t> out32(100);
  EXPECT_EQ(UnpackBits(packed, 100, 33, out32.data()).code(), absl::StatusCode::kInvalidArgument);
}

TEST(BitPack, ColumnRoundTripsAndRejectsCorruptHeaders) {
  std::vector<uint32_t> values = {5, 0, 4294967295u, 17};
  std::string page;
  ASSERT_TRUE(EncodeBitPacked(values, &page).ok());
  std::vector<uint32_t> out;
  ASSERT_TRUE(DecodeBitPacked(page, &out).ok());
  EXPECT_EQ(out, values);

  std::string empty;
  ASSERT_TRUE(EncodeBitPacked({}, &empty).ok());
  ASSERT_TRUE(DecodeBitPacked(empty, &out).ok());
  EXPECT_TRUE(out.empty());

  for (size_t cut = 0; cut < page.size(); ++cut) {
    EXPECT_EQ(DecodeBitPacked(page.substr(0, cut), &out).code(), absl::StatusCode::kDataLoss);
  }
  EXPECT_EQ(DecodeBitPacked(page + "x", &out).code(), absl::StatusCode::kDataLoss);
  std::string wide = page;
  wide[1] = 33;
  EXPECT_EQ(DecodeBitPacked(wide, &out).code(), absl::StatusCode::kDataLoss);
  // A huge count with width 0 needs no bytes but must not be believed past the limit.
  std::string huge = "\xff\xff\xff\xff\x0f";
  huge.push_back('\0');
  EXPECT_EQ(DecodeBitPacked(huge, &out).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace th::store::block::encoding

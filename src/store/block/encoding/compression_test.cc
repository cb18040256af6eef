#include "store/block/encoding/compression.h"

#include <string>

#include <gtest/gtest.h>

namespace th::store::block::encoding {
namespace {

std::string Sample() {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "http.method=GET service.name=checkout ";
  return s;
}

TEST(Compression, RoundTripsEveryCodecIncludingEmptyInput) {
  for (Compression c : {Compression::kNone, Compression::kZstd, Compression::kLz4}) {
    for (const std::string& in : {std::string(), std::string("x"), Sample()}) {
      std::string packed, out;
      ASSERT_TRUE(Compress(c, in, &packed).ok());
      Status s = Decompress(c, packed, in.size(), &out);
      ASSERT_TRUE(s.ok()) << CompressionName(c) << ": " << s;
      EXPECT_EQ(out, in) << CompressionName(c);
      if (in.size() > 1000 && c != Compression::kNone) {
        EXPECT_LT(packed.size(), in.size() / 10);
      }
    }
  }
}

TEST(Compression, ZstdLevelIsHonoured) {
  std::string fast, small;
  ASSERT_TRUE(Compress(Compression::kZstd, Sample(), &fast, 1).ok());
  ASSERT_TRUE(Compress(Compression::kZstd, Sample(), &small, 19).ok());
  EXPECT_LE(small.size(), fast.size());
}

TEST(Compression, DecompressionIsBoundedByTheCallersLimit) {
  std::string in = Sample(), packed, out;
  for (Compression c : {Compression::kNone, Compression::kZstd, Compression::kLz4}) {
    packed.clear();
    ASSERT_TRUE(Compress(c, in, &packed).ok());
    Status s = Decompress(c, packed, in.size() - 1, &out);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << CompressionName(c);
    EXPECT_NE(Message(s).find("over limit"), std::string_view::npos) << s;
  }
}

TEST(Compression, RejectsCorruptAndTruncatedData) {
  std::string in = Sample();
  for (Compression c : {Compression::kZstd, Compression::kLz4}) {
    std::string packed, out;
    ASSERT_TRUE(Compress(c, in, &packed).ok());
    for (size_t cut : {size_t{0}, size_t{1}, size_t{3}, packed.size() / 2, packed.size() - 1}) {
      EXPECT_EQ(Decompress(c, packed.substr(0, cut), in.size(), &out).code(),
                absl::StatusCode::kDataLoss)
          << CompressionName(c) << " cut " << cut;
    }
    std::string wrong_size = packed;
    wrong_size[0] = static_cast<char>(wrong_size[0] ^ 1);  // header disagrees with the data
    EXPECT_EQ(Decompress(c, wrong_size, in.size() + 10, &out).code(), absl::StatusCode::kDataLoss)
        << CompressionName(c);
  }
  std::string out;
  EXPECT_EQ(Decompress(static_cast<Compression>(9), "abc", 100, &out).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace th::store::block::encoding

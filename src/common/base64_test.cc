#include "common/base64.h"

#include <gtest/gtest.h>

namespace th {
namespace {

TEST(Base64, EncodesWithPaddingAsRfc4648) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xff\x00\xfe", 3)), "/wD+");
  EXPECT_EQ(Base64EncodedSize(4), 8u);
}

}  // namespace
}  // namespace th

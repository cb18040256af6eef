#include "common/gzip.h"

#include <string>

#include <gtest/gtest.h>

namespace th {
namespace {

TEST(Gzip, RoundTrips) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data += "span " + std::to_string(i) + "\n";
  auto out = GunzipBounded(Gzip(data), data.size());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, data);
}

TEST(Gzip, RefusesOutputPastLimit) {
  std::string data(1 << 20, 'a');  // compresses to ~1 KiB: a small bomb
  auto out = GunzipBounded(Gzip(data), 64 * 1024);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(Gzip, GarbageIsInvalidArgument) {
  auto out = GunzipBounded("this is not gzip at all", 1024);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Gzip, TruncatedIsInvalidArgument) {
  std::string z = Gzip(std::string(10000, 'x') + "tail");
  auto out = GunzipBounded(z.substr(0, z.size() / 2), 1 << 20);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Gzip, EmptyStreamGivesEmptyOutput) {
  auto out = GunzipBounded(Gzip(""), 16);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
}

TEST(ContentEncoding, GzipDeflateAndIdentityInAnyCase) {
  const std::string data = "body bytes";
  for (const char* encoding : {"gzip", " GZip ", "deflate", "zlib", "x"}) {
    SCOPED_TRACE(encoding);
    auto out = DecodeContentEncoding(encoding, Gzip(data), 1024);
    if (std::string_view(encoding) == "x") {
      EXPECT_EQ(out.status().code(), absl::StatusCode::kUnimplemented);
      EXPECT_NE(std::string(Message(out.status())).find("\"x\", supported: [gzip"),
                std::string::npos)
          << out.status();
      continue;
    }
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(*out, data);
  }
  for (const char* encoding : {"", "identity", "Identity"}) {
    auto out = DecodeContentEncoding(encoding, std::string(data), 4);  // no limit on identity
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(*out, data);
  }
  EXPECT_EQ(DecodeContentEncoding("gzip", Gzip(std::string(5000, 'a')), 100).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(DecodeContentEncoding("gzip", "not gzip", 100).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace th

#include "common/http/headers.h"

#include <gtest/gtest.h>

namespace th::http {
namespace {

TEST(MediaType, DropsParametersBlanksAndCase) {
  EXPECT_EQ(MediaType(" Application/JSON; charset=utf-8"), "application/json");
  EXPECT_EQ(MediaType("\tapplication/x-protobuf \t"), "application/x-protobuf");
  EXPECT_EQ(MediaType(""), "");
}

TEST(OriginAllowed, MatchesExactAndWildcardPatterns) {
  std::vector<std::string> allowed = {"https://app.example.com", "https://*.corp.io"};
  EXPECT_TRUE(OriginAllowed("https://app.example.com", allowed));
  EXPECT_TRUE(OriginAllowed("https://a.b.corp.io", allowed));
  EXPECT_FALSE(OriginAllowed("https://corp.io", allowed));
  EXPECT_FALSE(OriginAllowed("http://app.example.com", allowed));
  EXPECT_TRUE(OriginAllowed("http://anything", {"*"}));
  EXPECT_TRUE(OriginAllowed("http://a.x.b", {"http://*.x.*"}));
  EXPECT_FALSE(OriginAllowed("http://a", {}));
}

}  // namespace
}  // namespace th::http

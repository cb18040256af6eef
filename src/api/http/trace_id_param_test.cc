#include "api/http/trace_id_param.h"

#include <gtest/gtest.h>

namespace th::api {
namespace {

TEST(TraceIdParam, AcceptsFullAndTrimmedIdsInEitherCase) {
  auto full = ParseTraceIdParam("000000000000000000000000000000AB");
  auto trimmed = ParseTraceIdParam("ab");
  ASSERT_TRUE(full.ok());
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*full, *trimmed);
  EXPECT_EQ(model::ToHex(trimmed->View()), "000000000000000000000000000000ab");
}

TEST(TraceIdParam, OddLengthIsPadded) {
  auto id = ParseTraceIdParam("abc");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(model::ToHex(id->View()), "00000000000000000000000000000abc");
}

TEST(TraceIdParam, RejectsNonHexNamingThePosition) {
  auto id = ParseTraceIdParam("12x4");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().message(),
            "invalid trace id: trace IDs can only contain hex characters: invalid character 'x' "
            "at position 3");
}

TEST(TraceIdParam, RejectsTooLongAndEmpty) {
  EXPECT_FALSE(ParseTraceIdParam(std::string(33, 'a')).ok());
  EXPECT_FALSE(ParseTraceIdParam("").ok());
}

}  // namespace
}  // namespace th::api

#include "model/otlp_json_ids.h"

#include <gtest/gtest.h>

namespace th::model {
namespace {

TEST(OtlpJsonIds, RewritesOnlyIdKeys) {
  auto out = OtlpJsonHexIdsToBase64(
      R"({"traceId" : "00ff", "x":"traceId", "spanId":"", "span_id":"0102", "y":{"traceId":1}})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            R"({"traceId" : "AP8=", "x":"traceId", "spanId":"", "span_id":"AQI=", "y":{"traceId":1}})");
}

TEST(OtlpJsonIds, EscapedQuotesDoNotEndAString) {
  auto out = OtlpJsonHexIdsToBase64(R"({"body":"say \"traceId\":\"zz\"", "traceId":"ab"})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, R"({"body":"say \"traceId\":\"zz\"", "traceId":"qw=="})");
}

TEST(OtlpJsonIds, ValueThatIsNotHexIsAnError) {
  for (const char* json : {R"({"traceId":"xyz1"})", R"({"spanId":"abc"})", R"({"traceId":"ab)"}) {
    SCOPED_TRACE(json);
    auto out = OtlpJsonHexIdsToBase64(json);
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace th::model

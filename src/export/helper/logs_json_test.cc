// OTLP/JSON for logs: libprotobuf's JSON with hex ids, enums as numbers, lowerCamelCase keys.
#include "export/helper/logs_json.h"

#include <google/protobuf/util/message_differencer.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "export/helper/testing/logs_test_util.h"

namespace th::exporter::helper {
namespace {

using ::testing::HasSubstr;

TEST(LogsJson, IdsAreHexEnumsNumbersAndItParsesBack) {
  testing::LogsRequest req = testing::MakeLogsRequest("svc", 2);
  // A bytes body stays base64, and a string that looks like a key stays as it is.
  auto* r = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(1);
  r->mutable_body()->set_bytes_value("\x01\x02\x03");
  r->mutable_attributes(0)->mutable_value()->set_string_value("\"traceId\":\"AAAA\"");
  std::string json;
  ASSERT_TRUE(EncodeOtlpLogsJson(req.SerializeAsString(), &json).ok());
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_THAT(json, HasSubstr("\"traceId\":\"ab000000000000000000000000000001\""));
  EXPECT_THAT(json, HasSubstr("\"spanId\":\"cd00000000000002\""));
  EXPECT_THAT(json, HasSubstr("\"severityNumber\":9"));
  EXPECT_THAT(json, HasSubstr("\"resourceLogs\""));
  EXPECT_THAT(json, HasSubstr("\"bytesValue\":\"AQID\""));
  EXPECT_THAT(json, HasSubstr("\\\"traceId\\\":\\\"AAAA\\\""));

  testing::LogsRequest back;
  ASSERT_TRUE(testing::ParseOtlpLogsJson(json, &back)) << json;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(back, req))
      << back.DebugString();
}

TEST(LogsJson, RefusesBytesThatAreNotALogsRequest) {
  std::string json;
  EXPECT_EQ(EncodeOtlpLogsJson("\xff\xff\xff", &json).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace th::exporter::helper

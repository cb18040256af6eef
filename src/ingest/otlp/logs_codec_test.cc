#include "ingest/otlp/internal/logs_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace th::ingest::otlp {
namespace {

using ::testing::HasSubstr;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

constexpr const char* kJson = R"({"resourceLogs":[{"resource":{"attributes":[
  {"key":"service.name","value":{"stringValue":"checkout"}}]},
  "scopeLogs":[{"scope":{"name":"app"},"logRecords":[
    {"timeUnixNano":"1700000000000000000","severityNumber":9,"severityText":"INFO",
     "body":{"stringValue":"order placed \"traceId\": \"zz\""},
     "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
     "attributes":[{"key":"traceId","value":{"stringValue":"not an id"}},
                   {"key":"n","value":{"intValue":"42"}}],
     "unknownField":true},
    {"time_unix_nano":"1700000000000000001","severity_number":"SEVERITY_NUMBER_ERROR",
     "body":{"stringValue":"failed"}}]}]}]})";

TEST(OtlpLogsCodec, JsonBecomesProtobufWithHexIdsAndCountsRecords) {
  auto batch = DecodeOtlpLogsJson(kJson, "acme");
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ((*batch)->tenant, "acme");
  EXPECT_EQ((*batch)->record_count, 2u);
  ExportLogsServiceRequest req;
  ASSERT_TRUE(req.ParseFromString((*batch)->otlp));
  const auto& rec = req.resource_logs(0).scope_logs(0).log_records(0);
  EXPECT_EQ(rec.trace_id(), std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f"
                                        "\xc6\x0c",
                                        16));
  EXPECT_EQ(rec.span_id(), std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
  // Strings that merely look like ids are left alone.
  EXPECT_EQ(rec.body().string_value(), "order placed \"traceId\": \"zz\"");
  EXPECT_EQ(rec.attributes(0).value().string_value(), "not an id");
  EXPECT_EQ(rec.attributes(1).value().int_value(), 42);
  EXPECT_EQ(req.resource_logs(0).scope_logs(0).log_records(1).severity_number(), 17);
}

TEST(OtlpLogsCodec, ProtobufIsKeptAsItCameAndChecked) {
  auto from_json = DecodeOtlpLogsJson(kJson, "t");
  ASSERT_TRUE(from_json.ok());
  std::string bytes = (*from_json)->otlp;
  auto batch = DecodeOtlpLogsProto(std::string(bytes), "t");
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ((*batch)->otlp, bytes);
  EXPECT_EQ((*batch)->record_count, 2u);
  EXPECT_FALSE(DecodeOtlpLogsProto(std::string("\x0a\xff\xff", 3), "t").ok());
}

TEST(OtlpLogsCodec, BadInputNamesTheProblem) {
  EXPECT_THAT(Message(DecodeOtlpLogsJson(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
    {"traceId":"xyz"}]}]}]})", "t").status()),
              HasSubstr("traceId"));
  EXPECT_THAT(Message(DecodeOtlpLogsJson(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[
    {"spanId":"0102"}]}]}]})", "t").status()),
              HasSubstr("spanId: 2 bytes, want 8"));
  EXPECT_THAT(Message(DecodeOtlpLogsJson("{not json", "t").status()),
              HasSubstr("not valid OTLP/JSON logs"));
}

}  // namespace
}  // namespace th::ingest::otlp

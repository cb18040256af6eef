// OTLP/JSON encoder and decoder against each other and against the protobuf codec: protobuf →
// batch → JSON → batch → protobuf must give back the original message.
#include <cmath>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "model/otlp_encode.h"
#include "model/otlp_json_encode.h"

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace th::model {
namespace {

namespace otlp = opentelemetry::proto;

otlp::collector::trace::v1::ExportTraceServiceRequest Request() {
  otlp::collector::trace::v1::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  rs->set_schema_url("res-schema");
  auto* a = rs->mutable_resource()->add_attributes();
  a->set_key("service.name");
  a->mutable_value()->set_string_value("quote \" backslash \\ newline \n tab \t ü");
  rs->mutable_resource()->set_dropped_attributes_count(1);
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("lib");
  ss->mutable_scope()->set_version("1.0");
  ss->set_schema_url("scope-schema");
  auto* sp = ss->add_spans();
  sp->set_trace_id(
      std::string("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff", 16));
  sp->set_span_id(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  sp->set_parent_span_id(std::string("\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11", 8));
  sp->set_trace_state("k=v");
  sp->set_flags(257);
  sp->set_name("GET /");
  sp->set_kind(otlp::trace::v1::Span::SPAN_KIND_CLIENT);
  sp->set_start_time_unix_nano(18446744073709551615ull);  // max uint64 survives as a string
  sp->set_end_time_unix_nano(1);
  auto add = [&](const char* key) {
    auto* kv = sp->add_attributes();
    kv->set_key(key);
    return kv->mutable_value();
  };
  add("i")->set_int_value(-9223372036854775807ll - 1);
  add("d")->set_double_value(-0.125);
  add("inf")->set_double_value(INFINITY);
  add("b")->set_bool_value(true);
  add("bytes")->set_bytes_value(std::string("\x00\xfe\xff", 3));
  add("empty");
  auto* arr = add("arr")->mutable_array_value();
  arr->add_values()->set_string_value("x");
  auto* nested = arr->add_values()->mutable_kvlist_value()->add_values();
  nested->set_key("nested");
  // A KeyValue without a value and one with an empty value mean the same in OTLP; the model
  // keeps both as an empty value, which encodes as `value {}`.
  nested->mutable_value();
  sp->set_dropped_attributes_count(2);
  auto* ev = sp->add_events();
  ev->set_time_unix_nano(5);
  ev->set_name("ev");
  ev->set_dropped_attributes_count(3);
  sp->set_dropped_events_count(4);
  auto* ln = sp->add_links();
  ln->set_trace_id(std::string(16, '\x01'));
  ln->set_span_id(std::string(8, '\x02'));
  ln->set_trace_state("l=1");
  ln->set_flags(1);
  ln->set_dropped_attributes_count(5);
  sp->set_dropped_links_count(6);
  sp->mutable_status()->set_code(otlp::trace::v1::Status::STATUS_CODE_OK);
  sp->mutable_status()->set_message("fine");
  return req;
}

TEST(OtlpJsonCodec, ProtoToJsonAndBackKeepsEveryField) {
  auto req = Request();
  auto from_proto = DecodeOtlpTracesProto(req.SerializeAsString(), "t");
  ASSERT_TRUE(from_proto.ok()) << from_proto.status();
  std::string json;
  EncodeOtlpTracesJson(*from_proto->batch, &json);
  auto from_json = DecodeOtlpTracesJson(json, "t");
  ASSERT_TRUE(from_json.ok()) << from_json.status() << "\n" << json;
  EXPECT_EQ(from_json->rejected_spans, 0);
  std::string proto;
  EncodeOtlpTraces(*from_json->batch, &proto);
  otlp::collector::trace::v1::ExportTraceServiceRequest got;
  ASSERT_TRUE(got.ParseFromString(proto));
  google::protobuf::util::MessageDifferencer diff;
  std::string report;
  diff.ReportDifferencesToString(&report);
  EXPECT_TRUE(diff.Compare(req, got)) << report << "\n" << json;
}

TEST(OtlpJsonCodec, IdsAreHexAndBigIntegersAreStrings) {
  auto decoded = DecodeOtlpTracesProto(Request().SerializeAsString(), "t");
  ASSERT_TRUE(decoded.ok());
  std::string json;
  EncodeOtlpTracesJson(*decoded->batch, &json);
  EXPECT_NE(json.find("\"traceId\":\"00112233445566778899aabbccddeeff\""), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"startTimeUnixNano\":\"18446744073709551615\""), std::string::npos);
  EXPECT_NE(json.find("{\"intValue\":\"-9223372036854775808\"}"), std::string::npos);
  EXPECT_NE(json.find("{\"doubleValue\":\"Infinity\"}"), std::string::npos);
}

}  // namespace
}  // namespace th::model

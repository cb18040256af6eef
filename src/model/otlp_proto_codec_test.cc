// Round trips through the hand-written codec, checked against libprotobuf as the reference.
#include <random>
#include <string>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "model/otlp_encode.h"

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace th::model {
namespace {

namespace otlp = opentelemetry::proto;
using otlp::collector::trace::v1::ExportTraceServiceRequest;

void SetKv(otlp::common::v1::KeyValue* kv, const std::string& key, const std::string& s) {
  kv->set_key(key);
  kv->mutable_value()->set_string_value(s);
}

// A request using every field of the trace protos, with two resources, two scopes and nested
// attribute values.
ExportTraceServiceRequest RichRequest() {
  ExportTraceServiceRequest req;
  for (int r = 0; r < 2; ++r) {
    auto* rs = req.add_resource_spans();
    rs->set_schema_url("https://opentelemetry.io/schemas/1.21.0");
    SetKv(rs->mutable_resource()->add_attributes(), "service.name", "svc-" + std::to_string(r));
    rs->mutable_resource()->set_dropped_attributes_count(2);
    for (int s = 0; s < 2; ++s) {
      auto* ss = rs->add_scope_spans();
      ss->set_schema_url("scope-schema");
      ss->mutable_scope()->set_name("lib-" + std::to_string(s));
      ss->mutable_scope()->set_version("1.2.3");
      SetKv(ss->mutable_scope()->add_attributes(), "scope.attr", "x");
      ss->mutable_scope()->set_dropped_attributes_count(1);
      for (int i = 0; i < 3; ++i) {
        auto* sp = ss->add_spans();
        std::string tid(16, '\0'), sid(8, '\0'), pid(8, '\0');
        tid[15] = static_cast<char>(1 + r);
        tid[0] = '\x7f';
        sid[7] = static_cast<char>(1 + i + 10 * s + 100 * r);
        pid[0] = '\x01';
        sp->set_trace_id(tid);
        sp->set_span_id(sid);
        if (i > 0) sp->set_parent_span_id(pid);
        sp->set_trace_state("vendor=value");
        sp->set_flags(0x301);
        sp->set_name("GET /api/" + std::to_string(i));
        sp->set_kind(otlp::trace::v1::Span::SPAN_KIND_SERVER);
        sp->set_start_time_unix_nano(1700000000123456789ull + i);
        sp->set_end_time_unix_nano(1700000000223456789ull + i);
        SetKv(sp->add_attributes(), "http.method", "GET");
        auto* a = sp->add_attributes();
        a->set_key("http.status_code");
        a->mutable_value()->set_int_value(-500);
        a = sp->add_attributes();
        a->set_key("ratio");
        a->mutable_value()->set_double_value(0.25);
        a = sp->add_attributes();
        a->set_key("ok");
        a->mutable_value()->set_bool_value(false);
        a = sp->add_attributes();
        a->set_key("blob");
        a->mutable_value()->set_bytes_value(std::string("\x00\xff\x10", 3));
        a = sp->add_attributes();
        a->set_key("empty");
        a->mutable_value();
        a = sp->add_attributes();
        a->set_key("list");
        auto* arr = a->mutable_value()->mutable_array_value();
        arr->add_values()->set_string_value("a");
        arr->add_values()->set_int_value(7);
        auto* inner = arr->add_values()->mutable_kvlist_value();
        SetKv(inner->add_values(), "deep", "yes");
        auto* kvl = inner->add_values();
        kvl->set_key("deeper");
        kvl->mutable_value()->mutable_array_value()->add_values()->set_double_value(1.5);
        a = sp->add_attributes();
        a->set_key("map");
        SetKv(a->mutable_value()->mutable_kvlist_value()->add_values(), "k", "v");
        sp->set_dropped_attributes_count(3);
        auto* ev = sp->add_events();
        ev->set_time_unix_nano(1700000000200000000ull);
        ev->set_name("exception");
        SetKv(ev->add_attributes(), "exception.message", "boom");
        ev->set_dropped_attributes_count(4);
        sp->set_dropped_events_count(5);
        auto* ln = sp->add_links();
        ln->set_trace_id(std::string(16, '\x22'));
        ln->set_span_id(std::string(8, '\x33'));
        ln->set_trace_state("a=b");
        SetKv(ln->add_attributes(), "link.kind", "follows");
        ln->set_dropped_attributes_count(6);
        ln->set_flags(1);
        sp->set_dropped_links_count(7);
        sp->mutable_status()->set_code(otlp::trace::v1::Status::STATUS_CODE_ERROR);
        sp->mutable_status()->set_message("failed: ünïcode");
      }
    }
  }
  return req;
}

void ExpectSameMessage(const ExportTraceServiceRequest& want, const std::string& bytes) {
  ExportTraceServiceRequest got;
  ASSERT_TRUE(got.ParseFromString(bytes));
  google::protobuf::util::MessageDifferencer diff;
  std::string report;
  diff.ReportDifferencesToString(&report);
  EXPECT_TRUE(diff.Compare(want, got)) << report;
}

TEST(OtlpProtoCodec, RoundTripKeepsEveryField) {
  ExportTraceServiceRequest req = RichRequest();
  auto decoded = DecodeOtlpTracesProto(req.SerializeAsString(), "acme");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->rejected_spans, 0);
  const SpanBatch& b = *decoded->batch;
  EXPECT_EQ(b.tenant, "acme");
  EXPECT_EQ(b.span_count(), 12u);
  EXPECT_EQ(b.resources.size(), 2u);
  EXPECT_EQ(b.scopes.size(), 4u);
  std::string out;
  EncodeOtlpTraces(b, &out);
  ExpectSameMessage(req, out);
}

// Decoding into a reused batch leaves nothing of the body before: each decode round-trips alone.
TEST(OtlpProtoCodec, DecodingIntoAReusedBatchKeepsOnlyTheNewBody) {
  ExportTraceServiceRequest rich = RichRequest();
  ExportTraceServiceRequest small;
  auto* rs = small.add_resource_spans();
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("solo");
  auto* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("lib");
  auto* sp = ss->add_spans();
  sp->set_trace_id(std::string(16, '\x07'));
  sp->set_span_id(std::string(8, '\x08'));
  sp->set_name("alone");
  const std::string rich_bytes = rich.SerializeAsString(), small_bytes = small.SerializeAsString();
  SpanBatch reused;
  for (int round = 0; round < 2; ++round) {
    Result<int64_t> rejected = DecodeOtlpTracesProtoInto(rich_bytes, "acme", &reused);
    ASSERT_TRUE(rejected.ok()) << rejected.status();
    EXPECT_EQ(*rejected, 0);
    EXPECT_EQ(reused.tenant, "acme");
    EXPECT_EQ(reused.span_count(), 12u);
    EXPECT_EQ(reused.otlp_encoding, rich_bytes);
    std::string out;
    EncodeOtlpTraces(reused, &out);
    ExpectSameMessage(rich, out);

    rejected = DecodeOtlpTracesProtoInto(small_bytes, "other", &reused);
    ASSERT_TRUE(rejected.ok()) << rejected.status();
    EXPECT_EQ(reused.tenant, "other");
    EXPECT_EQ(reused.span_count(), 1u);
    EXPECT_EQ(reused.resources.size(), 1u);
    EXPECT_EQ(reused.key_values.size(), 1u);
    out.clear();
    EncodeOtlpTraces(reused, &out);
    ExpectSameMessage(small, out);
  }
}

TEST(OtlpProtoCodec, DecodesColumnsAndNestedValues) {
  auto decoded = DecodeOtlpTracesProto(RichRequest().SerializeAsString(), "t");
  ASSERT_TRUE(decoded.ok());
  const SpanBatch& b = *decoded->batch;
  EXPECT_EQ(b.spans.name[1], "GET /api/1");
  EXPECT_EQ(b.spans.kind[0], kSpanKindServer);
  EXPECT_EQ(b.spans.status_code[0], kStatusError);
  EXPECT_TRUE(b.spans.parent_span_id[0].IsZero());
  EXPECT_FALSE(b.spans.parent_span_id[1].IsZero());
  Range attrs = b.spans.attributes[0];
  ASSERT_EQ(attrs.count, 8u);
  const KeyValue& code = b.key_values[attrs.begin + 1];
  EXPECT_EQ(code.key, "http.status_code");
  EXPECT_EQ(code.value.type, ValueType::kInt);
  EXPECT_EQ(code.value.int_value, -500);
  const KeyValue& list = b.key_values[attrs.begin + 6];
  ASSERT_EQ(list.value.type, ValueType::kArray);
  ASSERT_EQ(list.value.range.count, 3u);
  const AnyValue& inner = b.array_values[list.value.range.begin + 2];
  ASSERT_EQ(inner.type, ValueType::kKvList);
  EXPECT_EQ(b.key_values[inner.range.begin].key, "deep");
  EXPECT_EQ(b.key_values[attrs.begin + 5].value.type, ValueType::kEmpty);
}

TEST(OtlpProtoCodec, EncodesChosenSpansOnly) {
  auto decoded = DecodeOtlpTracesProto(RichRequest().SerializeAsString(), "t");
  ASSERT_TRUE(decoded.ok());
  std::vector<uint32_t> pick = {4, 11};
  std::string out;
  EncodeOtlpTraces(*decoded->batch, pick, &out);
  ExportTraceServiceRequest got;
  ASSERT_TRUE(got.ParseFromString(out));
  ASSERT_EQ(got.resource_spans_size(), 2);
  EXPECT_EQ(got.resource_spans(0).scope_spans(0).spans(0).name(), "GET /api/1");
  EXPECT_EQ(got.resource_spans(1).scope_spans(0).scope().name(), "lib-1");
}

TEST(OtlpProtoCodec, WrongLengthIdRejectsOnlyThatSpan) {
  ExportTraceServiceRequest req = RichRequest();
  req.mutable_resource_spans(1)->mutable_scope_spans(0)->mutable_spans(2)->set_trace_id("abcd");
  req.mutable_resource_spans(0)->mutable_scope_spans(1)->mutable_spans(0)->set_span_id(
      std::string(8, '\0'));
  auto decoded = DecodeOtlpTracesProto(req.SerializeAsString(), "t");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->rejected_spans, 2);
  EXPECT_EQ(decoded->batch->span_count(), 10u);
  EXPECT_EQ(decoded->rejection_message,
            "resource_spans[0].scope_spans[1].spans[0].span_id: must not be all zero");
}

TEST(OtlpProtoCodec, MissingTraceIdIsRejected) {
  ExportTraceServiceRequest req = RichRequest();
  req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->clear_trace_id();
  auto decoded = DecodeOtlpTracesProto(req.SerializeAsString(), "t");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->rejected_spans, 1);
  EXPECT_NE(decoded->rejection_message.find("trace_id: missing"), std::string::npos);
}

TEST(OtlpProtoCodec, BadUtf8FailsNamingTheField) {
  ExportTraceServiceRequest req = RichRequest();
  req.mutable_resource_spans(1)->mutable_scope_spans(1)->mutable_spans(2)->set_name("bad\xff");
  auto decoded = DecodeOtlpTracesProto(req.SerializeAsString(), "t");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(decoded.status().message(),
            "resource_spans[1].scope_spans[1].spans[2].name: invalid UTF-8");
}

TEST(OtlpProtoCodec, EveryTruncationFailsCleanly) {
  std::string bytes = RichRequest().SerializeAsString();
  for (size_t cut = 1; cut < bytes.size(); cut += 7) {
    auto decoded = DecodeOtlpTracesProto(bytes.substr(0, cut), "t");
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(OtlpProtoCodec, HugeDeclaredLengthIsMalformedNotAllocated) {
  std::string bytes = "\x0a\xff\xff\xff\xff\x0f";  // resource_spans of 4 GiB, no payload
  auto decoded = DecodeOtlpTracesProto(std::move(bytes), "t");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("malformed protobuf"), std::string::npos);
}

TEST(OtlpProtoCodec, DeepNestingIsRefused) {
  otlp::common::v1::AnyValue v;
  otlp::common::v1::AnyValue* cur = &v;
  for (int i = 0; i < 80; ++i) cur = cur->mutable_array_value()->add_values();
  cur->set_int_value(1);
  ExportTraceServiceRequest req = RichRequest();
  auto* a =
      req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->add_attributes();
  a->set_key("deep");
  *a->mutable_value() = v;
  auto decoded = DecodeOtlpTracesProto(req.SerializeAsString(), "t");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("nested deeper"), std::string::npos);
}

TEST(OtlpProtoCodec, RandomByteFlipsNeverCrash) {
  std::string bytes = RichRequest().SerializeAsString();
  std::mt19937 rng(42);
  for (int iter = 0; iter < 2000; ++iter) {
    std::string m = bytes;
    for (int k = 0; k < 3; ++k) m[rng() % m.size()] = static_cast<char>(rng());
    auto decoded = DecodeOtlpTracesProto(std::move(m), "t");
    if (decoded.ok()) {
      std::string out;
      EncodeOtlpTraces(*decoded->batch, &out);  // whatever decoded must encode
      ExportTraceServiceRequest check;
      EXPECT_TRUE(check.ParseFromString(out));
    }
  }
}

TEST(OtlpProtoCodec, UnknownFieldsAreSkipped) {
  std::string bytes = RichRequest().SerializeAsString();
  bytes += std::string("\xa0\x06\x01", 3);  // field 100, varint 1
  auto decoded = DecodeOtlpTracesProto(std::move(bytes), "t");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->batch->span_count(), 12u);
}

}  // namespace
}  // namespace th::model

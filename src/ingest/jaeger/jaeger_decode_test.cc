#include "ingest/jaeger/jaeger_decode.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/jaeger/internal/thrift_writer_for_test.h"
#include "jaeger/api_v2/collector.pb.h"
#include "model/ids.h"

namespace th::ingest::jaeger {
namespace {

namespace t = testing;
using ::testing::HasSubstr;

const model::AnyValue* Attr(const model::SpanBatch& b, model::Range r, std::string_view key) {
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    if (b.key_values[i].key == key) return &b.key_values[i].value;
  }
  return nullptr;
}

std::vector<std::string> Keys(const model::SpanBatch& b, model::Range r) {
  std::vector<std::string> out;
  for (uint32_t i = r.begin; i < r.end(); ++i) out.emplace_back(b.key_values[i].key);
  return out;
}

std::string Hex(const model::TraceId& id) { return model::ToHex(id.View()); }
std::string Hex(const model::SpanId& id) { return model::ToHex(id.View()); }

t::Batch FullBatch() {
  t::Batch b;
  b.process.service_name = "checkout";
  b.process.tags = {t::StrTag("hostname", "node-1"), t::StrTag("jaeger.version", "Go-2.30.0"),
                    t::LongTag("pid", 42)};
  t::Span s;
  s.trace_id_high = 0x0102030405060708;
  s.trace_id_low = static_cast<int64_t>(0xf1f2f3f4f5f6f7f8ull);  // negative on the wire
  s.span_id = static_cast<int64_t>(0x8000000000000001ull);
  s.parent_span_id = 0x1111;
  s.operation_name = "GET /cart";
  s.flags = 3;  // sampled | debug
  s.start_time = 1700000000123456;
  s.duration = 2500;
  s.references = {
      t::SpanRef{0, s.trace_id_low, s.trace_id_high, 0x1111},  // the parent: not a link
      t::SpanRef{1, 7, 0, 0x2222},                             // FOLLOWS_FROM: a link
  };
  s.tags = {t::StrTag("http.method", "GET"),
            t::DoubleTag("ratio", 0.25),
            t::BoolTag("cached", true),
            t::LongTag("http.status_code", 200),
            t::BinaryTag("blob", std::string("\x00\xff\x10", 3)),
            t::StrTag("span.kind", "server"),
            t::StrTag("otel.status_code", "error"),
            t::StrTag("otel.status_description", "boom"),
            t::StrTag("w3c.tracestate", "vendor=x"),
            t::StrTag("otel.scope.name", "io.opentelemetry.http"),
            t::StrTag("otel.scope.version", "1.2.3"),
            t::StrTag("http.method", "POST")};  // duplicate key: last value wins
  s.logs = {t::Log{1700000000124000, {t::StrTag("event", "retry"), t::LongTag("attempt", 2)}},
            t::Log{1700000000125000, {t::StrTag("message", "no name")}}};
  b.spans.push_back(s);
  return b;
}

class ThriftDecode : public ::testing::TestWithParam<ThriftProtocol> {};

void ExpectFullBatch(const DecodedSpans& d) {
  const model::SpanBatch& b = *d.batch;
  EXPECT_EQ(d.rejected_spans, 0);
  EXPECT_EQ(b.tenant, "tenant-a");
  ASSERT_EQ(b.span_count(), 1u);
  ASSERT_EQ(b.resources.size(), 1u);
  model::Range res = b.resources[0].attributes;
  EXPECT_THAT(Keys(b, res), ::testing::ElementsAre("service.name", "pid", "host.name",
                                                   "opencensus.exporterversion"));
  EXPECT_EQ(Attr(b, res, "service.name")->bytes, "checkout");
  EXPECT_EQ(Attr(b, res, "host.name")->bytes, "node-1");
  EXPECT_EQ(Attr(b, res, "opencensus.exporterversion")->bytes, "Jaeger-Go-2.30.0");
  EXPECT_EQ(Attr(b, res, "pid")->int_value, 42);

  model::SpanRow row = b.Row(0);
  ASSERT_EQ(b.scopes.size(), 1u);
  EXPECT_EQ(b.scopes[0].name, "io.opentelemetry.http");
  EXPECT_EQ(b.scopes[0].version, "1.2.3");
  EXPECT_EQ(Hex(row.trace_id), "0102030405060708f1f2f3f4f5f6f7f8");
  EXPECT_EQ(Hex(row.span_id), "8000000000000001");
  EXPECT_EQ(Hex(row.parent_span_id), "0000000000001111");
  EXPECT_EQ(row.name, "GET /cart");
  EXPECT_EQ(row.flags, 1u);
  EXPECT_EQ(row.start_time_unix_nano, 1700000000123456000ull);
  EXPECT_EQ(row.end_time_unix_nano, 1700000000123456000ull + 2500000ull);
  EXPECT_EQ(row.kind, model::kSpanKindServer);
  EXPECT_EQ(row.status_code, model::kStatusError);
  EXPECT_EQ(row.status_message, "boom");
  EXPECT_EQ(row.trace_state, "vendor=x");

  EXPECT_THAT(Keys(b, row.attributes),
              ::testing::ElementsAre("http.method", "ratio", "cached", "http.status_code", "blob"));
  const model::AnyValue* method = Attr(b, row.attributes, "http.method");
  EXPECT_EQ(method->type, model::ValueType::kString);
  EXPECT_EQ(method->bytes, "POST");
  EXPECT_EQ(Attr(b, row.attributes, "ratio")->type, model::ValueType::kDouble);
  EXPECT_EQ(Attr(b, row.attributes, "ratio")->double_value, 0.25);
  EXPECT_EQ(Attr(b, row.attributes, "cached")->type, model::ValueType::kBool);
  EXPECT_TRUE(Attr(b, row.attributes, "cached")->bool_value);
  EXPECT_EQ(Attr(b, row.attributes, "http.status_code")->type, model::ValueType::kInt);
  EXPECT_EQ(Attr(b, row.attributes, "http.status_code")->int_value, 200);
  EXPECT_EQ(Attr(b, row.attributes, "blob")->type, model::ValueType::kString);
  EXPECT_EQ(Attr(b, row.attributes, "blob")->bytes, "AP8Q");

  ASSERT_EQ(row.events.count, 2u);
  const model::Event& e0 = b.events[row.events.begin];
  EXPECT_EQ(e0.name, "retry");
  EXPECT_EQ(e0.time_unix_nano, 1700000000124000000ull);
  EXPECT_THAT(Keys(b, e0.attributes), ::testing::ElementsAre("attempt"));
  const model::Event& e1 = b.events[row.events.begin + 1];
  EXPECT_EQ(e1.name, "");
  EXPECT_THAT(Keys(b, e1.attributes), ::testing::ElementsAre("message"));

  ASSERT_EQ(row.links.count, 1u);
  const model::Link& link = b.links[row.links.begin];
  EXPECT_EQ(Hex(link.trace_id), "00000000000000000000000000000007");
  EXPECT_EQ(Hex(link.span_id), "0000000000002222");
  EXPECT_EQ(Attr(b, link.attributes, "opentracing.ref_type")->bytes, "follows_from");
}

TEST_P(ThriftDecode, BareBatchTranslatesEveryFieldAndType) {
  auto d = DecodeThriftBatch(t::EncodeBatch(FullBatch(), GetParam()), GetParam(), "tenant-a");
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectFullBatch(*d);
}

TEST_P(ThriftDecode, EmitBatchMessageTranslatesEveryFieldAndType) {
  auto d = DecodeAgentEmitBatch(t::EncodeEmitBatch(FullBatch(), GetParam()), GetParam(),
                                "tenant-a");
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectFullBatch(*d);
}

TEST_P(ThriftDecode, EmptyTenantBecomesDefault) {
  auto d = DecodeThriftBatch(t::EncodeBatch(FullBatch(), GetParam()), GetParam(), "");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->batch->tenant, model::kDefaultTenant);
}

TEST_P(ThriftDecode, ManyFieldsAndLongListsUseLongFieldHeaders) {
  t::Batch b = FullBatch();
  for (int i = 0; i < 40; ++i) b.spans[0].tags.push_back(t::LongTag("k" + std::to_string(i), i));
  b.spans[0].tags.push_back(t::LongTag("k3", 99));  // duplicate past the linear-search limit
  for (int i = 0; i < 20; ++i) {
    t::Span s = b.spans[0];
    s.span_id = 1000 + i;
    b.spans.push_back(s);
  }
  auto d = DecodeThriftBatch(t::EncodeBatch(b, GetParam()), GetParam(), "x");
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->batch->span_count(), 21u);
  model::Range attrs = d->batch->spans.attributes[20];
  EXPECT_EQ(attrs.count, 5u + 40u);
  EXPECT_EQ(Attr(*d->batch, attrs, "k3")->int_value, 99);
  EXPECT_EQ(Attr(*d->batch, attrs, "k39")->int_value, 39);
}

TEST_P(ThriftDecode, StatusFromErrorTagWinsOverOtelStatusCode) {
  t::Batch b = FullBatch();
  b.spans[0].tags = {t::BoolTag("error", true), t::StrTag("otel.status_code", "OK"),
                     t::StrTag("http.status_message", "Bad Gateway")};
  auto d = DecodeThriftBatch(t::EncodeBatch(b, GetParam()), GetParam(), "x");
  ASSERT_TRUE(d.ok()) << d.status();
  model::SpanRow row = d->batch->Row(0);
  EXPECT_EQ(row.status_code, model::kStatusError);
  EXPECT_EQ(row.status_message, "Bad Gateway");
  EXPECT_THAT(Keys(*d->batch, row.attributes), ::testing::ElementsAre("http.status_message"));
}

TEST_P(ThriftDecode, ErrorFalseAndStringErrorTagsStayAttributes) {
  t::Batch b = FullBatch();
  b.spans[0].tags = {t::BoolTag("error", false)};
  auto d = DecodeThriftBatch(t::EncodeBatch(b, GetParam()), GetParam(), "x");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->batch->Row(0).status_code, model::kStatusUnset);
  EXPECT_THAT(Keys(*d->batch, d->batch->Row(0).attributes), ::testing::ElementsAre("error"));
}

TEST_P(ThriftDecode, HttpStatusCodeFallbackDependsOnKind) {
  struct Case {
    const char* kind;
    t::Tag code;
    int32_t want;
  } cases[] = {
      {"client", t::LongTag("http.status_code", 404), model::kStatusError},
      {"server", t::LongTag("http.status_code", 404), model::kStatusUnset},
      {"server", t::StrTag("http.status_code", "503"), model::kStatusError},
      {"client", t::LongTag("http.status_code", 204), model::kStatusUnset},
  };
  for (const Case& c : cases) {
    t::Batch b = FullBatch();
    b.spans[0].tags = {t::StrTag("span.kind", c.kind), c.code};
    auto d = DecodeThriftBatch(t::EncodeBatch(b, GetParam()), GetParam(), "x");
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->batch->Row(0).status_code, c.want) << c.kind;
    EXPECT_NE(Attr(*d->batch, d->batch->Row(0).attributes, "http.status_code"), nullptr);
  }
}

TEST_P(ThriftDecode, ParentFromChildOfReferenceWhenParentSpanIdIsZero) {
  t::Batch b = FullBatch();
  b.spans[0].parent_span_id = 0;
  b.spans[0].references = {t::SpanRef{1, 5, 0, 0x3333},
                           t::SpanRef{0, b.spans[0].trace_id_low, b.spans[0].trace_id_high, 0x4444}};
  auto d = DecodeThriftBatch(t::EncodeBatch(b, GetParam()), GetParam(), "x");
  ASSERT_TRUE(d.ok()) << d.status();
  model::SpanRow row = d->batch->Row(0);
  EXPECT_EQ(Hex(row.parent_span_id), "0000000000004444");
  ASSERT_EQ(row.links.count, 1u);
  EXPECT_EQ(Hex(d->batch->links[row.links.begin].span_id), "0000000000003333");
}

TEST_P(ThriftDecode, ServiceNamePlaceholderIsNotCopied) {
  t::Batch b = FullBatch();
  b.process.service_name = "OTLPResourceNoServiceName";
  b.process.tags.clear();
  auto d = DecodeThriftBatch(t::EncodeBatch(b, GetParam()), GetParam(), "x");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->batch->resources[0].attributes.count, 0u);
}

TEST_P(ThriftDecode, ZeroIdsAreRejectedAloneAndBlankSpansSkipped) {
  t::Batch b = FullBatch();
  t::Span zero = b.spans[0];
  zero.trace_id_high = zero.trace_id_low = 0;
  b.spans.push_back(zero);
  b.spans.push_back(t::Span{});  // blank: skipped without counting
  auto d = DecodeThriftBatch(t::EncodeBatch(b, GetParam()), GetParam(), "x");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->batch->span_count(), 1u);
  EXPECT_EQ(d->rejected_spans, 1);
  EXPECT_THAT(d->rejection_message, HasSubstr("trace id is all zero"));
}

TEST_P(ThriftDecode, MissingRequiredFieldIsNamed) {
  t::Batch b = FullBatch();
  std::string bytes;
  // A tag without vType, built by hand: the writer always writes it.
  if (GetParam() == ThriftProtocol::kBinary) {
    t::BinaryWriter w;
    w.StructBegin();
    w.FieldHeader(t::kStruct, 1);
    w.FieldHeader(t::kString, 1);
    w.String("svc");
    w.FieldHeader(t::kList, 2);
    w.ListBegin(t::kStruct, 1);
    w.FieldHeader(t::kString, 1);
    w.String("key-only");
    w.StructEnd();  // tag
    w.StructEnd();  // process
    w.FieldHeader(t::kList, 2);
    w.ListBegin(t::kStruct, 0);
    w.StructEnd();
    bytes = w.out;
  } else {
    t::CompactWriter w;
    w.StructBegin();
    w.FieldHeader(t::kStruct, 1);
    w.StructBegin();
    w.FieldHeader(t::kString, 1);
    w.String("svc");
    w.FieldHeader(t::kList, 2);
    w.ListBegin(t::kStruct, 1);
    w.StructBegin();
    w.FieldHeader(t::kString, 1);
    w.String("key-only");
    w.StructEnd();
    w.StructEnd();
    w.FieldHeader(t::kList, 2);
    w.ListBegin(t::kStruct, 0);
    w.StructEnd();
    bytes = w.out;
  }
  auto d = DecodeThriftBatch(std::move(bytes), GetParam(), "x");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(Message(d.status())),
              HasSubstr("batch.process.tags[0]: required field vType is not set"));
}

TEST_P(ThriftDecode, MissingSpanFieldIsNamedWithItsIndex) {
  t::Batch b = FullBatch();
  b.spans.push_back(b.spans[0]);
  std::string bytes = t::EncodeBatch(b, GetParam());
  // Drop "spans" entirely by truncating and check the batch-level error instead.
  auto d = DecodeThriftBatch(bytes.substr(0, bytes.size() / 2), GetParam(), "x");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(Message(d.status())), HasSubstr("batch.spans["));
}

TEST_P(ThriftDecode, EveryTruncationFailsCleanly) {
  std::string bytes = t::EncodeEmitBatch(FullBatch(), GetParam());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto d = DecodeAgentEmitBatch(bytes.substr(0, n), GetParam(), "x");
    EXPECT_FALSE(d.ok()) << "prefix " << n;
  }
}

TEST_P(ThriftDecode, RejectsOtherMethodsAndInvalidUtf8) {
  auto d = DecodeAgentEmitBatch(t::EncodeEmitBatch(FullBatch(), GetParam(), "emitZipkinBatch"),
                                GetParam(), "x");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(std::string(Message(d.status())), HasSubstr("unsupported method \"emitZipkinBatch\""));

  t::Batch b = FullBatch();
  b.spans[0].operation_name = "bad \xff name";
  auto bad = DecodeThriftBatch(t::EncodeBatch(b, GetParam()), GetParam(), "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(Message(bad.status())),
              HasSubstr("batch.spans[0].operationName: invalid UTF-8"));
}

TEST_P(ThriftDecode, DeepNestingInUnknownFieldsIsBounded) {
  // An unknown field in the batch holding lists nested 1000 deep.
  t::BinaryWriter bw;
  t::CompactWriter cw;
  std::string bytes;
  if (GetParam() == ThriftProtocol::kBinary) {
    bw.FieldHeader(t::kList, 9);
    for (int i = 0; i < 1000; ++i) bw.ListBegin(t::kList, 1);
    bytes = bw.out;
  } else {
    cw.StructBegin();
    cw.FieldHeader(t::kList, 9);
    for (int i = 0; i < 1000; ++i) cw.ListBegin(t::kList, 1);
    bytes = cw.out;
  }
  auto d = DecodeThriftBatch(std::move(bytes), GetParam(), "x");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Protocols, ThriftDecode,
                         ::testing::Values(ThriftProtocol::kBinary, ThriftProtocol::kCompact),
                         [](const auto& info) {
                           return info.param == ThriftProtocol::kBinary ? "Binary" : "Compact";
                         });

namespace pb = ::jaeger::api_v2;

std::string TraceBytes(uint64_t high, uint64_t low) {
  std::string s(16, '\0');
  for (int i = 0; i < 8; ++i) {
    s[static_cast<size_t>(i)] = static_cast<char>(high >> (56 - 8 * i));
    s[static_cast<size_t>(8 + i)] = static_cast<char>(low >> (56 - 8 * i));
  }
  return s;
}
std::string SpanBytes(uint64_t v) { return TraceBytes(0, v).substr(8); }

TEST(ApiV2Decode, TranslatesTypesProcessesAndParentRule) {
  pb::PostSpansRequest req;
  pb::Batch* batch = req.mutable_batch();
  batch->mutable_process()->set_service_name("frontend");
  auto* ptag = batch->mutable_process()->add_tags();
  ptag->set_key("region");
  ptag->set_v_str("eu");

  pb::Span* a = batch->add_spans();  // batch process
  a->set_trace_id(TraceBytes(1, 2));
  a->set_span_id(SpanBytes(3));
  a->set_operation_name("a");
  a->set_flags(1);
  a->mutable_start_time()->set_seconds(1700000000);
  a->mutable_start_time()->set_nanos(5);
  a->mutable_duration()->set_nanos(1500);
  auto add_tag = [](pb::Span* s, const char* key, pb::ValueType type) {
    auto* kv = s->add_tags();
    kv->set_key(key);
    kv->set_v_type(type);
    return kv;
  };
  add_tag(a, "s", pb::STRING)->set_v_str("v");
  add_tag(a, "b", pb::BOOL)->set_v_bool(true);
  add_tag(a, "i", pb::INT64)->set_v_int64(-7);
  add_tag(a, "f", pb::FLOAT64)->set_v_float64(1.5);
  add_tag(a, "bin", pb::BINARY)->set_v_binary("hi");
  add_tag(a, "span.kind", pb::STRING)->set_v_str("client");
  // FOLLOWS_FROM only: becomes the parent and also a link (upstream quirk).
  auto* ref = a->add_references();
  ref->set_trace_id(TraceBytes(1, 2));
  ref->set_span_id(SpanBytes(9));
  ref->set_ref_type(pb::FOLLOWS_FROM);
  auto* log = a->add_logs();
  log->mutable_timestamp()->set_seconds(1700000001);
  auto* field = log->add_fields();
  field->set_key("event");
  field->set_v_str("cache miss");

  pb::Span* c = batch->add_spans();  // own process: second resource
  c->set_trace_id(TraceBytes(1, 2));
  c->set_span_id(SpanBytes(4));
  c->mutable_process()->set_service_name("backend");
  auto* cref = c->add_references();
  cref->set_trace_id(TraceBytes(1, 2));
  cref->set_span_id(SpanBytes(3));
  cref->set_ref_type(pb::CHILD_OF);

  pb::Span* d = batch->add_spans();  // same bytes as the batch process: same resource as `a`
  d->set_trace_id(TraceBytes(1, 2));
  d->set_span_id(SpanBytes(5));
  *d->mutable_process() = batch->process();

  auto decoded = DecodeApiV2PostSpans(req.SerializeAsString(), "t");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const model::SpanBatch& b = *decoded->batch;
  ASSERT_EQ(b.span_count(), 3u);
  ASSERT_EQ(b.resources.size(), 2u);
  // Grouped by resource: a, d (frontend), then c (backend).
  EXPECT_EQ(Hex(b.spans.span_id[0]), "0000000000000003");
  EXPECT_EQ(Hex(b.spans.span_id[1]), "0000000000000005");
  EXPECT_EQ(Hex(b.spans.span_id[2]), "0000000000000004");
  EXPECT_EQ(Attr(b, b.resources[0].attributes, "service.name")->bytes, "frontend");
  EXPECT_EQ(Attr(b, b.resources[0].attributes, "region")->bytes, "eu");
  EXPECT_EQ(Attr(b, b.resources[1].attributes, "service.name")->bytes, "backend");

  model::SpanRow ra = b.Row(0);
  EXPECT_EQ(Hex(ra.trace_id), "00000000000000010000000000000002");
  EXPECT_EQ(ra.start_time_unix_nano, 1700000000000000005ull);
  EXPECT_EQ(ra.end_time_unix_nano, 1700000000000001505ull);
  EXPECT_EQ(ra.kind, model::kSpanKindClient);
  EXPECT_EQ(ra.flags, 1u);
  EXPECT_EQ(Attr(b, ra.attributes, "s")->bytes, "v");
  EXPECT_TRUE(Attr(b, ra.attributes, "b")->bool_value);
  EXPECT_EQ(Attr(b, ra.attributes, "i")->int_value, -7);
  EXPECT_EQ(Attr(b, ra.attributes, "f")->double_value, 1.5);
  EXPECT_EQ(Attr(b, ra.attributes, "bin")->bytes, "aGk=");
  EXPECT_EQ(Hex(ra.parent_span_id), "0000000000000009");
  ASSERT_EQ(ra.links.count, 1u);
  EXPECT_EQ(Attr(b, b.links[ra.links.begin].attributes, "opentracing.ref_type")->bytes,
            "follows_from");
  ASSERT_EQ(ra.events.count, 1u);
  EXPECT_EQ(b.events[ra.events.begin].name, "cache miss");
  EXPECT_EQ(b.events[ra.events.begin].time_unix_nano, 1700000001000000000ull);

  model::SpanRow rc = b.Row(2);
  EXPECT_EQ(Hex(rc.parent_span_id), "0000000000000003");
  EXPECT_EQ(rc.links.count, 0u);
}

TEST(ApiV2Decode, BadIdLengthIsNamed) {
  pb::PostSpansRequest req;
  pb::Span* s = req.mutable_batch()->add_spans();
  s->set_trace_id("short");
  s->set_span_id(SpanBytes(1));
  auto d = DecodeApiV2PostSpans(req.SerializeAsString(), "t");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(std::string(Message(d.status())),
              HasSubstr("batch.spans[0].trace_id: must be 16 bytes, got 5"));
}

TEST(ApiV2Decode, EveryTruncationFailsOrDecodesWithoutCrashing) {
  pb::PostSpansRequest req;
  pb::Span* s = req.mutable_batch()->add_spans();
  s->set_trace_id(TraceBytes(1, 2));
  s->set_span_id(SpanBytes(1));
  s->set_operation_name("op");
  auto* kv = s->add_tags();
  kv->set_key("k");
  kv->set_v_str("v");
  std::string bytes = req.SerializeAsString();
  int failures = 0;
  for (size_t n = 1; n < bytes.size(); ++n) {
    if (!DecodeApiV2PostSpans(bytes.substr(0, n), "t").ok()) ++failures;
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace th::ingest::jaeger

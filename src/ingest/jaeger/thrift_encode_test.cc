// The Thrift encoder against our own decoder: a batch using every field the encoder maps goes
// through EncodeJaeger*Batches and DecodeThriftBatch / DecodeAgentEmitBatch, in both protocols,
// and must come back as the OTLP → Jaeger → OTLP rules say.
#include "ingest/jaeger/thrift_encode.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/jaeger/internal/thrift_writer_for_test.h"
#include "ingest/jaeger/jaeger_decode.h"
#include "model/ids.h"

namespace th::ingest::jaeger {
namespace {

using model::AnyValue;
using model::KeyValue;
using model::Range;
using model::SpanBatch;
using model::ValueType;
using ::testing::ElementsAre;

AnyValue Str(std::string_view s) { return AnyValue{.type = ValueType::kString, .bytes = s}; }
AnyValue Int(int64_t i) { return AnyValue{.type = ValueType::kInt, .int_value = i}; }

model::TraceId TraceIdOf(std::string_view hex) { return *model::TraceIdFromHex(hex); }
model::SpanId SpanIdOf(std::string_view hex) { return *model::SpanIdFromHex(hex); }
std::string Hex(const model::TraceId& id) { return model::ToHex(id.View()); }
std::string Hex(const model::SpanId& id) { return model::ToHex(id.View()); }

Range Append(SpanBatch* b, std::vector<KeyValue> kvs) {
  Range r{static_cast<uint32_t>(b->key_values.size()), static_cast<uint32_t>(kvs.size())};
  b->key_values.insert(b->key_values.end(), kvs.begin(), kvs.end());
  return r;
}

const AnyValue* Attr(const SpanBatch& b, Range r, std::string_view key) {
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    if (b.key_values[i].key == key) return &b.key_values[i].value;
  }
  return nullptr;
}

std::vector<std::string> Keys(const SpanBatch& b, Range r) {
  std::vector<std::string> out;
  for (uint32_t i = r.begin; i < r.end(); ++i) out.emplace_back(b.key_values[i].key);
  return out;
}

constexpr uint64_t kStart = 1700000000123456789ull;  // not a whole µs: truncated on the wire
constexpr uint64_t kStartMicros = kStart / 1000;

// Two resources (one without attributes); span 0 and 2 under the first, span 1 under the second.
SpanBatch RichBatch() {
  SpanBatch b;
  Range blob_array{0, 2};
  b.array_values = {Str("a"), Int(1)};
  Range res = Append(&b, {{"service.name", Str("checkout")},
                          {"host.name", Str("node-1")},
                          {"pid", Int(42)},
                          {"weight", AnyValue{.type = ValueType::kDouble, .double_value = 0.5}},
                          {"canary", AnyValue{.type = ValueType::kBool, .bool_value = true}}});
  b.resources.push_back(model::Resource{res, 0, "", ""});
  b.resources.push_back(model::Resource{});
  b.scopes.push_back(model::Scope{0, "io.th.loadgen", "1.0.0", {}, 0, "", ""});
  b.scopes.push_back(model::Scope{1, "", "", {}, 0, "", ""});

  const model::TraceId trace = TraceIdOf("0102030405060708f1f2f3f4f5f6f7f8");
  const model::SpanId parent = SpanIdOf("0000000000001111");

  // Span 0: every field.
  model::SpanRow a;
  a.scope = 0;
  a.trace_id = trace;
  a.span_id = SpanIdOf("8000000000000001");  // negative as a signed i64
  a.parent_span_id = parent;
  a.trace_state = "vendor=x";
  a.flags = 0x101;
  a.name = "GET /cart";
  a.kind = model::kSpanKindServer;
  a.start_time_unix_nano = kStart;
  a.end_time_unix_nano = kStart + 2'500'000'999;
  Range kvlist = Append(&b, {{"k", Str("v")}});
  a.attributes = Append(
      &b,
      {{"http.method", Str("POST")},
       {"retries", Int(3)},
       {"ratio", AnyValue{.type = ValueType::kDouble, .double_value = 0.25}},
       {"cached", AnyValue{.type = ValueType::kBool, .bool_value = true}},
       {"blob", AnyValue{.type = ValueType::kBytes, .bytes = std::string_view("\x00\xff\x10", 3)}},
       {"list", AnyValue{.type = ValueType::kArray, .range = blob_array}},
       {"map", AnyValue{.type = ValueType::kKvList, .range = kvlist}},
       {"nothing", AnyValue{}}});
  a.status_code = model::kStatusError;
  a.status_message = "boom";
  Range retry = Append(&b, {{"attempt", Int(2)}});
  Range unnamed = Append(&b, {{"message", Str("no name")}});
  Range named_by_attr = Append(&b, {{"event", Str("override")}});
  a.events = Range{static_cast<uint32_t>(b.events.size()), 3};
  b.events.push_back(model::Event{1700000000124000000ull, "retry", retry, 0});
  b.events.push_back(model::Event{1700000000125000000ull, "", unnamed, 0});
  b.events.push_back(model::Event{1700000000126000000ull, "exception", named_by_attr, 0});
  a.links = Range{static_cast<uint32_t>(b.links.size()), 3};
  model::Link other;  // FOLLOWS_FROM
  other.trace_id = TraceIdOf("00000000000000000000000000000007");
  other.span_id = SpanIdOf("0000000000002222");
  b.links.push_back(other);
  model::Link to_parent;  // merges into the parent reference
  to_parent.trace_id = trace;
  to_parent.span_id = parent;
  to_parent.attributes = Append(&b, {{"opentracing.ref_type", Str("child_of")}});
  b.links.push_back(to_parent);
  model::Link child_of;  // CHILD_OF, not the parent: a link again
  child_of.trace_id = TraceIdOf("00000000000000090000000000000009");
  child_of.span_id = SpanIdOf("0000000000003333");
  child_of.attributes = Append(&b, {{"opentracing.ref_type", Str("child_of")}});
  b.links.push_back(child_of);
  b.AppendSpan(a);

  // Span 1: a root INTERNAL span with OK status, under the attribute-less resource.
  model::SpanRow c;
  c.scope = 1;
  c.trace_id = trace;
  c.span_id = SpanIdOf("0000000000000002");
  c.name = "work";
  c.kind = model::kSpanKindInternal;
  c.status_code = model::kStatusOk;
  c.start_time_unix_nano = kStart;
  c.end_time_unix_nano = kStart;
  b.AppendSpan(c);

  // Span 2: CLIENT, unset status, nothing else.
  model::SpanRow d;
  d.scope = 0;
  d.trace_id = trace;
  d.span_id = SpanIdOf("0000000000000003");
  d.parent_span_id = SpanIdOf("8000000000000001");
  d.name = "redis GET";
  d.kind = model::kSpanKindClient;
  d.start_time_unix_nano = 1000;
  d.end_time_unix_nano = 3000;
  b.AppendSpan(d);
  return b;
}

// Checks the decoded form of RichBatch()'s first resource (spans 0 and 2).
void ExpectFirstResource(const SpanBatch& b) {
  ASSERT_EQ(b.resources.size(), 1u);
  ASSERT_EQ(b.span_count(), 2u);
  Range res = b.resources[0].attributes;
  EXPECT_THAT(Keys(b, res), ElementsAre("service.name", "host.name", "pid", "weight", "canary"));
  EXPECT_EQ(Attr(b, res, "service.name")->bytes, "checkout");
  EXPECT_EQ(Attr(b, res, "pid")->int_value, 42);
  EXPECT_EQ(Attr(b, res, "weight")->double_value, 0.5);
  EXPECT_TRUE(Attr(b, res, "canary")->bool_value);
  ASSERT_EQ(b.scopes.size(), 1u);
  EXPECT_EQ(b.scopes[0].name, "io.th.loadgen");
  EXPECT_EQ(b.scopes[0].version, "1.0.0");

  model::SpanRow row = b.Row(0);
  EXPECT_EQ(Hex(row.trace_id), "0102030405060708f1f2f3f4f5f6f7f8");
  EXPECT_EQ(Hex(row.span_id), "8000000000000001");
  EXPECT_EQ(Hex(row.parent_span_id), "0000000000001111");
  EXPECT_EQ(row.name, "GET /cart");
  EXPECT_EQ(row.flags, 1u);
  EXPECT_EQ(row.start_time_unix_nano, kStartMicros * 1000);
  EXPECT_EQ(row.end_time_unix_nano, kStartMicros * 1000 + 2'500'000'000ull);
  EXPECT_EQ(row.kind, model::kSpanKindServer);
  EXPECT_EQ(row.status_code, model::kStatusError);
  EXPECT_EQ(row.status_message, "boom");
  EXPECT_EQ(row.trace_state, "vendor=x");
  EXPECT_THAT(Keys(b, row.attributes), ElementsAre("http.method", "retries", "ratio", "cached",
                                                   "blob", "list", "map", "nothing"));
  EXPECT_EQ(Attr(b, row.attributes, "http.method")->bytes, "POST");
  EXPECT_EQ(Attr(b, row.attributes, "retries")->type, ValueType::kInt);
  EXPECT_EQ(Attr(b, row.attributes, "retries")->int_value, 3);
  EXPECT_EQ(Attr(b, row.attributes, "ratio")->type, ValueType::kDouble);
  EXPECT_EQ(Attr(b, row.attributes, "ratio")->double_value, 0.25);
  EXPECT_EQ(Attr(b, row.attributes, "cached")->type, ValueType::kBool);
  EXPECT_TRUE(Attr(b, row.attributes, "cached")->bool_value);
  EXPECT_EQ(Attr(b, row.attributes, "blob")->bytes, "AP8Q");  // BINARY → base64 string
  EXPECT_EQ(Attr(b, row.attributes, "list")->bytes, "[\"a\",1]");
  EXPECT_EQ(Attr(b, row.attributes, "map")->bytes, "{\"k\":\"v\"}");
  EXPECT_EQ(Attr(b, row.attributes, "nothing")->type, ValueType::kString);
  EXPECT_EQ(Attr(b, row.attributes, "nothing")->bytes, "");

  ASSERT_EQ(row.events.count, 3u);
  const model::Event& e0 = b.events[row.events.begin];
  EXPECT_EQ(e0.name, "retry");
  EXPECT_EQ(e0.time_unix_nano, 1700000000124000000ull);
  EXPECT_THAT(Keys(b, e0.attributes), ElementsAre("attempt"));
  EXPECT_EQ(Attr(b, e0.attributes, "attempt")->int_value, 2);
  const model::Event& e1 = b.events[row.events.begin + 1];
  EXPECT_EQ(e1.name, "");
  EXPECT_THAT(Keys(b, e1.attributes), ElementsAre("message"));
  const model::Event& e2 = b.events[row.events.begin + 2];
  EXPECT_EQ(e2.name, "override");  // an `event` attribute wins over the event's name
  EXPECT_THAT(Keys(b, e2.attributes), ElementsAre());

  ASSERT_EQ(row.links.count, 2u);
  const model::Link& l0 = b.links[row.links.begin];
  EXPECT_EQ(Hex(l0.trace_id), "00000000000000000000000000000007");
  EXPECT_EQ(Hex(l0.span_id), "0000000000002222");
  EXPECT_EQ(Attr(b, l0.attributes, "opentracing.ref_type")->bytes, "follows_from");
  const model::Link& l1 = b.links[row.links.begin + 1];
  EXPECT_EQ(Hex(l1.trace_id), "00000000000000090000000000000009");
  EXPECT_EQ(Hex(l1.span_id), "0000000000003333");
  EXPECT_EQ(Attr(b, l1.attributes, "opentracing.ref_type")->bytes, "child_of");

  model::SpanRow client = b.Row(1);
  EXPECT_EQ(Hex(client.span_id), "0000000000000003");
  EXPECT_EQ(Hex(client.parent_span_id), "8000000000000001");
  EXPECT_EQ(client.kind, model::kSpanKindClient);
  EXPECT_EQ(client.status_code, model::kStatusUnset);
  EXPECT_EQ(client.flags, 0u);
  EXPECT_EQ(client.start_time_unix_nano, 1000u);
  EXPECT_EQ(client.end_time_unix_nano, 3000u);
  EXPECT_EQ(client.attributes.count, 0u);
  EXPECT_EQ(client.events.count, 0u);
  EXPECT_EQ(client.links.count, 0u);
}

// Checks the decoded form of RichBatch()'s second resource (span 1).
void ExpectSecondResource(const SpanBatch& b) {
  ASSERT_EQ(b.resources.size(), 1u);
  ASSERT_EQ(b.span_count(), 1u);
  // serviceName OTLPResourceNoServiceName: no service.name again.
  EXPECT_EQ(b.resources[0].attributes.count, 0u);
  EXPECT_EQ(b.scopes[0].name, "");
  model::SpanRow row = b.Row(0);
  EXPECT_EQ(Hex(row.span_id), "0000000000000002");
  EXPECT_TRUE(row.parent_span_id.IsZero());
  EXPECT_EQ(row.kind, model::kSpanKindInternal);
  EXPECT_EQ(row.status_code, model::kStatusOk);
  EXPECT_EQ(row.status_message, "");
  EXPECT_EQ(row.end_time_unix_nano, row.start_time_unix_nano);
  EXPECT_EQ(row.attributes.count, 0u);
}

class ThriftEncode : public ::testing::TestWithParam<ThriftProtocol> {};

TEST_P(ThriftEncode, BatchPerResourceDecodesToTheSameSpans) {
  SpanBatch in = RichBatch();
  std::vector<EncodedThriftBatch> out = EncodeJaegerThriftBatches(in, GetParam());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_THAT(out[0].spans, ElementsAre(0u, 2u));
  EXPECT_THAT(out[1].spans, ElementsAre(1u));

  auto first = DecodeThriftBatch(std::move(out[0].bytes), GetParam(), "tenant-a");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->rejected_spans, 0);
  EXPECT_EQ(first->batch->tenant, "tenant-a");
  ExpectFirstResource(*first->batch);

  auto second = DecodeThriftBatch(std::move(out[1].bytes), GetParam(), "tenant-a");
  ASSERT_TRUE(second.ok()) << second.status();
  ExpectSecondResource(*second->batch);
}

TEST_P(ThriftEncode, EmitBatchMessagesDecodeAsAgentDatagrams) {
  SpanBatch in = RichBatch();
  std::vector<EncodedThriftBatch> out = EncodeJaegerAgentEmitBatches(in, GetParam(), 65000, 7);
  ASSERT_EQ(out.size(), 2u);
  auto first = DecodeAgentEmitBatch(std::move(out[0].bytes), GetParam(), "");
  ASSERT_TRUE(first.ok()) << first.status();
  ExpectFirstResource(*first->batch);
  auto second = DecodeAgentEmitBatch(std::move(out[1].bytes), GetParam(), "");
  ASSERT_TRUE(second.ok()) << second.status();
  ExpectSecondResource(*second->batch);
}

TEST_P(ThriftEncode, SplitsAResourceToStayUnderMaxBytes) {
  SpanBatch in;
  Range res = Append(&in, {{"service.name", Str("svc")}});
  in.resources.push_back(model::Resource{res, 0, "", ""});
  in.scopes.push_back(model::Scope{0, "", "", {}, 0, "", ""});
  const std::string padding(40, 'x');
  for (uint32_t i = 0; i < 300; ++i) {
    model::SpanRow r;
    r.trace_id = TraceIdOf("000000000000000000000000000000aa");
    r.span_id.bytes[7] = static_cast<uint8_t>(i + 1);
    r.span_id.bytes[6] = static_cast<uint8_t>((i + 1) >> 8);
    r.name = padding;
    r.start_time_unix_nano = 1000;
    r.end_time_unix_nano = 2000;
    in.AppendSpan(r);
  }
  constexpr size_t kMax = 4000;
  std::vector<EncodedThriftBatch> out = EncodeJaegerAgentEmitBatches(in, GetParam(), kMax);
  ASSERT_GT(out.size(), 1u);
  uint32_t next = 0;
  for (EncodedThriftBatch& e : out) {
    EXPECT_LE(e.bytes.size(), kMax);
    auto d = DecodeAgentEmitBatch(std::move(e.bytes), GetParam(), "");
    ASSERT_TRUE(d.ok()) << d.status();
    ASSERT_EQ(d->batch->span_count(), e.spans.size());
    for (size_t k = 0; k < e.spans.size(); ++k) {
      EXPECT_EQ(e.spans[k], next);
      EXPECT_EQ(d->batch->spans.span_id[k], in.spans.span_id[next]);
      ++next;
    }
  }
  EXPECT_EQ(next, 300u);
}

// The test-only writer was written from the Thrift specs independently of both codecs.
TEST_P(ThriftEncode, MatchesTheIndependentTestWriterByteForByte) {
  SpanBatch in;
  Range res = Append(&in, {{"service.name", Str("svc")}, {"pid", Int(7)}});
  in.resources.push_back(model::Resource{res, 0, "", ""});
  in.scopes.push_back(model::Scope{0, "", "", {}, 0, "", ""});
  model::SpanRow r;
  r.trace_id = TraceIdOf("0102030405060708f1f2f3f4f5f6f7f8");
  r.span_id = SpanIdOf("00000000000000aa");
  r.parent_span_id = SpanIdOf("00000000000000bb");
  r.name = "op";
  r.flags = 1;
  r.kind = model::kSpanKindClient;
  r.start_time_unix_nano = 5'000'000;
  r.end_time_unix_nano = 7'000'000;
  r.attributes = Append(&in, {{"k", Str("v")}, {"n", Int(-3)}});
  Range fields = Append(&in, {{"x", Int(1)}});
  r.events = Range{0, 1};
  in.events.push_back(model::Event{6'000'000, "ev", fields, 0});
  in.AppendSpan(r);

  namespace t = testing;
  t::Batch want;
  want.process = {"svc", {t::LongTag("pid", 7)}};
  t::Span s;
  s.trace_id_high = 0x0102030405060708;
  s.trace_id_low = static_cast<int64_t>(0xf1f2f3f4f5f6f7f8ull);
  s.span_id = 0xaa;
  s.parent_span_id = 0xbb;
  s.operation_name = "op";
  s.references = {t::SpanRef{0, s.trace_id_low, s.trace_id_high, 0xbb}};
  s.flags = 1;
  s.start_time = 5000;
  s.duration = 2000;
  s.tags = {t::StrTag("k", "v"), t::LongTag("n", -3), t::StrTag("span.kind", "client")};
  s.logs = {t::Log{6000, {t::StrTag("event", "ev"), t::LongTag("x", 1)}}};
  want.spans = {s};

  std::vector<EncodedThriftBatch> bare = EncodeJaegerThriftBatches(in, GetParam());
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].bytes, t::EncodeBatch(want, GetParam()));
  std::vector<EncodedThriftBatch> emit = EncodeJaegerAgentEmitBatches(in, GetParam(), 0);
  ASSERT_EQ(emit.size(), 1u);
  EXPECT_EQ(emit[0].bytes, t::EncodeEmitBatch(want, GetParam()));
}

TEST_P(ThriftEncode, EmptyBatchEncodesToNothing) {
  EXPECT_TRUE(EncodeJaegerThriftBatches(SpanBatch(), GetParam()).empty());
}

INSTANTIATE_TEST_SUITE_P(Protocols, ThriftEncode,
                         ::testing::Values(ThriftProtocol::kBinary, ThriftProtocol::kCompact),
                         [](const auto& info) {
                           return info.param == ThriftProtocol::kBinary ? "Binary" : "Compact";
                         });

}  // namespace
}  // namespace th::ingest::jaeger

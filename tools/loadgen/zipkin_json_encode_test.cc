// The Zipkin v2 JSON encoder against our zipkin receiver's decoder: what loadgen sends must come
// back as the OTLP → Zipkin → OTLP rules say (all attributes become strings, unless the receiver
// parses string tags).
#include "tools/loadgen/zipkin_json_encode.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingest/zipkin/zipkin_decode.h"
#include "model/ids.h"
#include "tools/loadgen/trace_generator.h"

namespace th::tools {
namespace {

using model::AnyValue;
using model::KeyValue;
using model::Range;
using model::SpanBatch;
using model::ValueType;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

AnyValue Str(std::string_view s) { return AnyValue{.type = ValueType::kString, .bytes = s}; }
AnyValue Int(int64_t i) { return AnyValue{.type = ValueType::kInt, .int_value = i}; }
std::string Hex(std::string_view bytes) { return model::ToHex(bytes); }

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

std::string StrAttr(const SpanBatch& b, Range r, std::string_view key) {
  const AnyValue* v = Attr(b, r, key);
  if (v == nullptr) return "<absent>";
  if (v->type != ValueType::kString) return "<not a string>";
  return std::string(v->bytes);
}

std::vector<std::string> Keys(const SpanBatch& b, Range r) {
  std::vector<std::string> out;
  for (uint32_t i = r.begin; i < r.end(); ++i) out.emplace_back(b.key_values[i].key);
  return out;
}

// The decoded span with span id `hex`, or -1.
int Find(const SpanBatch& b, std::string_view hex) {
  for (uint32_t i = 0; i < b.span_count(); ++i) {
    if (Hex(b.spans.span_id[i].View()) == hex) return static_cast<int>(i);
  }
  return -1;
}

constexpr uint64_t kStart = 1700000000123456789ull;

SpanBatch RichBatch() {
  SpanBatch b;
  b.array_values = {Str("a"), Int(1)};
  Range res = Append(&b, {{"service.name", Str("checkout")},
                          {"host.name", Str("node-1")},
                          {"service.version", Str("1.2.3")},
                          {"team", Str("core")}});  // not a resource key: ends up on the span
  b.resources.push_back(model::Resource{res, 0, "", ""});
  b.resources.push_back(model::Resource{});
  b.scopes.push_back(model::Scope{0, "io.th.loadgen", "1.0.0", {}, 0, "", ""});
  b.scopes.push_back(model::Scope{1, "", "", {}, 0, "", ""});

  model::SpanRow a;
  a.scope = 0;
  a.trace_id = *model::TraceIdFromHex("0102030405060708f1f2f3f4f5f6f7f8");
  a.span_id = *model::SpanIdFromHex("8000000000000001");
  a.parent_span_id = *model::SpanIdFromHex("0000000000001111");
  a.trace_state = "vendor=x";
  a.name = "GET /cart";
  a.kind = model::kSpanKindServer;
  a.start_time_unix_nano = kStart;
  a.end_time_unix_nano = kStart + 2'500'000'999;
  Range kvlist = Append(&b, {{"k", Str("v \"quoted\"")}});
  a.attributes = Append(
      &b,
      {{"http.method", Str("POST")},
       {"retries", Int(3)},
       {"ratio", AnyValue{.type = ValueType::kDouble, .double_value = 0.25}},
       {"cached", AnyValue{.type = ValueType::kBool, .bool_value = true}},
       {"blob", AnyValue{.type = ValueType::kBytes, .bytes = std::string_view("\x00\xff\x10", 3)}},
       {"list", AnyValue{.type = ValueType::kArray, .range = Range{0, 2}}},
       {"map", AnyValue{.type = ValueType::kKvList, .range = kvlist}},
       {"nothing", AnyValue{}},
       {"host.name", Str("span-host")}});  // a resource key on the span: resource copy skipped
  a.status_code = model::kStatusError;
  a.status_message = "boom";
  Range retry = Append(&b, {{"attempt", Int(2)}});
  Range unnamed = Append(&b, {{"message", Str("no | name")}});
  a.events = Range{static_cast<uint32_t>(b.events.size()), 3};
  b.events.push_back(model::Event{1700000000124000000ull, "retry", retry, 0});
  b.events.push_back(model::Event{1700000000125000000ull, "", unnamed, 1});
  b.events.push_back(model::Event{1700000000126000999ull, "cache.lookup", {}, 0});
  a.links = Range{static_cast<uint32_t>(b.links.size()), 2};
  model::Link l0;
  l0.trace_id = *model::TraceIdFromHex("00000000000000000000000000000007");
  l0.span_id = *model::SpanIdFromHex("0000000000002222");
  l0.trace_state = "k=v";
  l0.attributes = Append(&b, {{"opentracing.ref_type", Str("follows_from")}, {"n", Int(5)}});
  l0.dropped_attributes_count = 3;
  b.links.push_back(l0);
  model::Link l1;
  l1.trace_id = *model::TraceIdFromHex("00000000000000090000000000000009");
  l1.span_id = *model::SpanIdFromHex("0000000000003333");
  b.links.push_back(l1);
  b.AppendSpan(a);

  model::SpanRow c;  // INTERNAL root, OK, no service
  c.scope = 1;
  c.trace_id = a.trace_id;
  c.span_id = *model::SpanIdFromHex("0000000000000002");
  c.name = "work";
  c.kind = model::kSpanKindInternal;
  c.status_code = model::kStatusOk;
  c.start_time_unix_nano = kStart;
  c.end_time_unix_nano = kStart + 10;  // under 1 µs: still lasts 1 µs
  b.AppendSpan(c);
  return b;
}

std::unique_ptr<SpanBatch> Decode(const std::string& body, bool parse_string_tags = false) {
  ingest::zipkin::DecodeOptions options;
  options.parse_string_tags = parse_string_tags;
  auto r = ingest::zipkin::DecodeZipkinJson(body, "acme", options);
  EXPECT_TRUE(r.ok()) << r.status() << "\n" << body;
  return r.ok() ? std::move(r).value() : std::make_unique<SpanBatch>();
}

TEST(ZipkinJsonEncode, DecodesBackToTheSameSpans) {
  SpanBatch in = RichBatch();
  std::string body;
  EncodeZipkinJson(in, &body);
  std::unique_ptr<SpanBatch> out = Decode(body);
  const SpanBatch& b = *out;
  ASSERT_EQ(b.span_count(), 2u);
  EXPECT_EQ(b.tenant, "acme");

  int ia = Find(b, "8000000000000001");
  ASSERT_GE(ia, 0);
  model::SpanRow a = b.Row(static_cast<uint32_t>(ia));
  const model::Scope& scope = b.scopes[a.scope];
  EXPECT_EQ(scope.name, "io.th.loadgen");
  EXPECT_EQ(scope.version, "1.0.0");
  Range res = b.resources[scope.resource].attributes;
  // host.name is a resource key: the receiver moves the group's first span's value (here the
  // span attribute, which won over the resource's) onto the resource.
  EXPECT_THAT(Keys(b, res), UnorderedElementsAre("service.name", "host.name", "service.version"));
  EXPECT_EQ(StrAttr(b, res, "host.name"), "span-host");
  EXPECT_EQ(StrAttr(b, res, "service.name"), "checkout");
  EXPECT_EQ(StrAttr(b, res, "service.version"), "1.2.3");
  EXPECT_EQ(Hex(a.trace_id.View()), "0102030405060708f1f2f3f4f5f6f7f8");
  EXPECT_EQ(Hex(a.parent_span_id.View()), "0000000000001111");
  EXPECT_EQ(a.name, "GET /cart");
  EXPECT_EQ(a.kind, model::kSpanKindServer);
  EXPECT_EQ(a.start_time_unix_nano, kStart / 1000 * 1000);
  EXPECT_EQ(a.end_time_unix_nano, kStart / 1000 * 1000 + 2'500'000'000ull);
  EXPECT_EQ(a.status_code, model::kStatusError);
  EXPECT_EQ(a.status_message, "boom");
  EXPECT_EQ(a.trace_state, "vendor=x");
  EXPECT_THAT(Keys(b, a.attributes), ElementsAre("team", "http.method", "retries", "ratio",
                                                 "cached", "blob", "list", "map", "nothing"));
  EXPECT_EQ(StrAttr(b, a.attributes, "team"), "core");
  EXPECT_EQ(StrAttr(b, a.attributes, "http.method"), "POST");
  EXPECT_EQ(StrAttr(b, a.attributes, "retries"), "3");
  EXPECT_EQ(StrAttr(b, a.attributes, "ratio"), "0.25");
  EXPECT_EQ(StrAttr(b, a.attributes, "cached"), "true");
  EXPECT_EQ(StrAttr(b, a.attributes, "blob"), "AP8Q");
  EXPECT_EQ(StrAttr(b, a.attributes, "list"), "[\"a\",1]");
  EXPECT_EQ(StrAttr(b, a.attributes, "map"), "{\"k\":\"v \\\"quoted\\\"\"}");
  EXPECT_EQ(StrAttr(b, a.attributes, "nothing"), "");
  EXPECT_EQ(Attr(b, a.attributes, "host.name"), nullptr);

  ASSERT_EQ(a.events.count, 3u);
  const model::Event& e0 = b.events[a.events.begin];
  EXPECT_EQ(e0.name, "retry");
  EXPECT_EQ(e0.time_unix_nano, 1700000000124000000ull);
  ASSERT_THAT(Keys(b, e0.attributes), ElementsAre("attempt"));
  EXPECT_EQ(Attr(b, e0.attributes, "attempt")->int_value, 2);
  const model::Event& e1 = b.events[a.events.begin + 1];
  EXPECT_EQ(e1.name, "");
  EXPECT_EQ(e1.dropped_attributes_count, 1u);
  EXPECT_EQ(StrAttr(b, e1.attributes, "message"), "no | name");
  const model::Event& e2 = b.events[a.events.begin + 2];
  EXPECT_EQ(e2.name, "cache.lookup");
  EXPECT_EQ(e2.time_unix_nano, 1700000000126000000ull);
  EXPECT_EQ(e2.attributes.count, 0u);

  ASSERT_EQ(a.links.count, 2u);
  const model::Link& l0 = b.links[a.links.begin];
  EXPECT_EQ(Hex(l0.trace_id.View()), "00000000000000000000000000000007");
  EXPECT_EQ(Hex(l0.span_id.View()), "0000000000002222");
  EXPECT_EQ(l0.trace_state, "k=v");
  EXPECT_EQ(l0.dropped_attributes_count, 3u);
  EXPECT_EQ(StrAttr(b, l0.attributes, "opentracing.ref_type"), "follows_from");
  EXPECT_EQ(Attr(b, l0.attributes, "n")->int_value, 5);
  const model::Link& l1 = b.links[a.links.begin + 1];
  EXPECT_EQ(Hex(l1.span_id.View()), "0000000000003333");
  EXPECT_EQ(l1.attributes.count, 0u);

  int ic = Find(b, "0000000000000002");
  ASSERT_GE(ic, 0);
  model::SpanRow c = b.Row(static_cast<uint32_t>(ic));
  EXPECT_EQ(b.resources[b.scopes[c.scope].resource].attributes.count, 0u);  // no service name
  EXPECT_EQ(b.scopes[c.scope].name, "");
  EXPECT_TRUE(c.parent_span_id.IsZero());
  EXPECT_EQ(c.kind, model::kSpanKindInternal);
  EXPECT_EQ(c.status_code, model::kStatusOk);
  EXPECT_EQ(c.end_time_unix_nano - c.start_time_unix_nano, 1000u);
  EXPECT_EQ(c.attributes.count, 0u);
}

TEST(ZipkinJsonEncode, StringTagsParseBackToTypesWhenTheReceiverAsks) {
  SpanBatch in = RichBatch();
  std::string body;
  EncodeZipkinJson(in, &body);
  std::unique_ptr<SpanBatch> out = Decode(body, /*parse_string_tags=*/true);
  int ia = Find(*out, "8000000000000001");
  ASSERT_GE(ia, 0);
  Range attrs = out->spans.attributes[static_cast<size_t>(ia)];
  EXPECT_EQ(Attr(*out, attrs, "retries")->type, ValueType::kInt);
  EXPECT_EQ(Attr(*out, attrs, "retries")->int_value, 3);
  EXPECT_EQ(Attr(*out, attrs, "ratio")->type, ValueType::kDouble);
  EXPECT_EQ(Attr(*out, attrs, "cached")->type, ValueType::kBool);
}

TEST(ZipkinJsonEncode, GeneratedBatchesDecodeWithEverySpan) {
  for (auto profile : {TraceGenerator::Profile::kDefault, TraceGenerator::Profile::kWide}) {
    TraceGenerator generator(42, {.profile = profile});
    auto batch = generator.NextBatch(500, 1700000000000000000ull);
    std::string body;
    EncodeZipkinJson(*batch, &body);
    std::unique_ptr<SpanBatch> out = Decode(body);
    EXPECT_EQ(out->span_count(), batch->span_count()) << TraceProfileName(profile);
  }
}

TEST(ZipkinJsonEncode, EmptyBatchIsAnEmptyArray) {
  std::string body;
  EncodeZipkinJson(SpanBatch(), &body);
  EXPECT_EQ(body, "[]");
}

}  // namespace
}  // namespace th::tools

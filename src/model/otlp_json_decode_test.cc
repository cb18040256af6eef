#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/ids.h"
#include "model/otlp_decode.h"
#include "model/span_batch.h"

namespace th::model {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Decodes `json` for tenant "tenant-a" into `var` (a DecodedTraces), failing the test if it errs.
#define ASSERT_DECODES(var, json)                               \
  auto var##_result = DecodeOtlpTracesJson((json), "tenant-a"); \
  ASSERT_TRUE(var##_result.ok()) << var##_result.status();      \
  DecodedTraces var = std::move(var##_result).value()

constexpr std::string_view kTraceHex = "5b8efff798038103d269b633813fc60c";
constexpr std::string_view kSpanHex = "eee19b7ec3c1b174";
constexpr std::string_view kParentHex = "eee19b7ec3c1b173";

TraceId T(std::string_view hex) { return *TraceIdFromHex(hex); }
SpanId S(std::string_view hex) { return *SpanIdFromHex(hex); }

// Wraps span objects into a request with one resource and one scope.
std::string Request(std::string_view spans) {
  return std::string(R"({"resourceSpans":[{"scopeSpans":[{"spans":[)") + std::string(spans) +
         "]}]}]}";
}

// A span with valid ids plus the given extra members (without a leading comma).
std::string Span(std::string_view extra = "") {
  std::string s = R"({"traceId":")" + std::string(kTraceHex) + R"(","spanId":")" +
                  std::string(kSpanHex) + R"(")";
  if (!extra.empty()) s += "," + std::string(extra);
  return s + "}";
}

// A request whose first span carries one attribute with the given AnyValue JSON.
std::string WithValue(std::string_view value) {
  return Request(Span(R"("attributes":[{"key":"k","value":)" + std::string(value) + "}]"));
}

std::string ErrorOf(std::string_view json) {
  auto result = DecodeOtlpTracesJson(json, "tenant-a");
  if (result.ok()) return "decoded without error";
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << result.status();
  return std::string(result.status().message());
}

// Every message field set, keys in lowerCamelCase.
constexpr std::string_view kFullRequest = R"({
  "resourceSpans": [{
    "resource": {
      "attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}],
      "droppedAttributesCount": 1
    },
    "schemaUrl": "https://opentelemetry.io/schemas/1.21.0",
    "scopeSpans": [{
      "scope": {
        "name": "io.opentelemetry.http",
        "version": "1.2.3",
        "attributes": [{"key": "scope.attr", "value": {"boolValue": true}}],
        "droppedAttributesCount": 2
      },
      "schemaUrl": "https://opentelemetry.io/schemas/1.20.0",
      "spans": [{
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "EEE19B7EC3C1B174",
        "traceState": "vendor=value",
        "parentSpanId": "eee19b7ec3c1b173",
        "flags": 257,
        "name": "GET /cart",
        "kind": 2,
        "startTimeUnixNano": "1544712660000000000",
        "endTimeUnixNano": 1544712661000000000,
        "attributes": [
          {"key": "http.method", "value": {"stringValue": "GET"}},
          {"key": "http.status_code", "value": {"intValue": "200"}},
          {"key": "ratio", "value": {"doubleValue": 0.25}},
          {"key": "payload", "value": {"bytesValue": "AAEC/w=="}}
        ],
        "droppedAttributesCount": 3,
        "events": [{
          "timeUnixNano": "1544712660500000000",
          "name": "cache miss",
          "attributes": [{"key": "cache.key", "value": {"stringValue": "cart-7"}}],
          "droppedAttributesCount": 4
        }],
        "droppedEventsCount": 5,
        "links": [{
          "traceId": "0af7651916cd43dd8448eb211c80319c",
          "spanId": "b7ad6b7169203331",
          "traceState": "other=1",
          "attributes": [{"key": "link.kind", "value": {"stringValue": "follows"}}],
          "droppedAttributesCount": 6,
          "flags": 1
        }],
        "droppedLinksCount": 7,
        "status": {"message": "card declined", "code": 2}
      }]
    }]
  }]
})";

// Rewrites every object key from lowerCamelCase to snake_case (a quoted token followed by ':').
std::string SnakeCaseKeys(std::string_view json) {
  std::string out;
  size_t i = 0;
  while (i < json.size()) {
    if (json[i] != '"') {
      out += json[i++];
      continue;
    }
    size_t close = json.find('"', i + 1);
    std::string_view token = json.substr(i + 1, close - i - 1);
    size_t next = json.find_first_not_of(" \n", close + 1);
    bool is_key = next != std::string_view::npos && json[next] == ':';
    out += '"';
    for (char c : token) {
      if (is_key && std::isupper(static_cast<unsigned char>(c))) {
        out += '_';
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else {
        out += c;
      }
    }
    out += '"';
    i = close + 1;
  }
  return out;
}

const KeyValue& Attr(const SpanBatch& b, Range r, uint32_t i) {
  return b.key_values.at(r.begin + i);
}

void ExpectFullRequest(const DecodedTraces& d) {
  const SpanBatch& b = *d.batch;
  EXPECT_EQ(d.rejected_spans, 0);
  EXPECT_EQ(d.rejection_message, "");
  EXPECT_EQ(b.tenant, "tenant-a");

  ASSERT_EQ(b.resources.size(), 1u);
  const Resource& res = b.resources[0];
  ASSERT_EQ(res.attributes.count, 1u);
  EXPECT_EQ(Attr(b, res.attributes, 0).key, "service.name");
  EXPECT_EQ(Attr(b, res.attributes, 0).value.type, ValueType::kString);
  EXPECT_EQ(Attr(b, res.attributes, 0).value.bytes, "checkout");
  EXPECT_EQ(res.dropped_attributes_count, 1u);
  EXPECT_EQ(res.schema_url, "https://opentelemetry.io/schemas/1.21.0");

  ASSERT_EQ(b.scopes.size(), 1u);
  const Scope& scope = b.scopes[0];
  EXPECT_EQ(scope.resource, 0u);
  EXPECT_EQ(scope.name, "io.opentelemetry.http");
  EXPECT_EQ(scope.version, "1.2.3");
  ASSERT_EQ(scope.attributes.count, 1u);
  EXPECT_EQ(Attr(b, scope.attributes, 0).key, "scope.attr");
  EXPECT_EQ(Attr(b, scope.attributes, 0).value.type, ValueType::kBool);
  EXPECT_TRUE(Attr(b, scope.attributes, 0).value.bool_value);
  EXPECT_EQ(scope.dropped_attributes_count, 2u);
  EXPECT_EQ(scope.schema_url, "https://opentelemetry.io/schemas/1.20.0");

  ASSERT_EQ(b.span_count(), 1u);
  SpanRow s = b.Row(0);
  EXPECT_EQ(s.scope, 0u);
  EXPECT_EQ(s.trace_id, T(kTraceHex));
  EXPECT_EQ(s.span_id, S(kSpanHex));
  EXPECT_EQ(s.parent_span_id, S(kParentHex));
  EXPECT_EQ(s.trace_state, "vendor=value");
  EXPECT_EQ(s.flags, 257u);
  EXPECT_EQ(s.name, "GET /cart");
  EXPECT_EQ(s.kind, kSpanKindServer);
  EXPECT_EQ(s.start_time_unix_nano, 1544712660000000000u);
  EXPECT_EQ(s.end_time_unix_nano, 1544712661000000000u);
  ASSERT_EQ(s.attributes.count, 4u);
  EXPECT_EQ(Attr(b, s.attributes, 0).key, "http.method");
  EXPECT_EQ(Attr(b, s.attributes, 0).value.bytes, "GET");
  EXPECT_EQ(Attr(b, s.attributes, 1).key, "http.status_code");
  EXPECT_EQ(Attr(b, s.attributes, 1).value.type, ValueType::kInt);
  EXPECT_EQ(Attr(b, s.attributes, 1).value.int_value, 200);
  EXPECT_EQ(Attr(b, s.attributes, 2).value.type, ValueType::kDouble);
  EXPECT_EQ(Attr(b, s.attributes, 2).value.double_value, 0.25);
  EXPECT_EQ(Attr(b, s.attributes, 3).value.type, ValueType::kBytes);
  EXPECT_EQ(Attr(b, s.attributes, 3).value.bytes, std::string_view("\x00\x01\x02\xff", 4));
  EXPECT_EQ(s.dropped_attributes_count, 3u);

  ASSERT_EQ(s.events.count, 1u);
  const Event& event = b.events.at(s.events.begin);
  EXPECT_EQ(event.time_unix_nano, 1544712660500000000u);
  EXPECT_EQ(event.name, "cache miss");
  ASSERT_EQ(event.attributes.count, 1u);
  EXPECT_EQ(Attr(b, event.attributes, 0).key, "cache.key");
  EXPECT_EQ(Attr(b, event.attributes, 0).value.bytes, "cart-7");
  EXPECT_EQ(event.dropped_attributes_count, 4u);
  EXPECT_EQ(s.dropped_events_count, 5u);

  ASSERT_EQ(s.links.count, 1u);
  const Link& link = b.links.at(s.links.begin);
  EXPECT_EQ(link.trace_id, T("0af7651916cd43dd8448eb211c80319c"));
  EXPECT_EQ(link.span_id, S("b7ad6b7169203331"));
  EXPECT_EQ(link.trace_state, "other=1");
  ASSERT_EQ(link.attributes.count, 1u);
  EXPECT_EQ(Attr(b, link.attributes, 0).key, "link.kind");
  EXPECT_EQ(Attr(b, link.attributes, 0).value.bytes, "follows");
  EXPECT_EQ(link.dropped_attributes_count, 6u);
  EXPECT_EQ(link.flags, 1u);
  EXPECT_EQ(s.dropped_links_count, 7u);

  EXPECT_EQ(s.status_message, "card declined");
  EXPECT_EQ(s.status_code, kStatusError);
}

TEST(OtlpJsonDecode, DecodesEveryFieldFromCamelCaseKeys) {
  ASSERT_DECODES(d, kFullRequest);
  ExpectFullRequest(d);
}

TEST(OtlpJsonDecode, AcceptsSnakeCaseProtoFieldNames) {
  std::string snake = SnakeCaseKeys(kFullRequest);
  ASSERT_THAT(snake, HasSubstr("\"resource_spans\""));
  ASSERT_THAT(snake, HasSubstr("\"dropped_attributes_count\""));
  ASSERT_THAT(snake, HasSubstr("\"start_time_unix_nano\""));
  ASSERT_THAT(snake, HasSubstr("\"string_value\""));
  ASSERT_DECODES(d, snake);
  ExpectFullRequest(d);
}

TEST(OtlpJsonDecode, StringsSurviveTheBody) {
  std::string body(kFullRequest);
  ASSERT_DECODES(d, body);
  std::fill(body.begin(), body.end(), 'x');
  ExpectFullRequest(d);
}

TEST(OtlpJsonDecode, HexIdsAreCaseInsensitive) {
  ASSERT_DECODES(d, Request(R"({"traceId":"5b8EFFF798038103d269B633813FC60c",)"
                            R"("spanId":"EEE19b7ec3c1B174","parentSpanId":"EEE19B7EC3C1B173"})"));
  ASSERT_EQ(d.batch->span_count(), 1u);
  EXPECT_EQ(d.batch->spans.trace_id[0], T(kTraceHex));
  EXPECT_EQ(d.batch->spans.span_id[0], S(kSpanHex));
  EXPECT_EQ(d.batch->spans.parent_span_id[0], S(kParentHex));
}

TEST(OtlpJsonDecode, MissingOrEmptyParentMeansRoot) {
  ASSERT_DECODES(d, Request(Span() + "," + Span(R"("parentSpanId":"")")));
  ASSERT_EQ(d.batch->span_count(), 2u);
  EXPECT_TRUE(d.batch->spans.parent_span_id[0].IsZero());
  EXPECT_TRUE(d.batch->spans.parent_span_id[1].IsZero());
}

TEST(OtlpJsonDecode, EnumsByIntegerOrName) {
  ASSERT_DECODES(
      d, Request(Span(R"("kind":"SPAN_KIND_CLIENT","status":{"code":"STATUS_CODE_OK"})") + "," +
                 Span(R"("kind":5,"status":{"code":1})") + "," +
                 Span(R"("kind":"SPAN_KIND_INTERNAL","status":{"code":"STATUS_CODE_ERROR"})") +
                 "," + Span(R"("kind":9)")));
  const SpanColumns& s = d.batch->spans;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s.kind[0], kSpanKindClient);
  EXPECT_EQ(s.status_code[0], kStatusOk);
  EXPECT_EQ(s.kind[1], kSpanKindConsumer);
  EXPECT_EQ(s.status_code[1], kStatusOk);
  EXPECT_EQ(s.kind[2], kSpanKindInternal);
  EXPECT_EQ(s.status_code[2], kStatusError);
  // Values newer than this code are kept as received.
  EXPECT_EQ(s.kind[3], 9);
  EXPECT_EQ(s.status_code[3], kStatusUnset);
}

TEST(OtlpJsonDecode, SixtyFourBitIntegersAsStringsOrNumbers) {
  ASSERT_DECODES(
      d, Request(Span(R"("startTimeUnixNano":"18446744073709551615","endTimeUnixNano":1e9,)"
                      R"("attributes":[{"key":"a","value":{"intValue":"-9223372036854775808"}},)"
                      R"({"key":"b","value":{"intValue":9223372036854775807}},)"
                      R"({"key":"c","value":{"intValue":-5}},)"
                      R"({"key":"d","value":{"intValue":"42"}}],)"
                      R"("droppedAttributesCount":"4294967295","flags":"3")")));
  const SpanBatch& b = *d.batch;
  SpanRow s = b.Row(0);
  EXPECT_EQ(s.start_time_unix_nano, UINT64_MAX);
  EXPECT_EQ(s.end_time_unix_nano, 1000000000u);
  EXPECT_EQ(Attr(b, s.attributes, 0).value.int_value, INT64_MIN);
  EXPECT_EQ(Attr(b, s.attributes, 1).value.int_value, INT64_MAX);
  EXPECT_EQ(Attr(b, s.attributes, 2).value.int_value, -5);
  EXPECT_EQ(Attr(b, s.attributes, 3).value.int_value, 42);
  EXPECT_EQ(s.dropped_attributes_count, UINT32_MAX);
  EXPECT_EQ(s.flags, 3u);
}

TEST(OtlpJsonDecode, DoublesAsNumbersOrProto3Strings) {
  ASSERT_DECODES(d, Request(Span(R"("attributes":[)"
                                 R"({"key":"a","value":{"doubleValue":"NaN"}},)"
                                 R"({"key":"b","value":{"doubleValue":"Infinity"}},)"
                                 R"({"key":"c","value":{"doubleValue":"-Infinity"}},)"
                                 R"({"key":"d","value":{"doubleValue":"1.5"}},)"
                                 R"({"key":"e","value":{"doubleValue":3}},)"
                                 R"({"key":"f","value":{"doubleValue":-2.5e-3}}])")));
  const SpanBatch& b = *d.batch;
  Range r = b.spans.attributes[0];
  ASSERT_EQ(r.count, 6u);
  for (uint32_t i = 0; i < r.count; ++i) EXPECT_EQ(Attr(b, r, i).value.type, ValueType::kDouble);
  EXPECT_TRUE(std::isnan(Attr(b, r, 0).value.double_value));
  EXPECT_EQ(Attr(b, r, 1).value.double_value, INFINITY);
  EXPECT_EQ(Attr(b, r, 2).value.double_value, -INFINITY);
  EXPECT_EQ(Attr(b, r, 3).value.double_value, 1.5);
  EXPECT_EQ(Attr(b, r, 4).value.double_value, 3.0);
  EXPECT_EQ(Attr(b, r, 5).value.double_value, -2.5e-3);
}

TEST(OtlpJsonDecode, NestedValuesKeepEachSliceContiguous) {
  // attributes: [ outer: [ "s", {inner: [true, 7], x: {}}, 1.5 ], after: "z" ]
  ASSERT_DECODES(
      d,
      Request(Span(
          R"("attributes":[{"key":"outer","value":{"arrayValue":{"values":[)"
          R"({"stringValue":"s"},)"
          R"({"kvlistValue":{"values":[)"
          R"({"key":"inner","value":{"arrayValue":{"values":[{"boolValue":true},{"intValue":7}]}}},)"
          R"({"key":"x","value":{}}]}},)"
          R"({"doubleValue":1.5}]}}},)"
          R"({"key":"after","value":{"stringValue":"z"}}])")));
  const SpanBatch& b = *d.batch;
  Range attrs = b.spans.attributes[0];
  ASSERT_EQ(attrs.count, 2u);
  EXPECT_EQ(Attr(b, attrs, 0).key, "outer");
  EXPECT_EQ(Attr(b, attrs, 1).key, "after");
  EXPECT_EQ(Attr(b, attrs, 1).value.bytes, "z");

  const AnyValue& outer = Attr(b, attrs, 0).value;
  ASSERT_EQ(outer.type, ValueType::kArray);
  ASSERT_EQ(outer.range.count, 3u);
  const AnyValue& e0 = b.array_values.at(outer.range.begin);
  const AnyValue& e1 = b.array_values.at(outer.range.begin + 1);
  const AnyValue& e2 = b.array_values.at(outer.range.begin + 2);
  EXPECT_EQ(e0.type, ValueType::kString);
  EXPECT_EQ(e0.bytes, "s");
  EXPECT_EQ(e2.type, ValueType::kDouble);
  EXPECT_EQ(e2.double_value, 1.5);

  ASSERT_EQ(e1.type, ValueType::kKvList);
  ASSERT_EQ(e1.range.count, 2u);
  EXPECT_EQ(Attr(b, e1.range, 0).key, "inner");
  EXPECT_EQ(Attr(b, e1.range, 1).key, "x");
  EXPECT_EQ(Attr(b, e1.range, 1).value.type, ValueType::kEmpty);
  const AnyValue& inner = Attr(b, e1.range, 0).value;
  ASSERT_EQ(inner.type, ValueType::kArray);
  ASSERT_EQ(inner.range.count, 2u);
  EXPECT_EQ(b.array_values.at(inner.range.begin).type, ValueType::kBool);
  EXPECT_TRUE(b.array_values.at(inner.range.begin).bool_value);
  EXPECT_EQ(b.array_values.at(inner.range.begin + 1).int_value, 7);

  // Every slot is used exactly once: 2 span attributes + 2 kvlist entries; 3 + 2 elements.
  EXPECT_EQ(b.key_values.size(), 4u);
  EXPECT_EQ(b.array_values.size(), 5u);
}

TEST(OtlpJsonDecode, EmptyValuesAndEmptyContainers) {
  ASSERT_DECODES(d, Request(Span(R"("attributes":[{"key":"a","value":{}},{"key":"b"},)"
                                 R"({"key":"c","value":{"arrayValue":{}}},)"
                                 R"({"key":"d","value":{"kvlistValue":{"values":[]}}},)"
                                 R"({"key":"e","value":{"stringValue":""}},)"
                                 R"({"key":"f","value":{"stringValue":null}}])")));
  const SpanBatch& b = *d.batch;
  Range r = b.spans.attributes[0];
  ASSERT_EQ(r.count, 6u);
  EXPECT_EQ(Attr(b, r, 0).value.type, ValueType::kEmpty);
  EXPECT_EQ(Attr(b, r, 1).value.type, ValueType::kEmpty);
  EXPECT_EQ(Attr(b, r, 2).value.type, ValueType::kArray);
  EXPECT_EQ(Attr(b, r, 2).value.range.count, 0u);
  EXPECT_EQ(Attr(b, r, 3).value.type, ValueType::kKvList);
  EXPECT_EQ(Attr(b, r, 3).value.range.count, 0u);
  EXPECT_EQ(Attr(b, r, 4).value.type, ValueType::kString);
  EXPECT_EQ(Attr(b, r, 4).value.bytes, "");
  // proto3 JSON: null means "not set".
  EXPECT_EQ(Attr(b, r, 5).value.type, ValueType::kEmpty);
}

TEST(OtlpJsonDecode, BytesInStandardOrUrlSafeBase64) {
  ASSERT_DECODES(d, Request(Span(R"("attributes":[{"key":"std","value":{"bytesValue":"+/8="}},)"
                                 R"({"key":"url","value":{"bytesValue":"-_8"}},)"
                                 R"({"key":"empty","value":{"bytesValue":""}}])")));
  const SpanBatch& b = *d.batch;
  Range r = b.spans.attributes[0];
  EXPECT_EQ(Attr(b, r, 0).value.type, ValueType::kBytes);
  EXPECT_EQ(Attr(b, r, 0).value.bytes, "\xfb\xff");
  EXPECT_EQ(Attr(b, r, 1).value.bytes, "\xfb\xff");
  EXPECT_EQ(Attr(b, r, 2).value.type, ValueType::kBytes);
  EXPECT_EQ(Attr(b, r, 2).value.bytes, "");
}

TEST(OtlpJsonDecode, ResourcesAndScopesAreIndexedInOrder) {
  ASSERT_DECODES(d, R"({"resourceSpans":[)"
                    R"({"scopeSpans":[{"scope":{"name":"a"},"spans":[)" +
                        Span() +
                        R"(]},{"scope":{"name":"b"}}]},)"
                        R"({"schemaUrl":"r1","scopeSpans":[{"scope":{"name":"c"},"spans":[)" +
                        Span() + "," + Span() + R"(]}]}]})");
  const SpanBatch& b = *d.batch;
  ASSERT_EQ(b.resources.size(), 2u);
  EXPECT_EQ(b.resources[1].schema_url, "r1");
  ASSERT_EQ(b.scopes.size(), 3u);
  EXPECT_EQ(b.scopes[0].resource, 0u);
  EXPECT_EQ(b.scopes[1].resource, 0u);
  EXPECT_EQ(b.scopes[2].resource, 1u);
  EXPECT_EQ(b.scopes[2].name, "c");
  ASSERT_EQ(b.span_count(), 3u);
  EXPECT_EQ(b.spans.scope[0], 0u);
  EXPECT_EQ(b.spans.scope[1], 2u);
  EXPECT_EQ(b.spans.scope[2], 2u);
}

TEST(OtlpJsonDecode, IgnoresUnknownFieldsAtEveryLevel) {
  ASSERT_DECODES(
      d, R"({"future":{"a":[1,2]},"resourceSpans":[{"x":1,"resource":{"entityRefs":[{}]},)"
         R"("scopeSpans":[{"y":[],"scope":{"z":null},"spans":[)" +
             Span(R"("newField":{"deep":[{}]},"status":{"deprecatedCode":1},)"
                  R"("attributes":[{"key":"k","extra":true,"value":{"stringValue":"v","w":2}}])") +
             "]}]}]}");
  ASSERT_EQ(d.batch->span_count(), 1u);
  EXPECT_EQ(d.batch->key_values.at(d.batch->spans.attributes[0].begin).value.bytes, "v");
}

TEST(OtlpJsonDecode, EmptyRequestsDecodeToEmptyBatches) {
  for (std::string_view json :
       {R"({})", R"({"resourceSpans":[]})", R"({"resourceSpans":null})",
        R"({"resourceSpans":[{}]})", R"({"resourceSpans":[{"scopeSpans":[{}]}]})"}) {
    ASSERT_DECODES(d, json);
    EXPECT_EQ(d.batch->span_count(), 0u) << json;
    EXPECT_EQ(d.batch->tenant, "tenant-a");
  }
}

TEST(OtlpJsonDecode, DropsSpansWithBadIdsAndKeepsTheRest) {
  const std::string good1 =
      Span(R"("name":"good1","attributes":[{"key":"g","value":{"intValue":1}}])");
  const std::string good2 = Span(R"("name":"good2")");
  std::string spans = good1;
  spans += R"(,{"traceId":"5b8e","spanId":"eee19b7ec3c1b174","name":"short trace",)"
           R"("attributes":[{"key":"bad","value":{"arrayValue":{"values":[{"intValue":1}]}}}]})";
  spans += "," + Span(R"("name":"bad parent","parentSpanId":"xyz")");
  spans += R"(,{"traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b174"})";
  spans += R"(,{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000000"})";
  spans += R"(,{"traceId":"5b8efff798038103d269b633813fc60c"})";
  spans += R"(,{"traceId":"5b8efff798038103d269b633813fc60g","spanId":"eee19b7ec3c1b174"})";
  spans += "," + Span(R"("links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad"}],)"
                      R"("events":[{"name":"e"}])");
  spans += "," + good2;
  ASSERT_DECODES(d, Request(spans));
  const SpanBatch& b = *d.batch;
  EXPECT_EQ(d.rejected_spans, 7);
  EXPECT_EQ(d.rejection_message,
            "resourceSpans[0].scopeSpans[0].spans[1].traceId: must be 32 hex digits");
  ASSERT_EQ(b.span_count(), 2u);
  EXPECT_EQ(b.spans.name[0], "good1");
  EXPECT_EQ(b.spans.name[1], "good2");
  // What rejected spans had put in the pools is given back.
  EXPECT_EQ(b.key_values.size(), 1u);
  EXPECT_EQ(b.array_values.size(), 0u);
  EXPECT_EQ(b.events.size(), 0u);
  EXPECT_EQ(b.links.size(), 0u);
  EXPECT_EQ(b.key_values.at(b.spans.attributes[0].begin).key, "g");
}

TEST(OtlpJsonDecode, RejectionMessagesNameTheField) {
  auto first_reason = [](const std::string& span) {
    auto result = DecodeOtlpTracesJson(Request(span), "t");
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->rejection_message : "";
  };
  const std::string prefix = "resourceSpans[0].scopeSpans[0].spans[0].";
  EXPECT_EQ(first_reason(Span(R"("parentSpanId":"abc")")),
            prefix + "parentSpanId: must be empty or 16 hex digits");
  EXPECT_EQ(first_reason(R"({"traceId":"5b8efff798038103d269b633813fc60c","spanId":""})"),
            prefix + "spanId: must be 16 hex digits");
  EXPECT_EQ(
      first_reason(R"({"traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b174"})"),
      prefix + "traceId: must not be all zero");
  EXPECT_EQ(first_reason(Span(
                R"("links":[{},{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"x"}])")),
            prefix + "links[0].traceId: must be 32 hex digits");
  EXPECT_EQ(first_reason(
                Span(R"("links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"x"}])")),
            prefix + "links[0].spanId: must be 16 hex digits");
}

TEST(OtlpJsonDecode, SyntaxErrorsFailWithSimdjsonMessage) {
  for (std::string_view json : {"", "{", R"({"resourceSpans":[})", "not json", "{}{}",
                                R"({"resourceSpans":[],})", "\xff\xfe"}) {
    std::string message = ErrorOf(json);
    EXPECT_THAT(message, StartsWith("request: invalid json: ")) << json;
  }
}

TEST(OtlpJsonDecode, TopLevelMustBeAnObject) {
  EXPECT_EQ(ErrorOf("[]"), "request: expected an object");
  EXPECT_EQ(ErrorOf("null"), "request: expected an object");
  EXPECT_EQ(ErrorOf(R"({"resourceSpans":{}})"), "resourceSpans: expected an array");
  EXPECT_EQ(ErrorOf(R"({"resourceSpans":[1]})"), "resourceSpans[0]: expected an object");
}

TEST(OtlpJsonDecode, WrongTypesNameTheFieldPath) {
  const std::string span = "resourceSpans[0].scopeSpans[0].spans[0].";
  EXPECT_EQ(ErrorOf(Request(Span(R"("startTimeUnixNano":true)"))),
            span + "startTimeUnixNano: expected an integer or a decimal string");
  EXPECT_EQ(ErrorOf(Request(Span(R"("endTimeUnixNano":"12x")"))),
            span + "endTimeUnixNano: expected an integer or a decimal string");
  EXPECT_EQ(ErrorOf(Request(Span(R"("startTimeUnixNano":1.5)"))),
            span + "startTimeUnixNano: expected an integer or a decimal string");
  EXPECT_EQ(ErrorOf(Request(Span(R"("name":5)"))), span + "name: expected a string");
  EXPECT_EQ(ErrorOf(Request(Span(R"("traceState":[])"))), span + "traceState: expected a string");
  EXPECT_EQ(ErrorOf(Request(R"({"traceId":12,"spanId":"eee19b7ec3c1b174"})")),
            span + "traceId: expected a hex string");
  EXPECT_EQ(ErrorOf(Request(Span(R"("attributes":{})"))), span + "attributes: expected an array");
  EXPECT_EQ(ErrorOf(Request(Span(R"("attributes":["k"])"))),
            span + "attributes[0]: expected an object");
  EXPECT_EQ(ErrorOf(Request(Span(R"("events":[{"timeUnixNano":[]}])"))),
            span + "events[0].timeUnixNano: expected an integer or a decimal string");
  EXPECT_EQ(ErrorOf(Request(Span(R"("status":{"message":false})"))),
            span + "status.message: expected a string");
  EXPECT_EQ(ErrorOf(Request(Span(R"("kind":true)"))),
            span + "kind: expected an enum value name or an integer");
  EXPECT_EQ(ErrorOf(WithValue(R"({"boolValue":"true"})")),
            span + "attributes[0].value.boolValue: expected true or false");
  EXPECT_EQ(ErrorOf(WithValue(R"({"intValue":1.5})")),
            span + "attributes[0].value.intValue: expected an integer or a decimal string");
  EXPECT_EQ(ErrorOf(WithValue(R"({"doubleValue":"inf"})")),
            span + "attributes[0].value.doubleValue: expected a number or a numeric string");
  EXPECT_EQ(ErrorOf(WithValue(R"({"arrayValue":{"values":[{"stringValue":1}]}})")),
            span + "attributes[0].value.arrayValue.values[0].stringValue: expected a string");
  EXPECT_EQ(
      ErrorOf(WithValue(R"({"kvlistValue":{"values":[{"key":"a","value":{"intValue":{}}}]}})")),
      span +
          "attributes[0].value.kvlistValue.values[0].value.intValue: "
          "expected an integer or a decimal string");
  EXPECT_EQ(ErrorOf(R"({"resourceSpans":[{"resource":{"droppedAttributesCount":"x"}}]})"),
            "resourceSpans[0].resource.droppedAttributesCount: "
            "expected an integer or a decimal string");
  EXPECT_EQ(ErrorOf(R"({"resourceSpans":[{"scopeSpans":[{"scope":{"version":1}}]}]})"),
            "resourceSpans[0].scopeSpans[0].scope.version: expected a string");
}

TEST(OtlpJsonDecode, NumbersOutOfRangeAreErrors) {
  const std::string span = "resourceSpans[0].scopeSpans[0].spans[0].";
  EXPECT_EQ(ErrorOf(Request(Span(R"("droppedAttributesCount":4294967296)"))),
            span + "droppedAttributesCount: out of range");
  EXPECT_EQ(ErrorOf(Request(Span(R"("flags":-1)"))), span + "flags: out of range");
  EXPECT_EQ(ErrorOf(Request(Span(R"("startTimeUnixNano":-1)"))),
            span + "startTimeUnixNano: out of range");
  EXPECT_EQ(ErrorOf(Request(Span(R"("startTimeUnixNano":"18446744073709551616")"))),
            span + "startTimeUnixNano: out of range");
  EXPECT_EQ(ErrorOf(Request(Span(R"("kind":2147483648)"))), span + "kind: out of range");
  EXPECT_EQ(ErrorOf(WithValue(R"({"intValue":"9223372036854775808"})")),
            span + "attributes[0].value.intValue: out of range");
  EXPECT_EQ(ErrorOf(WithValue(R"({"intValue":9223372036854775808})")),
            span + "attributes[0].value.intValue: out of range");
  EXPECT_EQ(ErrorOf(WithValue(R"({"doubleValue":"1e999"})")),
            span + "attributes[0].value.doubleValue: out of range");
}

TEST(OtlpJsonDecode, UnknownEnumNameIsAnError) {
  const std::string span = "resourceSpans[0].scopeSpans[0].spans[0].";
  EXPECT_EQ(ErrorOf(Request(Span(R"("kind":"SPAN_KIND_BOGUS")"))),
            span + "kind: unknown enum value name \"SPAN_KIND_BOGUS\"");
  EXPECT_EQ(ErrorOf(Request(Span(R"("status":{"code":"ERROR"})"))),
            span + "status.code: unknown enum value name \"ERROR\"");
  EXPECT_EQ(ErrorOf(Request(Span(R"("kind":"2")"))), span + "kind: unknown enum value name \"2\"");
}

TEST(OtlpJsonDecode, InvalidBase64IsAnError) {
  EXPECT_EQ(ErrorOf(WithValue(R"({"bytesValue":"not*base64"})")),
            "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.bytesValue: "
            "invalid base64");
  EXPECT_EQ(ErrorOf(WithValue(R"({"bytesValue":7})")),
            "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.bytesValue: "
            "expected a base64 string");
}

std::string NestedArrays(int levels) {
  std::string v = R"({"intValue":1})";
  for (int i = 1; i < levels; ++i) v = R"({"arrayValue":{"values":[)" + v + "]}}";
  return v;
}

TEST(OtlpJsonDecode, BoundsValueNesting) {
  ASSERT_DECODES(d, WithValue(NestedArrays(64)));
  EXPECT_EQ(d.batch->array_values.size(), 63u);
  std::string message = ErrorOf(WithValue(NestedArrays(65)));
  EXPECT_THAT(message, StartsWith("resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value."
                                  "arrayValue.values[0]."));
  EXPECT_THAT(message, HasSubstr(": values nested more than 64 deep"));
  // Deeper than simdjson's own limit is a syntax-level error, not a crash.
  EXPECT_THAT(ErrorOf(WithValue(NestedArrays(2000))), StartsWith("request: invalid json: "));
}

TEST(OtlpJsonDecode, MoreThanOneValueSetIsAnError) {
  EXPECT_THAT(ErrorOf(WithValue(R"({"stringValue":"a","intValue":1})")),
              StartsWith("resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value: "
                         "more than one of"));
}

TEST(OtlpJsonDecode, FieldSetTwiceIsAnError) {
  EXPECT_EQ(ErrorOf(Request(Span(R"("name":"a","name":"b")"))),
            "resourceSpans[0].scopeSpans[0].spans[0].name: set more than once");
  EXPECT_EQ(ErrorOf(Request(Span(R"("startTimeUnixNano":1,"start_time_unix_nano":2)"))),
            "resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: set more than once");
}

}  // namespace
}  // namespace th::model

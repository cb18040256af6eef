// The Zipkin v2 decoders, field by field, against the Collector's zipkinv2 translation rules;
// JSON and protobuf must agree on the same spans, and bad input must fail naming what is wrong.
#include "ingest/zipkin/zipkin_decode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/ids.h"
#include "zipkin/zipkin.pb.h"

namespace zpb = ::zipkin::proto3;

namespace th::ingest::zipkin {
namespace {

using ::testing::HasSubstr;
using model::SpanBatch;
using model::ValueType;

std::unique_ptr<SpanBatch> Json(std::string_view body, bool parse_string_tags = false) {
  DecodeOptions options;
  options.parse_string_tags = parse_string_tags;
  auto r = DecodeZipkinJson(body, "acme", options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::move(r).value() : std::make_unique<SpanBatch>();
}

Status JsonError(std::string_view body) {
  auto r = DecodeZipkinJson(body, "acme", {});
  return r.ok() ? absl::OkStatus() : r.status();
}

std::unique_ptr<SpanBatch> Proto(const zpb::ListOfSpans& list) {
  auto r = DecodeZipkinProto(list.SerializeAsString(), "acme", {});
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::move(r).value() : std::make_unique<SpanBatch>();
}

Status ProtoError(std::string body) {
  auto r = DecodeZipkinProto(std::move(body), "acme", {});
  return r.ok() ? absl::OkStatus() : r.status();
}

std::string Hex(std::string_view bytes) { return model::ToHex(bytes); }

std::string Render(const SpanBatch& b, const model::AnyValue& v) {
  switch (v.type) {
    case ValueType::kString:
      return "\"" + std::string(v.bytes) + "\"";
    case ValueType::kBool:
      return v.bool_value ? "true" : "false";
    case ValueType::kInt:
      return std::to_string(v.int_value);
    case ValueType::kDouble:
      return "d" + std::to_string(v.double_value);
    default:
      (void)b;
      return "?";
  }
}

std::string Attrs(const SpanBatch& b, model::Range r) {
  std::string out = "{";
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    if (i != r.begin) out += ", ";
    out += std::string(b.key_values[i].key) + "=" + Render(b, b.key_values[i].value);
  }
  return out + "}";
}

// Span i's attributes without the absent-timestamp marker most test spans carry.
std::string SpanAttrs(const SpanBatch& b, uint32_t i) {
  std::string all = Attrs(b, b.spans.attributes[i]);
  for (std::string_view marker : {", otel.zipkin.absentField.startTime=true",
                                  "otel.zipkin.absentField.startTime=true"}) {
    size_t at = all.find(marker);
    if (at != std::string::npos) all.erase(at, marker.size());
  }
  return all;
}

// The attribute `key` of span `i`, rendered; nullopt when absent.
std::optional<std::string> SpanAttr(const SpanBatch& b, uint32_t i, std::string_view key) {
  model::Range r = b.spans.attributes[i];
  for (uint32_t k = r.begin; k < r.end(); ++k) {
    if (b.key_values[k].key == key) return Render(b, b.key_values[k].value);
  }
  return std::nullopt;
}

// A canonical text of everything a batch holds, for comparing decoders.
std::string Dump(const SpanBatch& b) {
  std::string out = "tenant=" + b.tenant + "\n";
  for (size_t r = 0; r < b.resources.size(); ++r) {
    out += "resource " + std::to_string(r) + " " + Attrs(b, b.resources[r].attributes) + "\n";
  }
  for (const model::Scope& s : b.scopes) {
    out += "scope r" + std::to_string(s.resource) + " " + std::string(s.name) + "@" +
           std::string(s.version) + "\n";
  }
  const model::SpanColumns& s = b.spans;
  for (uint32_t i = 0; i < s.size(); ++i) {
    out += "span scope=" + std::to_string(s.scope[i]) + " trace=" + Hex(s.trace_id[i].View()) +
           " id=" + Hex(s.span_id[i].View()) + " parent=" + Hex(s.parent_span_id[i].View()) +
           " name=" + std::string(s.name[i]) + " kind=" + std::to_string(s.kind[i]) +
           " start=" + std::to_string(s.start_time_unix_nano[i]) +
           " end=" + std::to_string(s.end_time_unix_nano[i]) +
           " state=" + std::string(s.trace_state[i]) +
           " status=" + std::to_string(s.status_code[i]) + ":" + std::string(s.status_message[i]) +
           " attrs=" + Attrs(b, s.attributes[i]) + "\n";
    for (uint32_t e = s.events[i].begin; e < s.events[i].end(); ++e) {
      const model::Event& ev = b.events[e];
      out += "  event " + std::to_string(ev.time_unix_nano) + " " + std::string(ev.name) + " " +
             Attrs(b, ev.attributes) + " dropped=" + std::to_string(ev.dropped_attributes_count) +
             "\n";
    }
    for (uint32_t l = s.links[i].begin; l < s.links[i].end(); ++l) {
      const model::Link& link = b.links[l];
      out += "  link " + Hex(link.trace_id.View()) + " " + Hex(link.span_id.View()) + " " +
             std::string(link.trace_state) + " " + Attrs(b, link.attributes) +
             " dropped=" + std::to_string(link.dropped_attributes_count) + "\n";
    }
  }
  return out;
}

constexpr std::string_view kFullSpanJson = R"([{
  "traceId": "5af7183fb1d4cf5f6b4c2d1e0f9a8b7c",
  "id": "352bff9a74ca9ad2",
  "parentId": "6b221d5bc9e6496c",
  "name": "get /api",
  "kind": "SERVER",
  "timestamp": 1556604172355737,
  "duration": 1431,
  "debug": true,
  "shared": true,
  "localEndpoint": {"serviceName": "backend", "ipv4": "192.168.99.1", "port": 3306},
  "remoteEndpoint": {"serviceName": "frontend", "ipv6": "2001:db8::c001", "port": 61279},
  "annotations": [{"timestamp": 1556604172355800, "value": "wire send"}],
  "tags": {"http.method": "GET", "http.path": "/api", "w3c.tracestate": "k=v",
           "otel.status_code": "ERROR", "otel.status_description": "boom"}
}])";

TEST(ZipkinJson, TranslatesEveryFieldOfAFullSpan) {
  auto b = Json(kFullSpanJson);
  ASSERT_EQ(b->span_count(), 1u);
  EXPECT_EQ(b->tenant, "acme");
  ASSERT_EQ(b->resources.size(), 1u);
  EXPECT_EQ(Attrs(*b, b->resources[0].attributes), "{service.name=\"backend\"}");
  ASSERT_EQ(b->scopes.size(), 1u);
  EXPECT_EQ(b->scopes[0].name, "");
  const model::SpanColumns& s = b->spans;
  EXPECT_EQ(Hex(s.trace_id[0].View()), "5af7183fb1d4cf5f6b4c2d1e0f9a8b7c");
  EXPECT_EQ(Hex(s.span_id[0].View()), "352bff9a74ca9ad2");
  EXPECT_EQ(Hex(s.parent_span_id[0].View()), "6b221d5bc9e6496c");
  EXPECT_EQ(s.name[0], "get /api");
  EXPECT_EQ(s.kind[0], model::kSpanKindServer);
  EXPECT_EQ(s.start_time_unix_nano[0], 1556604172355737000u);
  EXPECT_EQ(s.end_time_unix_nano[0], 1556604172355737000u + 1431000u);
  EXPECT_EQ(s.trace_state[0], "k=v");
  EXPECT_EQ(s.status_code[0], model::kStatusError);
  EXPECT_EQ(s.status_message[0], "boom");
  EXPECT_EQ(Attrs(*b, s.attributes[0]),
            "{http.method=\"GET\", http.path=\"/api\", network.local.address=\"192.168.99.1\", "
            "net.host.port=3306, peer.service=\"frontend\", "
            "network.peer.address=\"2001:db8::c001\", net.peer.port=61279}");
  ASSERT_EQ(s.events[0].count, 1u);
  const model::Event& e = b->events[s.events[0].begin];
  EXPECT_EQ(e.time_unix_nano, 1556604172355800000u);
  EXPECT_EQ(e.name, "wire send");
  EXPECT_EQ(e.attributes.count, 0u);
  EXPECT_EQ(s.links[0].count, 0u);
}

TEST(ZipkinJson, SixtyFourBitTraceIdIsLeftPaddedAndShortIdsToo) {
  auto b = Json(R"([{"traceId": "6b221d5bc9e6496c", "id": "abc"}])");
  ASSERT_EQ(b->span_count(), 1u);
  EXPECT_EQ(Hex(b->spans.trace_id[0].View()), "00000000000000006b221d5bc9e6496c");
  EXPECT_EQ(Hex(b->spans.span_id[0].View()), "0000000000000abc");
  EXPECT_TRUE(b->spans.parent_span_id[0].IsZero());
}

TEST(ZipkinJson, UpperCaseHexAndCaseInsensitiveKeysAreAccepted) {
  auto b = Json(R"([{"TraceID": "ABCDEF0123456789", "ID": "00000000000000FF", "NAME": "x"}])");
  ASSERT_EQ(b->span_count(), 1u);
  EXPECT_EQ(Hex(b->spans.trace_id[0].View()), "0000000000000000abcdef0123456789");
  EXPECT_EQ(Hex(b->spans.span_id[0].View()), "00000000000000ff");
  EXPECT_EQ(b->spans.name[0], "x");
}

TEST(ZipkinJson, ParentIdEqualToIdOrZeroMeansRoot) {
  auto b = Json(R"([{"traceId": "1", "id": "2", "parentId": "2"},
                    {"traceId": "1", "id": "3", "parentId": "0000000000000000"},
                    {"traceId": "1", "id": "4", "parentId": ""}])");
  ASSERT_EQ(b->span_count(), 3u);
  for (uint32_t i = 0; i < 3; ++i) EXPECT_TRUE(b->spans.parent_span_id[i].IsZero()) << i;
}

TEST(ZipkinJson, KindsMapAndSpanKindTagOnlyCountsWithoutKind) {
  auto b = Json(R"([
    {"traceId": "1", "id": "1", "kind": "CLIENT"},
    {"traceId": "1", "id": "2", "kind": "SERVER", "tags": {"span.kind": "internal"}},
    {"traceId": "1", "id": "3", "kind": "PRODUCER"},
    {"traceId": "1", "id": "4", "kind": "CONSUMER"},
    {"traceId": "1", "id": "5", "tags": {"span.kind": "internal"}},
    {"traceId": "1", "id": "6", "kind": "client", "tags": {"span.kind": "server"}},
    {"traceId": "1", "id": "7"}])");
  ASSERT_EQ(b->span_count(), 7u);
  const auto& k = b->spans.kind;
  EXPECT_EQ(k[0], model::kSpanKindClient);
  EXPECT_EQ(k[1], model::kSpanKindServer);
  EXPECT_EQ(SpanAttr(*b, 1, "span.kind"), "\"internal\"");  // kept: the kind was set
  EXPECT_EQ(k[2], model::kSpanKindProducer);
  EXPECT_EQ(k[3], model::kSpanKindConsumer);
  EXPECT_EQ(k[4], model::kSpanKindInternal);
  EXPECT_EQ(SpanAttr(*b, 4, "span.kind"), std::nullopt);
  EXPECT_EQ(k[5], model::kSpanKindUnspecified);  // kinds are case-sensitive, as in zipkin-go
  EXPECT_EQ(SpanAttr(*b, 5, "span.kind"), std::nullopt);  // consumed all the same
  EXPECT_EQ(k[6], model::kSpanKindUnspecified);
}

TEST(ZipkinJson, SpansAreGroupedByServiceThenLibrary) {
  auto b = Json(R"([
    {"traceId": "1", "id": "1", "localEndpoint": {"serviceName": "b"}},
    {"traceId": "1", "id": "2", "localEndpoint": {"serviceName": "a"}},
    {"traceId": "1", "id": "3", "localEndpoint": {"serviceName": "b"},
     "tags": {"otel.library.name": "lib", "otel.library.version": "1.2"}},
    {"traceId": "1", "id": "4"},
    {"traceId": "1", "id": "5", "localEndpoint": {"serviceName": "b"}}])");
  ASSERT_EQ(b->span_count(), 5u);
  // Sorted by service name; the no-service group's name sorts first ('O' < 'a').
  ASSERT_EQ(b->resources.size(), 3u);
  EXPECT_EQ(Attrs(*b, b->resources[0].attributes), "{}");
  EXPECT_EQ(Attrs(*b, b->resources[1].attributes), "{service.name=\"a\"}");
  EXPECT_EQ(Attrs(*b, b->resources[2].attributes), "{service.name=\"b\"}");
  ASSERT_EQ(b->scopes.size(), 4u);
  EXPECT_EQ(b->scopes[2].resource, 2u);
  EXPECT_EQ(b->scopes[2].name, "");
  EXPECT_EQ(b->scopes[3].resource, 2u);
  EXPECT_EQ(b->scopes[3].name, "lib");
  EXPECT_EQ(b->scopes[3].version, "1.2");
  std::vector<std::string> order;
  for (uint32_t i = 0; i < 5; ++i) {
    order.push_back(Hex(b->spans.span_id[i].View()).substr(15) + "@" +
                    std::to_string(b->spans.scope[i]));
  }
  // Stable within a group: 1 before 5.
  EXPECT_THAT(order, ::testing::ElementsAre("4@0", "2@1", "1@2", "5@2", "3@3"));
  EXPECT_EQ(SpanAttr(*b, 4, "otel.library.name"), std::nullopt);
}

TEST(ZipkinJson, ScopeTagsWinOverLibraryTags) {
  auto b = Json(R"([{"traceId": "1", "id": "1", "tags": {
      "otel.scope.name": "io.opentelemetry.jdbc", "otel.scope.version": "2.0",
      "otel.library.name": "old", "otel.library.version": "0.1"}}])");
  ASSERT_EQ(b->scopes.size(), 1u);
  EXPECT_EQ(b->scopes[0].name, "io.opentelemetry.jdbc");
  EXPECT_EQ(b->scopes[0].version, "2.0");
  EXPECT_EQ(SpanAttrs(*b, 0), "{}");
}

TEST(ZipkinJson, ResourceTagsMoveFromTheGroupsFirstSpanAndAreDroppedFromOthers) {
  auto b = Json(R"([
    {"traceId": "1", "id": "1", "localEndpoint": {"serviceName": "svc"},
     "tags": {"host.name": "h1", "k8s.pod.name": "p", "process.pid": "42", "user": "u1"}},
    {"traceId": "1", "id": "2", "localEndpoint": {"serviceName": "svc"},
     "tags": {"host.name": "h2", "user": "u2"}}])");
  ASSERT_EQ(b->resources.size(), 1u);
  EXPECT_EQ(Attrs(*b, b->resources[0].attributes),
            "{service.name=\"svc\", host.name=\"h1\", k8s.pod.name=\"p\", process.pid=\"42\"}");
  EXPECT_EQ(SpanAttrs(*b, 0), "{user=\"u1\"}");
  EXPECT_EQ(SpanAttrs(*b, 1), "{user=\"u2\"}");
}

TEST(ZipkinJson, ServiceNameSourceTagRedirectsTheServiceName) {
  auto b = Json(R"([{"traceId": "1", "id": "1", "localEndpoint": {"serviceName": "svc"},
                     "tags": {"otlp.service.name.source": "faas.name"}}])");
  EXPECT_EQ(Attrs(*b, b->resources[0].attributes), "{faas.name=\"svc\"}");
  EXPECT_EQ(SpanAttrs(*b, 0), "{}");
}

TEST(ZipkinJson, ResourceTagsOfSpansWithoutServiceAreDropped) {
  auto b = Json(R"([{"traceId": "1", "id": "1", "tags": {"host.name": "h", "a": "b"}}])");
  EXPECT_EQ(Attrs(*b, b->resources[0].attributes), "{}");
  EXPECT_EQ(SpanAttrs(*b, 0), "{a=\"b\"}");
}

TEST(ZipkinJson, StatusFromOtelStatusCodeAndErrorTags) {
  auto b = Json(R"([
    {"traceId": "1", "id": "1", "tags": {"otel.status_code": "STATUS_CODE_OK"}},
    {"traceId": "1", "id": "2", "tags": {"otel.status_code": "Ok"}},
    {"traceId": "1", "id": "3", "tags": {"otel.status_code": "Error", "otel.status_description": "d"}},
    {"traceId": "1", "id": "4", "tags": {"otel.status_code": "bogus"}},
    {"traceId": "1", "id": "5", "tags": {"otel.status_description": "kept"}},
    {"traceId": "1", "id": "6", "tags": {"error": "true"}},
    {"traceId": "1", "id": "7", "tags": {"error": "connection refused"}},
    {"traceId": "1", "id": "8", "tags": {"otel.status_code": "OK", "error": "true"}}])");
  ASSERT_EQ(b->span_count(), 8u);
  const auto& code = b->spans.status_code;
  EXPECT_EQ(code[0], model::kStatusOk);
  EXPECT_EQ(code[1], model::kStatusOk);
  EXPECT_EQ(code[2], model::kStatusError);
  EXPECT_EQ(b->spans.status_message[2], "d");
  EXPECT_EQ(code[3], model::kStatusUnset);
  EXPECT_EQ(SpanAttr(*b, 3, "otel.status_code"), std::nullopt);  // always consumed
  EXPECT_EQ(code[4], model::kStatusUnset);
  EXPECT_EQ(SpanAttr(*b, 4, "otel.status_description"), "\"kept\"");
  EXPECT_EQ(code[5], model::kStatusError);
  EXPECT_EQ(SpanAttr(*b, 5, "error"), std::nullopt);
  EXPECT_EQ(code[6], model::kStatusError);
  EXPECT_EQ(SpanAttr(*b, 6, "error"), "\"connection refused\"");
  EXPECT_EQ(code[7], model::kStatusError);  // error wins over otel.status_code
}

TEST(ZipkinJson, LinkTagsBecomeLinksUntilOneIsMissing) {
  auto b = Json(R"([{"traceId": "1", "id": "1", "tags": {
    "otlp.link.0": "0102030405060708090a0b0c0d0e0f10|1112131415161718|a=b|{\"n\":3,\"s\":\"x|y\",\"f\":1.5,\"t\":true,\"o\":{}}|2",
    "otlp.link.1": "too|few|parts",
    "otlp.link.3": "not reached"}}])");
  ASSERT_EQ(b->span_count(), 1u);
  ASSERT_EQ(b->spans.links[0].count, 1u);
  const model::Link& l = b->links[b->spans.links[0].begin];
  EXPECT_EQ(Hex(l.trace_id.View()), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(Hex(l.span_id.View()), "1112131415161718");
  EXPECT_EQ(l.trace_state, "a=b");
  EXPECT_EQ(Attrs(*b, l.attributes), "{f=d1.500000, n=3, s=\"x|y\", t=true}");
  EXPECT_EQ(l.dropped_attributes_count, 2u);
  EXPECT_EQ(SpanAttrs(*b, 0), "{otlp.link.3=\"not reached\"}");
}

TEST(ZipkinJson, MalformedLinkFailsTheRequest) {
  Status s = JsonError(
      R"([{"traceId": "1", "id": "1"}, {"traceId": "1", "id": "2", "tags": {"otlp.link.0": "zz|1112131415161718||{}|0"}}])");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(Message(s)), HasSubstr("span 1: tag otlp.link.0: trace id"));
  s = JsonError(
      R"([{"traceId": "1", "id": "2", "tags": {"otlp.link.0": "||ts|[1]|0"}}])");
  EXPECT_THAT(std::string(Message(s)), HasSubstr("attributes: not a JSON object"));
  s = JsonError(R"([{"traceId": "1", "id": "2", "tags": {"otlp.link.0": "||ts|{}|x"}}])");
  EXPECT_THAT(std::string(Message(s)), HasSubstr("dropped attributes count"));
}

TEST(ZipkinJson, AnnotationsBecomeEventsAndStructuredValuesAreSplit) {
  auto b = Json(R"([{"traceId": "1", "id": "1", "annotations": [
    {"timestamp": 10, "value": "plain"},
    {"timestamp": 11, "value": "exception|{\"exception.type\":\"E\",\"code\":7}|1"},
    {"timestamp": 12, "value": "a|b|c"},
    {"timestamp": 13, "value": "a|b"},
    {"value": "no time"},
    null]}])");
  ASSERT_EQ(b->span_count(), 1u);
  ASSERT_EQ(b->spans.events[0].count, 6u);
  const model::Event* e = &b->events[b->spans.events[0].begin];
  EXPECT_EQ(e[0].time_unix_nano, 10000u);
  EXPECT_EQ(e[0].name, "plain");
  EXPECT_EQ(e[1].name, "exception");
  EXPECT_EQ(Attrs(*b, e[1].attributes), "{code=7, exception.type=\"E\"}");
  EXPECT_EQ(e[1].dropped_attributes_count, 1u);
  EXPECT_EQ(e[2].name, "a|b|c");  // not the structured form: kept whole
  EXPECT_EQ(e[2].attributes.count, 0u);
  EXPECT_EQ(e[3].name, "a|b");
  EXPECT_EQ(e[4].time_unix_nano, 0u);
  EXPECT_EQ(e[4].name, "no time");
  EXPECT_EQ(e[5].name, "");
}

TEST(ZipkinJson, EndpointsBecomeNetworkAttributesOverridingTags) {
  auto b = Json(R"([{"traceId": "1", "id": "1",
    "localEndpoint": {"serviceName": "s", "ipv4": "10.0.0.1", "ipv6": "::ffff:10.0.0.2", "port": 0},
    "remoteEndpoint": {"ipv4": "10.1.1.1", "port": -5},
    "tags": {"peer.service": "from-tag", "network.peer.address": "from-tag"}}])");
  // Tags first, then endpoints overwrite in place; ipv6 replaces ipv4; ports must be positive.
  EXPECT_EQ(SpanAttrs(*b, 0),
            "{peer.service=\"from-tag\", network.peer.address=\"10.1.1.1\", "
            "network.local.address=\"10.0.0.2\"}");
}

TEST(ZipkinJson, AbsentTimestampStartsAtZeroAndIsMarked) {
  auto b = Json(R"([{"traceId": "1", "id": "1", "duration": 5}])");
  EXPECT_EQ(b->spans.start_time_unix_nano[0], 0u);
  EXPECT_EQ(b->spans.end_time_unix_nano[0], 5000u);
  EXPECT_EQ(SpanAttr(*b, 0, "otel.zipkin.absentField.startTime"), "true");
}

TEST(ZipkinJson, ParseStringTagsTypesValuesAsTheCollector) {
  const char* body = R"([{"traceId": "1", "id": "1", "tags": {
    "i": "12", "n": "-3", "big": "99999999999999999999", "d": "1.5", "e": "1e5", "t": "true",
    "f": "false", "T": "True", "empty": "", "dot": "1.", "m": "{\"a\":1}"}}])";
  auto typed = Json(body, /*parse_string_tags=*/true);
  EXPECT_EQ(SpanAttrs(*typed, 0),
            "{i=12, n=-3, big=9223372036854775807, d=d1.500000, e=\"1e5\", t=true, f=false, "
            "T=\"True\", empty=\"\", dot=\"1.\", m=\"{\"a\":1}\"}");
  auto plain = Json(body);
  EXPECT_EQ(SpanAttr(*plain, 0, "i"), "\"12\"");
  EXPECT_EQ(SpanAttr(*plain, 0, "t"), "\"true\"");
}

TEST(ZipkinJson, RepeatedKeysLastOneWins) {
  auto b = Json(R"([{"traceId": "1", "id": "1", "name": "first", "name": "second",
                     "tags": {"k": "1", "x": "y", "k": "2"}}])");
  EXPECT_EQ(b->spans.name[0], "second");
  EXPECT_EQ(SpanAttrs(*b, 0), "{x=\"y\", k=\"2\"}");
}

TEST(ZipkinJson, NullsAreIgnoredAndNullSpansSkippedButCounted) {
  auto empty = Json("null");
  EXPECT_EQ(empty->span_count(), 0u);
  auto b = Json(R"([null, {"traceId": "1", "id": "1", "name": null, "tags": null,
                          "localEndpoint": null, "annotations": null, "kind": null,
                          "tags": {"k": null}}])");
  ASSERT_EQ(b->span_count(), 1u);
  EXPECT_EQ(SpanAttr(*b, 0, "k"), "\"\"");
  Status s = JsonError(R"([null, {"traceId": "xyz", "id": "1"}])");
  EXPECT_THAT(std::string(Message(s)), HasSubstr("span 1: traceId: not hex"));
}

TEST(ZipkinJson, BadInputIsInvalidArgumentNamingSpanAndField) {
  struct Case {
    const char* body;
    const char* message;
  };
  const Case cases[] = {
      {"[{", "request: invalid JSON"},
      {R"({"traceId": "1"})", "request: expected a JSON array of spans"},
      {R"([{"traceId": "1", "id": "1"}, 7])", "span 1: expected an object"},
      {R"([{"traceId": "xyz", "id": "1"}])", "span 0: traceId: not hex: \"xyz\""},
      {R"([{"traceId": "123456789012345678901234567890123", "id": "1"}])",
       "span 0: traceId: more than 32 hex digits"},
      {R"([{"id": "1"}])", "span 0: traceId: required"},
      {R"([{"traceId": "0000", "id": "1"}])", "span 0: traceId: required"},
      {R"([{"traceId": 12, "id": "1"}])", "span 0: traceId: expected a hex string"},
      {R"([{"traceId": "1"}])", "span 0: id: required"},
      {R"([{"traceId": "1", "id": "12345678901234567"}])", "span 0: id: more than 16 hex digits"},
      {R"([{"traceId": "1", "id": "1", "parentId": "g"}])", "span 0: parentId: not hex"},
      {R"([{"traceId": "1", "id": "1", "name": 3}])", "span 0: name: expected a string"},
      {R"([{"traceId": "1", "id": "1", "kind": 1}])", "span 0: kind: expected a string"},
      {R"([{"traceId": "1", "id": "1", "timestamp": -1}])", "span 0: timestamp: expected a non-negative integer"},
      {R"([{"traceId": "1", "id": "1", "timestamp": 1.5}])", "span 0: timestamp: expected"},
      {R"([{"traceId": "1", "id": "1", "timestamp": "1"}])", "span 0: timestamp: expected"},
      {R"([{"traceId": "1", "id": "1", "duration": -2}])", "span 0: duration: expected"},
      {R"([{"traceId": "1", "id": "1", "timestamp": 18446744073709551615}])",
       "span 0: timestamp: out of range"},
      {R"([{"traceId": "1", "id": "1", "timestamp": 18446744073709551, "duration": 18446744073709551}])",
       "span 0: timestamp + duration: out of range"},
      {R"([{"traceId": "1", "id": "1", "debug": "yes"}])", "span 0: debug: expected true or false"},
      {R"([{"traceId": "1", "id": "1", "shared": 1}])", "span 0: shared: expected true or false"},
      {R"([{"traceId": "1", "id": "1", "localEndpoint": []}])", "span 0: localEndpoint: expected an object"},
      {R"([{"traceId": "1", "id": "1", "localEndpoint": {"serviceName": 1}}])",
       "span 0: localEndpoint.serviceName: expected a string"},
      {R"([{"traceId": "1", "id": "1", "localEndpoint": {"ipv4": "1.2.3"}}])",
       "span 0: localEndpoint.ipv4: not an IP address"},
      {R"([{"traceId": "1", "id": "1", "remoteEndpoint": {"ipv6": "::g"}}])",
       "span 0: remoteEndpoint.ipv6: not an IP address"},
      {R"([{"traceId": "1", "id": "1", "remoteEndpoint": {"port": "80"}}])",
       "span 0: remoteEndpoint.port: expected a 32-bit integer"},
      {R"([{"traceId": "1", "id": "1", "annotations": {}}])", "span 0: annotations: expected an array"},
      {R"([{"traceId": "1", "id": "1", "annotations": [1]}])", "span 0: annotations[0]: expected an object"},
      {R"([{"traceId": "1", "id": "1", "annotations": [{"value": 1}]}])",
       "span 0: annotations[0].value: expected a string"},
      {R"([{"traceId": "1", "id": "1", "annotations": [{"timestamp": 18446744073709551615}]}])",
       "span 0: annotations[0].timestamp: out of range"},
      {R"([{"traceId": "1", "id": "1", "tags": []}])", "span 0: tags: expected an object"},
      {R"([{"traceId": "1", "id": "1", "tags": {"http.status_code": 200}}])",
       "span 0: tags.\"http.status_code\": expected a string"},
  };
  for (const Case& c : cases) {
    Status s = JsonError(c.body);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.body;
    EXPECT_THAT(std::string(Message(s)), HasSubstr(c.message)) << c.body;
  }
}

zpb::Span* FullProtoSpan(zpb::ListOfSpans* list) {
  auto* s = list->add_spans();
  s->set_trace_id(std::string("\x5a\xf7\x18\x3f\xb1\xd4\xcf\x5f\x6b\x4c\x2d\x1e\x0f\x9a\x8b\x7c", 16));
  s->set_id(std::string("\x35\x2b\xff\x9a\x74\xca\x9a\xd2", 8));
  s->set_parent_id(std::string("\x6b\x22\x1d\x5b\xc9\xe6\x49\x6c", 8));
  s->set_name("get /api");
  s->set_kind(zpb::Span::SERVER);
  s->set_timestamp(1556604172355737);
  s->set_duration(1431);
  s->set_debug(true);
  s->set_shared(true);
  auto* local = s->mutable_local_endpoint();
  local->set_service_name("backend");
  local->set_ipv4(std::string("\xc0\xa8\x63\x01", 4));
  local->set_port(3306);
  auto* remote = s->mutable_remote_endpoint();
  remote->set_service_name("frontend");
  remote->set_ipv6(
      std::string("\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xc0\x01", 16));
  remote->set_port(61279);
  auto* a = s->add_annotations();
  a->set_timestamp(1556604172355800);
  a->set_value("wire send");
  auto& tags = *s->mutable_tags();
  tags["http.method"] = "GET";
  tags["http.path"] = "/api";
  tags["w3c.tracestate"] = "k=v";
  tags["otel.status_code"] = "ERROR";
  tags["otel.status_description"] = "boom";
  return s;
}

// Attribute order follows tag order on the wire, which protobuf maps do not fix; compare
// everything but that order.
std::string SortedDump(const SpanBatch& b) {
  std::string d = Dump(b);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < d.size()) {
    size_t nl = d.find('\n', start);
    std::string line = d.substr(start, nl - start);
    size_t attrs = line.find(" attrs={");
    if (attrs != std::string::npos) {
      std::string inner = line.substr(attrs + 8, line.size() - attrs - 9);
      std::vector<std::string> parts;
      size_t p = 0;
      while (p <= inner.size() && !inner.empty()) {
        size_t comma = inner.find(", ", p);
        parts.push_back(inner.substr(p, comma == std::string::npos ? std::string::npos : comma - p));
        if (comma == std::string::npos) break;
        p = comma + 2;
      }
      std::sort(parts.begin(), parts.end());
      line = line.substr(0, attrs + 8);
      for (const auto& part : parts) line += part + ";";
      line += "}";
    }
    lines.push_back(line);
    start = nl + 1;
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(ZipkinProto, FullSpanTranslatesAsTheSameJsonSpan) {
  zpb::ListOfSpans list;
  FullProtoSpan(&list);
  auto from_proto = Proto(list);
  auto from_json = Json(kFullSpanJson);
  ASSERT_EQ(from_proto->span_count(), 1u);
  EXPECT_EQ(SortedDump(*from_proto), SortedDump(*from_json));
  EXPECT_EQ(from_proto->spans.kind[0], model::kSpanKindServer);
  EXPECT_EQ(from_proto->spans.status_message[0], "boom");
}

TEST(ZipkinProto, ViewsPointIntoTheAdoptedBody) {
  zpb::ListOfSpans list;
  FullProtoSpan(&list);
  auto b = Proto(list);
  ASSERT_EQ(b->span_count(), 1u);
  // The batch owns the bytes: they survive the list and the serialized string.
  list.Clear();
  EXPECT_EQ(b->spans.name[0], "get /api");
  EXPECT_EQ(b->events[0].name, "wire send");
}

TEST(ZipkinProto, EightByteTraceIdAndKindsAndMappedAddresses) {
  zpb::ListOfSpans list;
  const zpb::Span::Kind kinds[] = {
      zpb::Span::SPAN_KIND_UNSPECIFIED, zpb::Span::CLIENT,
      zpb::Span::SERVER, zpb::Span::PRODUCER,
      zpb::Span::CONSUMER};
  for (int i = 0; i < 5; ++i) {
    auto* s = list.add_spans();
    s->set_trace_id(std::string("\0\0\0\0\0\0\0\x07", 8));
    s->set_id(std::string("\0\0\0\0\0\0\0", 7) + static_cast<char>(i + 1));
    s->set_kind(kinds[i]);
    s->mutable_remote_endpoint()->set_ipv6(
        std::string("\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\x00\x00\x09", 16));
  }
  auto b = Proto(list);
  ASSERT_EQ(b->span_count(), 5u);
  EXPECT_EQ(Hex(b->spans.trace_id[0].View()), "00000000000000000000000000000007");
  EXPECT_EQ(b->spans.kind[0], model::kSpanKindUnspecified);
  EXPECT_EQ(b->spans.kind[1], model::kSpanKindClient);
  EXPECT_EQ(b->spans.kind[2], model::kSpanKindServer);
  EXPECT_EQ(b->spans.kind[3], model::kSpanKindProducer);
  EXPECT_EQ(b->spans.kind[4], model::kSpanKindConsumer);
  EXPECT_EQ(SpanAttr(*b, 0, "network.peer.address"), "\"10.0.0.9\"");
  EXPECT_EQ(SpanAttr(*b, 0, "otel.zipkin.absentField.startTime"), "true");
}

TEST(ZipkinProto, UnknownFieldsAreSkipped) {
  zpb::ListOfSpans list;
  auto* s = list.add_spans();
  s->set_trace_id(std::string(16, '\x01'));
  s->set_id(std::string(8, '\x02'));
  // Field 99 (varint) inside the span and field 7 (bytes) at top level.
  std::string span = s->SerializeAsString() + std::string("\x98\x06\x01", 3);
  std::string wire = "\x0a" + std::string(1, static_cast<char>(span.size())) + span +
                     std::string("\x3a\x02hi", 4);
  auto r = DecodeZipkinProto(std::move(wire), "t", {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->span_count(), 1u);
}

TEST(ZipkinProto, BadInputIsInvalidArgumentNamingSpanAndField) {
  auto with = [](auto mutate) {
    zpb::ListOfSpans list;
    auto* ok = list.add_spans();
    ok->set_trace_id(std::string(16, '\x01'));
    ok->set_id(std::string(8, '\x02'));
    auto* s = list.add_spans();
    s->set_trace_id(std::string(16, '\x01'));
    s->set_id(std::string(8, '\x03'));
    mutate(s);
    return list.SerializeAsString();
  };
  struct Case {
    std::string body;
    const char* message;
  };
  const Case cases[] = {
      {with([](auto* s) { s->set_trace_id("12345"); }),
       "span 1: trace_id: must be 16 or 8 bytes, got 5"},
      {with([](auto* s) { s->clear_trace_id(); }), "span 1: trace_id: must be 16 or 8 bytes, got 0"},
      {with([](auto* s) { s->set_trace_id(std::string(16, '\0')); }),
       "span 1: trace_id: must not be all zero"},
      {with([](auto* s) { s->set_id("1234"); }), "span 1: id: must be 8 bytes, got 4"},
      {with([](auto* s) { s->set_id(std::string(8, '\0')); }), "span 1: id: must not be all zero"},
      {with([](auto* s) { s->set_parent_id("123"); }),
       "span 1: parent_id: must be empty or 8 bytes, got 3"},
      {with([](auto* s) { s->mutable_local_endpoint()->set_ipv4("12345"); }),
       "span 1: local_endpoint.ipv4: must be 4 or 16 bytes, got 5"},
      {with([](auto* s) { s->mutable_remote_endpoint()->set_ipv6("123"); }),
       "span 1: remote_endpoint.ipv6: must be 4 or 16 bytes, got 3"},
      {"\x0a\x02\x0a\x10", "span 0: malformed protobuf in trace_id"},
      {"\x0a", "request: malformed protobuf in span"},
      {"\x0d\x01\x02\x03\x04", "request: malformed protobuf in list of spans: spans"},
      {"\x0a\x02\x20\x80", "span 0: malformed protobuf in kind"},
      {"\x0a\x02\x08\x01", "span 0: malformed protobuf in trace_id"},
  };
  for (const Case& c : cases) {
    Status s = ProtoError(c.body);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(std::string(Message(s)), HasSubstr(c.message));
  }
}

TEST(ZipkinProto, InvalidUtf8InStringsIsRefused) {
  zpb::ListOfSpans list;
  auto* s = list.add_spans();
  s->set_trace_id(std::string(16, '\x01'));
  s->set_id(std::string(8, '\x02'));
  std::string wire = list.SerializeAsString();
  // Append a name field (5) holding a lone continuation byte to the span.
  wire[1] = static_cast<char>(wire[1] + 3);
  wire += std::string("\x2a\x01\x80", 3);
  Status st = ProtoError(wire);
  EXPECT_THAT(std::string(Message(st)), HasSubstr("span 0: name: invalid UTF-8"));
}

TEST(ZipkinProto, EmptyBodyIsNoSpans) {
  auto r = DecodeZipkinProto(std::string(), "t", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->span_count(), 0u);
  EXPECT_EQ((*r)->tenant, "t");
}

}  // namespace
}  // namespace th::ingest::zipkin

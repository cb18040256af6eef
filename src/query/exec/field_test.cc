// Semantics of single-span conditions (`{ … }` bodies), one rule per test.
#include <gtest/gtest.h>

#include "query/exec/test_util.h"

namespace th::query::exec {
namespace {

using testing::Attrs;
using testing::Names;
using testing::TraceBuilder;
using testing::V;
using Strings = std::vector<std::string>;

TEST(Filter, EmptyFilterKeepsEverySpan) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "a"});
  t.Span({.id = 2, .parent = 1, .name = "b"});
  EXPECT_EQ(Names("{}", t.batch()), (Strings{"a", "b"}));
  EXPECT_EQ(Names("{ true }", t.batch()), (Strings{"a", "b"}));
  EXPECT_TRUE(Names("{ false }", t.batch()).empty());
  EXPECT_TRUE(Names("{ 1 = 2 }", t.batch()).empty());
  EXPECT_EQ(Names("{ 1 = 1. }", t.batch()), (Strings{"a", "b"}));
}

TEST(Filter, MissingAttributeMakesEveryComparisonFalse) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "200", .attrs = {{"code", 200}}});
  t.Span({.id = 2, .parent = 1, .name = "none"});
  EXPECT_EQ(Names("{ span.code != 500 }", t.batch()), (Strings{"200"}));
  EXPECT_TRUE(Names("{ span.other < 1 }", t.batch()).empty());
  EXPECT_TRUE(Names("{ span.other !~ \"x\" }", t.batch()).empty());
  EXPECT_TRUE(Names("{ span.other = span.missing }", t.batch()).empty());
}

TEST(Filter, NumbersCompareAcrossIntFloatAndDuration) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "int", .start_ms = 0, .end_ms = 1000, .attrs = {{"v", 1}}});
  t.Span({.id = 2, .parent = 1, .name = "float", .attrs = {{"v", 1.0}}});
  t.Span({.id = 3, .parent = 1, .name = "float2", .attrs = {{"v", 1.5}}});
  t.Span({.id = 4, .parent = 1, .name = "string", .attrs = {{"v", "1"}}});
  t.Span({.id = 5, .parent = 1, .name = "bool", .attrs = {{"v", true}}});
  EXPECT_EQ(Names("{ span.v = 1 }", t.batch()), (Strings{"float", "int"}));
  EXPECT_EQ(Names("{ span.v > 1 }", t.batch()), (Strings{"float2"}));
  EXPECT_EQ(Names("{ span.v = 1ns }", t.batch()), (Strings{"float", "int"}));
  EXPECT_EQ(Names("{ span:duration = 1000000000 }", t.batch()), (Strings{"int"}));
  EXPECT_EQ(Names("{ duration >= 1s }", t.batch()), (Strings{"int"}));
  EXPECT_EQ(Names("{ span.v = \"1\" }", t.batch()), (Strings{"string"}));
  EXPECT_EQ(Names("{ span.v = true }", t.batch()), (Strings{"bool"}));
}

TEST(Filter, StringsCompareLexicographically) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "a", .attrs = {{"code", "404"}}});
  t.Span({.id = 2, .parent = 1, .name = "b", .attrs = {{"code", "200"}}});
  EXPECT_EQ(Names("{ span.code >= \"400\" }", t.batch()), (Strings{"a"}));
  EXPECT_EQ(Names("{ name < \"b\" }", t.batch()), (Strings{"a"}));
  EXPECT_TRUE(Names("{ name = \"A\" }", t.batch()).empty());  // case-sensitive
}

TEST(Filter, RegexIsFullyAnchoredRe2) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "foobar"});
  t.Span({.id = 2, .parent = 1, .name = "bar"});
  EXPECT_EQ(Names("{ name =~ \"bar\" }", t.batch()), (Strings{"bar"}));
  EXPECT_EQ(Names("{ name =~ \".*bar\" }", t.batch()), (Strings{"bar", "foobar"}));
  EXPECT_EQ(Names("{ name !~ \"bar\" }", t.batch()), (Strings{"foobar"}));
  EXPECT_EQ(Names("{ name =~ \"(?i)FOO.*\" }", t.batch()), (Strings{"foobar"}));
}

TEST(Filter, RegexPatternMayComeFromAnAttribute) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "hit", .attrs = {{"v", "abc"}, {"p", "a.c"}}});
  t.Span({.id = 2, .parent = 1, .name = "miss", .attrs = {{"v", "abc"}, {"p", "b"}}});
  t.Span({.id = 3, .parent = 1, .name = "bad", .attrs = {{"v", "abc"}, {"p", "["}}});
  EXPECT_EQ(Names("{ .v =~ .p }", t.batch()), (Strings{"hit"}));
  EXPECT_EQ(Names("{ .v !~ .p }", t.batch()), (Strings{"miss"}));
}

TEST(Filter, NilChecksTestPresence) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "absent"});
  t.Span({.id = 2, .parent = 1, .name = "zero", .attrs = {{"retry", 0}}});
  t.Span({.id = 3, .parent = 1, .name = "empty", .attrs = {{"retry", ""}}});
  EXPECT_EQ(Names("{ span.retry = nil }", t.batch()), (Strings{"absent"}));
  EXPECT_EQ(Names("{ span.retry != nil }", t.batch()), (Strings{"empty", "zero"}));
  EXPECT_EQ(Names("{ nil = .retry }", t.batch()), (Strings{"absent"}));
  EXPECT_TRUE(Names("{ nil = nil }", t.batch()).empty());
  EXPECT_TRUE(Names("{ nil != nil }", t.batch()).empty());
}

TEST(Filter, UnscopedLookupGoesSpanResourceEventLinkInstrumentation) {
  TraceBuilder t;
  uint32_t scope = t.Scope({{"service.name", "api"}, {"x", "resource"}, {"r", "resource"}}, "lib",
                           "1.0", {{"x", "scope"}, {"i", "scope"}});
  t.Span({.scope = scope,
          .id = 1,
          .name = "s",
          .attrs = {{"x", "span"}},
          .events = {{.name = "e", .attrs = {{"x", "event"}, {"ev", "event"}}}},
          .links = {{.attrs = {{"x", "link"}, {"ev", "link"}, {"ln", "link"}}}}});
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ .x = \"span\" }", b), (Strings{"s"}));
  EXPECT_TRUE(Names("{ .x = \"resource\" }", b).empty());  // the span's value wins
  EXPECT_EQ(Names("{ resource.x = \"resource\" }", b), (Strings{"s"}));
  EXPECT_EQ(Names("{ .r = \"resource\" }", b), (Strings{"s"}));
  EXPECT_EQ(Names("{ .ev = \"event\" }", b), (Strings{"s"}));
  EXPECT_TRUE(Names("{ .ev = \"link\" }", b).empty());
  EXPECT_EQ(Names("{ .ln = \"link\" }", b), (Strings{"s"}));
  EXPECT_EQ(Names("{ .i = \"scope\" }", b), (Strings{"s"}));
  EXPECT_EQ(Names("{ instrumentation.x = \"scope\" }", b), (Strings{"s"}));
  EXPECT_TRUE(Names("{ span.r = \"resource\" }", b).empty());
  EXPECT_TRUE(Names("{ resource.i = \"scope\" }", b).empty());
}

TEST(Filter, SpanMatchesWhenOneOfItsEventsMatches) {
  TraceBuilder t;
  t.Span({.id = 1,
          .name = "two-events",
          .start_ms = 0,
          .end_ms = 100,
          .events = {{.name = "log", .offset_ms = 1, .attrs = {{"msg", "ok"}}},
                     {.name = "exception", .offset_ms = 50, .attrs = {{"msg", "timeout!"}}}}});
  t.Span({.id = 2, .parent = 1, .name = "no-events"});
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ event.msg =~ \".*timeout.*\" }", b), (Strings{"two-events"}));
  EXPECT_EQ(Names("{ event.msg = \"ok\" }", b), (Strings{"two-events"}));
  EXPECT_EQ(Names("{ event:name = \"exception\" }", b), (Strings{"two-events"}));
  EXPECT_EQ(Names("{ event:timeSinceStart > 10ms }", b), (Strings{"two-events"}));
  EXPECT_TRUE(Names("{ event:timeSinceStart > 60ms }", b).empty());
  EXPECT_EQ(Names("{ event.msg != nil }", b), (Strings{"two-events"}));
  EXPECT_EQ(Names("{ event.msg = nil }", b), (Strings{"no-events"}));
  EXPECT_TRUE(Names("{ span.msg = \"ok\" }", b).empty());
}

TEST(Filter, SpanMatchesWhenOneOfItsLinksMatches) {
  TraceBuilder t;
  t.Span({.id = 1,
          .name = "linked",
          .links = {{.trace = 0xab, .span = 0x0c, .attrs = {{"ref", "child_of"}}},
                    {.trace = 0xcd, .span = 0x0d, .attrs = {{"ref", "follows_from"}}}}});
  t.Span({.id = 2, .parent = 1, .name = "plain"});
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ link.ref = \"follows_from\" }", b), (Strings{"linked"}));
  EXPECT_EQ(Names("{ link:traceID = \"cd\" }", b), (Strings{"linked"}));
  EXPECT_EQ(Names("{ link:traceID = \"000000000000000000000000000000AB\" }", b),
            (Strings{"linked"}));
  EXPECT_EQ(Names("{ link:spanID = \"000000000000000c\" }", b), (Strings{"linked"}));
  EXPECT_TRUE(Names("{ link:spanID = \"000000000000000e\" }", b).empty());
}

TEST(Filter, InstrumentationIntrinsics) {
  TraceBuilder t;
  uint32_t grpc = t.Scope({{"service.name", "a"}}, "grpc", "1.2.3", {{"language", "java"}});
  uint32_t http = t.Scope({{"service.name", "a"}}, "http", "0.1");
  t.Span({.scope = grpc, .id = 1, .name = "g"});
  t.Span({.scope = http, .id = 2, .parent = 1, .name = "h"});
  EXPECT_EQ(Names("{ instrumentation:name = \"grpc\" }", t.batch()), (Strings{"g"}));
  EXPECT_EQ(Names("{ instrumentation:version = \"0.1\" }", t.batch()), (Strings{"h"}));
  EXPECT_EQ(Names("{ instrumentation.language = \"java\" }", t.batch()), (Strings{"g"}));
}

TEST(Filter, ArraysMatchAnyElementAndNegationsMeanNone) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "ab", .attrs = {{"tags", V::Array({"a", "b"})}}});
  t.Span({.id = 2, .parent = 1, .name = "bc", .attrs = {{"tags", V::Array({"b", "c"})}}});
  t.Span({.id = 3, .parent = 1, .name = "nums", .attrs = {{"tags", V::Array({1, 5, 9})}}});
  t.Span({.id = 4, .parent = 1, .name = "scalar", .attrs = {{"tags", "b"}}});
  t.Span({.id = 5, .parent = 1, .name = "none"});
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ span.tags = \"a\" }", b), (Strings{"ab"}));
  EXPECT_EQ(Names("{ \"c\" = span.tags }", b), (Strings{"bc"}));
  EXPECT_EQ(Names("{ span.tags != \"a\" }", b), (Strings{"bc", "scalar"}));
  EXPECT_EQ(Names("{ span.tags =~ \"[ac]\" }", b), (Strings{"ab", "bc"}));
  EXPECT_EQ(Names("{ span.tags !~ \"[ac]\" }", b), (Strings{"scalar"}));
  EXPECT_EQ(Names("{ span.tags > 8 }", b), (Strings{"nums"}));
  EXPECT_EQ(Names("{ 2 > span.tags }", b), (Strings{"nums"}));
  EXPECT_TRUE(Names("{ span.tags < 1 }", b).empty());
  EXPECT_TRUE(Names("{ span.tags + 1 = 2 }", b).empty());  // arithmetic on arrays: no value
  EXPECT_EQ(Names("{ span.tags != nil }", b), (Strings{"ab", "bc", "nums", "scalar"}));
}

TEST(Filter, ArithmeticKeepsIntsAndDivisionByZeroNeverMatches) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "s", .attrs = {{"a", 7}, {"b", 2}, {"zero", 0}, {"f", 0.5}}});
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ span.a / span.b = 3 }", b), (Strings{"s"}));  // 7 / 2 stays an int
  EXPECT_EQ(Names("{ span.a % span.b = 1 }", b), (Strings{"s"}));
  EXPECT_EQ(Names("{ span.a * span.f = 3.5 }", b), (Strings{"s"}));
  EXPECT_EQ(Names("{ span.b ^ 3 = 8 }", b), (Strings{"s"}));
  EXPECT_EQ(Names("{ -span.a = -7 }", b), (Strings{"s"}));
  EXPECT_TRUE(Names("{ span.a / span.zero = 0 }", b).empty());
  EXPECT_TRUE(Names("{ span.a / span.zero != 0 }", b).empty());
  EXPECT_TRUE(Names("{ span.a % span.zero >= 0 }", b).empty());
  EXPECT_EQ(Names("{ span.b * 3ms = 6ms }", b), (Strings{"s"}));
}

TEST(Filter, StatusKindAndSpanIntrinsics) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "root", .kind = model::kSpanKindServer, .status = model::kStatusOk});
  t.Span({.id = 2,
          .parent = 1,
          .name = "db",
          .kind = model::kSpanKindClient,
          .status = model::kStatusError,
          .status_message = "Forbidden"});
  t.Span({.id = 3, .parent = 1, .name = "plain"});
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ status = error }", b), (Strings{"db"}));
  EXPECT_EQ(Names("{ span:status = ok }", b), (Strings{"root"}));
  EXPECT_EQ(Names("{ status = unset }", b), (Strings{"plain"}));
  EXPECT_EQ(Names("{ status != error }", b), (Strings{"plain", "root"}));
  EXPECT_EQ(Names("{ kind = server }", b), (Strings{"root"}));
  EXPECT_EQ(Names("{ span:kind = client }", b), (Strings{"db"}));
  EXPECT_EQ(Names("{ kind = internal }", b), (Strings{"plain"}));
  EXPECT_EQ(Names("{ statusMessage = \"Forbidden\" }", b), (Strings{"db"}));
  EXPECT_EQ(Names("{ span:statusMessage = \"\" }", b), (Strings{"plain", "root"}));
  EXPECT_EQ(Names("{ span:name = \"db\" }", b), (Strings{"db"}));
}

TEST(Filter, IdIntrinsicsAreHexAndIgnoreLeadingZeros) {
  TraceBuilder t(0x2a);
  t.Span({.id = 1, .name = "root"});
  t.Span({.id = 0x1f, .parent = 1, .name = "child"});
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ span:id = \"000000000000001f\" }", b), (Strings{"child"}));
  EXPECT_EQ(Names("{ span:id = \"1F\" }", b), (Strings{"child"}));
  EXPECT_EQ(Names("{ span:id =~ \"0+1f\" }", b), (Strings{"child"}));
  EXPECT_EQ(Names("{ span:parentID = \"0000000000000001\" }", b), (Strings{"child"}));
  EXPECT_EQ(Names("{ span:parentID != \"0000000000000002\" }", b), (Strings{"child"}));  // not root
  EXPECT_EQ(Names("{ trace:id = \"2a\" }", b), (Strings{"child", "root"}));
  EXPECT_EQ(Names("{ trace:id = \"0000000000000000000000000000002a\" }", b),
            (Strings{"child", "root"}));
  EXPECT_TRUE(Names("{ trace:id = \"2b\" }", b).empty());
}

TEST(Filter, TraceLevelIntrinsicsHaveTheSameValueOnEverySpan) {
  TraceBuilder t;
  uint32_t gw = t.Scope({{"service.name", "gateway"}});
  uint32_t db = t.Scope({{"service.name", "db"}});
  t.Span({.scope = gw, .id = 1, .name = "GET /", .start_ms = 0, .end_ms = 2500});
  t.Span({.scope = db, .id = 2, .parent = 1, .name = "query", .start_ms = 100, .end_ms = 3000});
  const auto& b = t.batch();
  Strings both = {"GET /", "query"};
  EXPECT_EQ(Names("{ trace:duration = 3s }", b), both);
  EXPECT_EQ(Names("{ traceDuration > 2s }", b), both);
  EXPECT_EQ(Names("{ trace:rootName = \"GET /\" }", b), both);
  EXPECT_EQ(Names("{ rootName = \"GET /\" }", b), both);
  EXPECT_EQ(Names("{ trace:rootService = \"gateway\" }", b), both);
  EXPECT_EQ(Names("{ rootServiceName = \"gateway\" }", b), both);
  EXPECT_TRUE(Names("{ trace:rootService = \"db\" }", b).empty());
}

TEST(Filter, TraceWithoutRootHasNoRootIntrinsics) {
  TraceBuilder t;
  t.Span({.id = 2, .parent = 1, .name = "orphan"});
  EXPECT_TRUE(Names("{ trace:rootName != \"x\" }", t.batch()).empty());
  EXPECT_EQ(Names("{ trace:duration >= 0 }", t.batch()), (Strings{"orphan"}));
}

TEST(Filter, ChildCountAndNestedSetNumbers) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "root"});
  t.Span({.id = 2, .parent = 1, .name = "a"});
  t.Span({.id = 3, .parent = 1, .name = "b"});
  t.Span({.id = 4, .parent = 2, .name = "a1"});
  t.Span({.id = 5, .parent = 0x77, .name = "orphan"});
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ span:childCount = 2 }", b), (Strings{"root"}));
  EXPECT_EQ(Names("{ span:childCount = 0 }", b), (Strings{"a1", "b", "orphan"}));
  // DFS: root [1, 8], a [2, 5], a1 [3, 4], b [6, 7]; the orphan stays 0.
  EXPECT_EQ(Names("{ nestedSetParent = -1 }", b), (Strings{"root"}));
  EXPECT_EQ(Names("{ nestedSetLeft = 3 && nestedSetRight = 4 && nestedSetParent = 2 }", b),
            (Strings{"a1"}));
  EXPECT_EQ(Names("{ nestedSetLeft = 6 && nestedSetRight = 7 && nestedSetParent = 1 }", b),
            (Strings{"b"}));
  EXPECT_EQ(Names("{ nestedSetLeft = 0 && nestedSetParent = 0 }", b), (Strings{"orphan"}));
}

TEST(Filter, LogicalOperatorsNeedBooleansOnBothSides) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "flag", .attrs = {{"a", true}, {"n", 1}}});
  t.Span({.id = 2, .parent = 1, .name = "noflag", .attrs = {{"n", 2}}});
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ span.a }", b), (Strings{"flag"}));
  EXPECT_EQ(Names("{ .a && true }", b), (Strings{"flag"}));
  // Tempo: a missing operand makes `||` false, even next to true.
  EXPECT_EQ(Names("{ .a || true }", b), (Strings{"flag"}));
  EXPECT_EQ(Names("{ !(span.n = 1) }", b), (Strings{"noflag"}));
  EXPECT_EQ(Names("{ span.n = 1 || span.n = 2 }", b), (Strings{"flag", "noflag"}));
  EXPECT_TRUE(Names("{ span.n = 1 && span.n = 2 }", b).empty());
  EXPECT_EQ(Names("{ (span.n = 2 || span.n = 3) && span.a = nil }", b), (Strings{"noflag"}));
}

TEST(Filter, AttributesCompareWithAttributes) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "eq", .attrs = {{"a", 3}, {"b", 3.0}}});
  t.Span({.id = 2, .parent = 1, .name = "lt", .attrs = {{"a", 1}, {"b", 3}}});
  EXPECT_EQ(Names("{ .a = .b }", t.batch()), (Strings{"eq"}));
  EXPECT_EQ(Names("{ .a < .b }", t.batch()), (Strings{"lt"}));
  EXPECT_EQ(Names("{ .a * .b > 8 }", t.batch()), (Strings{"eq"}));
}

}  // namespace
}  // namespace th::query::exec

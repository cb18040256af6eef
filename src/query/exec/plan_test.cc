// Spanset operators, pipelines, aggregates and grouping.
#include <gtest/gtest.h>

#include "query/exec/test_util.h"
#include "query/traceql/traceql.h"

namespace th::query::exec {
namespace {

using testing::Names;
using testing::RunQuery;
using testing::TraceBuilder;
using testing::V;
using Strings = std::vector<std::string>;

// Three services; `err` marks errored spans.
//   gw:root (100ms) ─┬─ api:a1 (err, 30ms) ── db:q1 (err, 10ms)
//                    ├─ api:a2 (err, 50ms)
//                    └─ db:q2 (20ms, no `bytes`)
TraceBuilder Services() {
  TraceBuilder t;
  uint32_t gw = t.Scope({{"service.name", "gw"}});
  uint32_t api = t.Scope({{"service.name", "api"}});
  uint32_t db = t.Scope({{"service.name", "db"}});
  t.Span({.scope = gw, .id = 1, .name = "root", .end_ms = 100, .attrs = {{"bytes", 1}}});
  t.Span({.scope = api, .id = 2, .parent = 1, .name = "a1", .end_ms = 30,
          .status = model::kStatusError, .attrs = {{"bytes", 10}}});
  t.Span({.scope = api, .id = 3, .parent = 1, .name = "a2", .end_ms = 50,
          .status = model::kStatusError, .attrs = {{"bytes", 100}}});
  t.Span({.scope = db, .id = 4, .parent = 2, .name = "q1", .end_ms = 10,
          .status = model::kStatusError, .attrs = {{"bytes", 1000}}});
  t.Span({.scope = db, .id = 5, .parent = 1, .name = "q2", .end_ms = 20});
  return t;
}

std::string Attr(const Spanset& ss, std::string_view key) {
  for (const SpansetAttribute& a : ss.attributes) {
    if (a.key == key) return ValueJson(a.value);
  }
  return "<missing>";
}

TEST(Pipeline, SpansetAndNeedsBothSidesAndReturnsTheUnion) {
  TraceBuilder t = Services();
  EXPECT_EQ(Names("{ name = \"a1\" } && { name = \"q2\" }", t.batch()), (Strings{"a1", "q2"}));
  EXPECT_TRUE(Names("{ name = \"a1\" } && { name = \"nope\" }", t.batch()).empty());
  EXPECT_EQ(Names("{ name = \"a1\" } && { status = error }", t.batch()),
            (Strings{"a1", "a2", "q1"}));
}

TEST(Pipeline, SpansetOrNeedsOneSide) {
  TraceBuilder t = Services();
  EXPECT_EQ(Names("{ name = \"a1\" } || { name = \"nope\" }", t.batch()), (Strings{"a1"}));
  EXPECT_EQ(Names("{ name = \"a1\" } || { name = \"q2\" }", t.batch()), (Strings{"a1", "q2"}));
  EXPECT_TRUE(Names("{ name = \"x\" } || { name = \"y\" }", t.batch()).empty());
}

TEST(Pipeline, StagesApplyInOrderToTheSurvivingSpans) {
  TraceBuilder t = Services();
  EXPECT_EQ(Names("{ status = error } | { resource.service.name = \"api\" }", t.batch()),
            (Strings{"a1", "a2"}));
  // The structural operator of stage two only sees stage one's spans.
  EXPECT_EQ(Names("{ status = error } | { } > { }", t.batch()), (Strings{"q1"}));
}

TEST(Pipeline, CountCountsTheSpansetAndIsAttached) {
  TraceBuilder t = Services();
  auto sets = RunQuery("{ } | count() > 2", t.batch());
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].spans.size(), 5u);
  EXPECT_EQ(Attr(sets[0], "count()"), "{\"intValue\":\"5\"}");
  EXPECT_TRUE(RunQuery("{ status = error } | count() > 3", t.batch()).empty());
  EXPECT_EQ(RunQuery("count() = 5", t.batch()).size(), 1u);
}

TEST(Pipeline, AggregatesKeepTheirTypes) {
  TraceBuilder t = Services();
  auto sets = RunQuery("{ status = error } | avg(duration) > 20ms", t.batch());
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(Attr(sets[0], "avg(duration)"), "{\"stringValue\":\"30ms\"}");
  sets = RunQuery("{ } | sum(span.bytes) = 1111", t.batch());
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(Attr(sets[0], "sum(span.bytes)"), "{\"intValue\":\"1111\"}");
  sets = RunQuery("{ } | max(span.bytes) >= 1000 | min(duration) < 11ms", t.batch());
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(Attr(sets[0], "max(span.bytes)"), "{\"intValue\":\"1000\"}");
  EXPECT_EQ(Attr(sets[0], "min(duration)"), "{\"stringValue\":\"10ms\"}");
  sets = RunQuery("{ } | avg(span.bytes) > 200", t.batch());  // 1111 / 4 spans that have it
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(Attr(sets[0], "avg(span.bytes)"), "{\"doubleValue\":277.75}");
  EXPECT_EQ(RunQuery("{ } | max((1 + span.bytes) * 2) = 2002", t.batch()).size(), 1u);
}

TEST(Pipeline, AggregateOfAMissingAttributeNeverSatisfies) {
  TraceBuilder t = Services();
  EXPECT_TRUE(RunQuery("{ } | max(span.nope) < 1", t.batch()).empty());
  EXPECT_TRUE(RunQuery("{ } | sum(span.nope) = 0", t.batch()).empty());
  EXPECT_TRUE(RunQuery("{ name = \"q2\" } | avg(span.bytes) >= 0", t.batch()).empty());
}

TEST(Pipeline, ByGroupsPerValueAndCountsPerGroup) {
  TraceBuilder t = Services();
  auto sets = RunQuery("{ status = error } | by(resource.service.name) | count() > 1", t.batch());
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].spans, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(Attr(sets[0], "by(resource.service.name)"), "{\"stringValue\":\"api\"}");
  EXPECT_EQ(Attr(sets[0], "count()"), "{\"intValue\":\"2\"}");
  sets = RunQuery("{ } | by(resource.service.name)", t.batch());
  ASSERT_EQ(sets.size(), 3u);  // in order of first appearance
  EXPECT_EQ(Attr(sets[0], "by(resource.service.name)"), "{\"stringValue\":\"gw\"}");
  EXPECT_EQ(Attr(sets[2], "by(resource.service.name)"), "{\"stringValue\":\"db\"}");
}

TEST(Pipeline, SpansWithoutTheGroupValueFormANilGroup) {
  TraceBuilder t = Services();
  auto sets = RunQuery("{ } | by(span.bytes > 50)", t.batch());
  ASSERT_EQ(sets.size(), 2u);
  sets = RunQuery("{ resource.service.name = \"db\" } | by(span.bytes)", t.batch());
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(Attr(sets[0], "by(span.bytes)"), "{\"intValue\":\"1000\"}");
  EXPECT_EQ(Attr(sets[1], "by(span.bytes)"), "{\"stringValue\":\"nil\"}");
}

TEST(Pipeline, ByTakesExpressionsAndChains) {
  TraceBuilder t = Services();
  auto sets = RunQuery("{ } | by(resource.service.name) | by(status) | count() > 1", t.batch());
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(Attr(sets[0], "by(resource.service.name)"), "{\"stringValue\":\"api\"}");
  EXPECT_EQ(Attr(sets[0], "by(status)"), "{\"stringValue\":\"error\"}");
  sets = RunQuery("{ } | by(span.bytes * 2 - 2)", t.batch());
  EXPECT_EQ(sets.size(), 5u);
}

TEST(Pipeline, CoalesceMergesGroupsAndDropsTheirAttributes) {
  TraceBuilder t = Services();
  auto sets = RunQuery("{ status = error } | by(resource.service.name) | coalesce()", t.batch());
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].spans.size(), 3u);
  EXPECT_TRUE(sets[0].attributes.empty());
  EXPECT_EQ(RunQuery("{ } | by(resource.service.name) | coalesce() | count() = 5", t.batch()).size(),
            1u);
}

TEST(Pipeline, SelectKeepsTheSpansets) {
  TraceBuilder t = Services();
  EXPECT_EQ(Names("{ status = error } | select(span.bytes, resource.service.name)", t.batch()),
            (Strings{"a1", "a2", "q1"}));
  EXPECT_EQ(Names("select(.a)", t.batch()).size(), 5u);
}

TEST(Pipeline, ParenthesisedPipelinesCombineWithSpansetOperators) {
  TraceBuilder t = Services();
  EXPECT_EQ(Names("({ status = error } | count() > 2) && ({ name = \"root\" })", t.batch()),
            (Strings{"a1", "a2", "q1", "root"}));
  EXPECT_TRUE(Names("({ status = error } | count() > 3) || ({ name = \"x\" })", t.batch()).empty());
  EXPECT_EQ(Names("({ name = \"root\" } | { }) > ({ status = error } | { })", t.batch()),
            (Strings{"a1", "a2"}));
}

TEST(Pipeline, StructuralOperatorBetweenSeveralSpansetsIsAnError) {
  TraceBuilder t = Services();
  auto parsed = traceql::Parse("({ } | by(resource.service.name)) > ({ })");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto e = Executor::Compile(**parsed);
  ASSERT_TRUE(e.ok());
  EvalState state;
  std::vector<Spanset> out;
  Status st = (*e)->Evaluate(t.batch(), &state, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
  // coalesce() first is the documented way out.
  EXPECT_EQ(Names("({ } | by(resource.service.name) | coalesce()) > ({ })", t.batch()).size(), 4u);
}

TEST(Pipeline, MetricsQueriesAreNotSearches) {
  auto parsed = traceql::Parse("{ } | rate()");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(Executor::Compile(**parsed).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Pipeline, ExecutorIsReusableAcrossTracesAndStates) {
  auto e = testing::CompileOrDie("{ span:childCount > 0 } >> { status = error }");
  ASSERT_NE(e, nullptr);
  TraceBuilder a = Services();
  TraceBuilder b;
  b.Span({.id = 1, .name = "lonely"});
  EvalState state;
  std::vector<Spanset> out;
  ASSERT_TRUE(e->Evaluate(a.batch(), &state, &out).ok());
  EXPECT_EQ(out.size(), 1u);
  ASSERT_TRUE(e->Evaluate(b.batch(), &state, &out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(e->Evaluate(a.batch(), &state, &out).ok());
  EXPECT_EQ(out.size(), 1u);
}

TEST(Pipeline, SpanAttributesShowWhatTheQueryReads) {
  TraceBuilder t = Services();
  auto e = testing::CompileOrDie(
      "{ status = error && span.bytes > 5 } | select(resource.service.name, name, span:id, "
      "nestedSetParent, trace:duration)");
  ASSERT_NE(e, nullptr);
  EvalState state;
  std::vector<Spanset> out;
  ASSERT_TRUE(e->Evaluate(t.batch(), &state, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  auto attrs = e->SpanAttributes(&state, out[0].spans[0]);
  std::vector<ResultAttribute> want = {{"status", "{\"stringValue\":\"error\"}"},
                                       {"bytes", "{\"intValue\":\"10\"}"},
                                       {"service.name", "{\"stringValue\":\"api\"}"},
                                       {"nestedSetParent", "{\"intValue\":\"1\"}"}};
  EXPECT_EQ(attrs, want);
}

}  // namespace
}  // namespace th::query::exec

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "query/traceql/traceql.h"

namespace th::query::traceql {
namespace {

std::unique_ptr<Query> ParseOk(std::string_view q) {
  ParseError err;
  auto r = Parse(q, &err);
  EXPECT_TRUE(r.ok()) << q << ": " << err.ToString();
  return r.ok() ? std::move(*r) : nullptr;
}

ParseError ParseFails(std::string_view q) {
  ParseError err;
  EXPECT_FALSE(ParseSyntax(q, &err).ok()) << q;
  return err;
}

const FieldExpr& FilterOf(const Query& q) {
  return *q.pipeline->stages.at(0).spanset->filter;
}

TEST(TraceqlParser, EmptyFilterIsLiteralTrue) {
  auto q = ParseOk("{}");
  const FieldExpr& f = FilterOf(*q);
  EXPECT_EQ(f.kind, FieldExpr::Kind::kLiteral);
  EXPECT_TRUE(f.value.b);
}

TEST(TraceqlParser, AndAndOrShareOneLeftAssociativeLevel) {
  // a || b && c groups as (a || b) && c (reference §a.2 "Logical").
  auto q = ParseOk("{ .a || .b && .c }");
  const FieldExpr& f = FilterOf(*q);
  EXPECT_EQ(f.op, FieldOp::kAnd);
  EXPECT_EQ(f.lhs->op, FieldOp::kOr);
}

TEST(TraceqlParser, StructuralOperatorsBindTighterThanSpansetAnd) {
  auto q = ParseOk("{ .a } && { .b } >> { .c }");
  const SpansetExpr& e = *q->pipeline->stages[0].spanset;
  EXPECT_EQ(e.op, SpansetOp::kAnd);
  EXPECT_EQ(e.rhs->op, SpansetOp::kDescendant);
  auto q2 = ParseOk("{ .a } >> { .b } ~ { .c }");
  const SpansetExpr& e2 = *q2->pipeline->stages[0].spanset;
  EXPECT_EQ(e2.op, SpansetOp::kSibling);
  EXPECT_EQ(e2.lhs->op, SpansetOp::kDescendant);
}

TEST(TraceqlParser, ArithmeticPrecedenceAndRightAssociativePower) {
  auto q = ParseOk("{ .a + .b * .c ^ .d ^ .e = 1 }");
  const FieldExpr& f = FilterOf(*q);
  ASSERT_EQ(f.op, FieldOp::kEq);
  const FieldExpr& add = *f.lhs;
  EXPECT_EQ(add.op, FieldOp::kAdd);
  EXPECT_EQ(add.rhs->op, FieldOp::kMul);
  const FieldExpr& pow = *add.rhs->rhs;
  EXPECT_EQ(pow.op, FieldOp::kPow);
  EXPECT_EQ(pow.rhs->op, FieldOp::kPow);  // .c ^ (.d ^ .e)
}

TEST(TraceqlParser, NotBindsBetweenAdditionAndMultiplication) {
  auto q = ParseOk("{ !.a * .b }");
  EXPECT_EQ(FilterOf(*q).op, FieldOp::kNot);
  EXPECT_EQ(FilterOf(*q).lhs->op, FieldOp::kMul);
  ParseError err;
  auto q2 = ParseSyntax("{ !.a + .b }", &err);
  ASSERT_TRUE(q2.ok());
  EXPECT_EQ(FilterOf(**q2).op, FieldOp::kAdd);
  EXPECT_EQ(FilterOf(**q2).lhs->op, FieldOp::kNot);
}

TEST(TraceqlParser, UnaryMinusBindsTightest) {
  auto q = ParseOk("{ -.a ^ 2 = 4 }");
  EXPECT_EQ(FilterOf(*q).lhs->op, FieldOp::kPow);
  EXPECT_EQ(FilterOf(*q).lhs->lhs->op, FieldOp::kNeg);
}

TEST(TraceqlParser, FoldsConstantArithmetic) {
  auto q = ParseOk("{ span.bytes > 10 * 1024 * 1024 }");
  const FieldExpr& rhs = *FilterOf(*q).rhs;
  EXPECT_EQ(rhs.kind, FieldExpr::Kind::kLiteral);
  EXPECT_EQ(rhs.value.i, 10 * 1024 * 1024);
  auto q2 = ParseOk("{ .a = 1 / 10 }");
  EXPECT_EQ(FilterOf(*q2).rhs->value.i, 0);  // int / int stays int
  auto q3 = ParseOk("{ .a = -(3) }");
  EXPECT_EQ(FilterOf(*q3).rhs->value.i, -3);
}

TEST(TraceqlParser, NilComparisonsBecomeExistence) {
  auto q = ParseOk("{ span.foo != nil && nil = span.bar }");
  EXPECT_EQ(FilterOf(*q).lhs->op, FieldOp::kExists);
  EXPECT_EQ(FilterOf(*q).rhs->op, FieldOp::kNotExists);
  auto q2 = ParseOk("{ nil = nil }");
  EXPECT_EQ(FilterOf(*q2).kind, FieldExpr::Kind::kLiteral);
  EXPECT_FALSE(FilterOf(*q2).value.b);
}

TEST(TraceqlParser, FieldExpressionsKnowTheirStaticType) {
  auto q = ParseOk("{ duration * 2 > 1s && span:name = \"x\" }");
  const FieldExpr& f = FilterOf(*q);
  EXPECT_EQ(f.type, ValueType::kBool);
  EXPECT_EQ(f.lhs->lhs->type, ValueType::kDuration);
  EXPECT_EQ(f.rhs->lhs->type, ValueType::kString);
  EXPECT_EQ(f.rhs->lhs->attribute.intrinsic, Intrinsic::kName);
}

TEST(TraceqlParser, PipelineStages) {
  auto q = ParseOk("{ status = error } | by(resource.service.name) | count() > 1 | coalesce() | "
                   "select(span.http.url, span:name)");
  const auto& s = q->pipeline->stages;
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].kind, Stage::Kind::kSpanset);
  EXPECT_EQ(s[1].kind, Stage::Kind::kGroupBy);
  EXPECT_EQ(s[2].kind, Stage::Kind::kScalarFilter);
  EXPECT_EQ(s[2].scalar_filter->lhs->aggregate, AggregateOp::kCount);
  EXPECT_EQ(s[3].kind, Stage::Kind::kCoalesce);
  ASSERT_EQ(s[4].select.size(), 2u);
}

TEST(TraceqlParser, ParenthesisedPipelinesCombineWithSpansetOperators) {
  auto q = ParseOk("({ .a } | count() > 1) && ({ .b } | count() > 1)");
  const SpansetExpr& e = *q->pipeline->stages[0].spanset;
  EXPECT_EQ(e.kind, SpansetExpr::Kind::kOperation);
  EXPECT_EQ(e.lhs->kind, SpansetExpr::Kind::kPipeline);
  EXPECT_EQ(e.lhs->pipeline->stages.size(), 2u);
}

TEST(TraceqlParser, MetricsPipelineWithSecondStages) {
  auto q = ParseOk("{ } | quantile_over_time(span:duration, .99, .5) by (span:name) > 1s "
                   "| topk(5) with (sample=0.1)");
  ASSERT_TRUE(q->IsMetrics());
  const MetricsExpr& m = *q->metrics;
  EXPECT_EQ(m.kind, MetricsExpr::Kind::kLeaf);
  EXPECT_EQ(m.aggregate->function, MetricsFunction::kQuantileOverTime);
  EXPECT_EQ(m.aggregate->quantiles, (std::vector<double>{0.99, 0.5}));
  ASSERT_EQ(m.second_stages.size(), 2u);
  EXPECT_EQ(m.second_stages[0].kind, SecondStage::Kind::kFilter);
  EXPECT_EQ(m.second_stages[1].kind, SecondStage::Kind::kTopK);
  ASSERT_EQ(q->hints.size(), 1u);
  EXPECT_EQ(q->hints[0].name, "sample");
}

TEST(TraceqlParser, MetricsArithmetic) {
  auto q = ParseOk("100 * ({ status = error } | rate()) / ({ } | rate())");
  const MetricsExpr& m = *q->metrics;
  EXPECT_EQ(m.kind, MetricsExpr::Kind::kBinary);
  EXPECT_EQ(m.op, ArithOp::kDiv);
  EXPECT_EQ(m.lhs->op, ArithOp::kMul);
  EXPECT_EQ(m.lhs->lhs->kind, MetricsExpr::Kind::kLiteral);
}

TEST(TraceqlParser, CompareArguments) {
  auto q = ParseOk("{ } | compare({ status = error }, 20, 1000, 2000)");
  const MetricsAggregate& a = *q->metrics->aggregate;
  EXPECT_EQ(a.compare_top_n, 20);
  EXPECT_EQ(a.compare_start_ns, 1000);
  EXPECT_EQ(a.compare_end_ns, 2000);
  ParseFails("{ } | compare({ status = error }, 20, 1000)");
}

TEST(TraceqlParser, ReportsPositionOfTheOffendingToken) {
  ParseError err = ParseFails("{ .a = 1 }\n| count()");
  EXPECT_EQ(err.kind, ParseError::Kind::kParse);
  EXPECT_EQ(err.line, 2);
  EXPECT_EQ(err.column, 3);
  err = ParseFails("{ .a == 1 }");
  EXPECT_EQ(err.column, 7);
}

TEST(TraceqlParser, RejectsShapesTempoGrammarRejects) {
  ParseFails("{ true } | count()");
  ParseFails("coalesce() | { true }");
  ParseFails("count() > 3 && { true }");
  ParseFails("({ true } | count()) + ({ true } | count())");
  ParseFails("2 < (by(namespace) | count())");
  ParseFails("rate()");
  ParseFails("{ } | rate() | { }");
  ParseFails("{ } | topk(5)");
  ParseFails("{ .a } | with (x=1)");
}

TEST(TraceqlParser, DeepNestingFailsInsteadOfOverflowingTheStack) {
  std::string q = "{ " + std::string(5000, '(') + ".a" + std::string(5000, ')') + " }";
  ParseError err = ParseFails(q);
  EXPECT_NE(err.message.find("deeply"), std::string::npos);
}

}  // namespace
}  // namespace th::query::traceql

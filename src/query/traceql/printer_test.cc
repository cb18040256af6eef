#include <string>

#include "gtest/gtest.h"
#include "query/traceql/traceql.h"

namespace th::query::traceql {
namespace {

std::string Canonical(std::string_view q) {
  ParseError err;
  auto r = Parse(q, &err);
  EXPECT_TRUE(r.ok()) << q << ": " << err.ToString();
  return r.ok() ? Print(**r) : "";
}

TEST(TraceqlPrinter, EmitsCanonicalSpacing) {
  EXPECT_EQ(Canonical("{.a=1&&span.b!=\"x\"}"), "{ .a = 1 && span.b != \"x\" }");
  EXPECT_EQ(Canonical("{}"), "{ }");
  EXPECT_EQ(Canonical("{ true }"), "{ }");
  EXPECT_EQ(Canonical("{.a}>>{.b}|count()>2"), "{ .a } >> { .b } | count() > 2");
}

TEST(TraceqlPrinter, KeepsOnlyNeededParentheses) {
  EXPECT_EQ(Canonical("{ (.a + .b) * .c = 1 }"), "{ (.a + .b) * .c = 1 }");
  EXPECT_EQ(Canonical("{ .a + (.b * .c) = 1 }"), "{ .a + .b * .c = 1 }");
  EXPECT_EQ(Canonical("{ (.a ^ .b) ^ .c = 1 }"), "{ (.a ^ .b) ^ .c = 1 }");
  EXPECT_EQ(Canonical("{ .a || (.b && .c) }"), "{ .a || (.b && .c) }");
  EXPECT_EQ(Canonical("{ !(.a = 1) }"), "{ !(.a = 1) }");
  EXPECT_EQ(Canonical("{ .a } && ({ .b } || { .c })"), "{ .a } && ({ .b } || { .c })");
}

TEST(TraceqlPrinter, KeepsIntrinsicSpellingAndQuotesOddNames) {
  EXPECT_EQ(Canonical("{ duration > 1s && span:duration > 1s }"),
            "{ duration > 1s && span:duration > 1s }");
  EXPECT_EQ(Canonical("{ span.\"a b\".c = 1 }"), "{ span.\"a b.c\" = 1 }");
  EXPECT_EQ(Canonical("{ .\"3x\" = 1 }"), "{ .\"3x\" = 1 }");
  // parent.* is unsupported, so only ParseSyntax accepts it.
  auto q = ParseSyntax("{ parent.\"span.x\" = 1 }");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(Print(**q), "{ parent.\"span.x\" = 1 }");
}

TEST(TraceqlPrinter, PrintsLiteralsSoTheyRelex) {
  EXPECT_EQ(Canonical("{ .a = 1h15m30.5s }"), "{ .a = 1h15m30s500ms }");
  EXPECT_EQ(Canonical("{ .a = 1.0 }"), "{ .a = 1.0 }");
  EXPECT_EQ(Canonical("{ .a = minInt }"), "{ .a = minInt }");
  EXPECT_EQ(Canonical("{ .a = `x\"y` }"), "{ .a = \"x\\\"y\" }");
  EXPECT_EQ(Canonical("{ .a = -1.5 && .b = -2s }"), "{ .a = -1.5 && .b = -2s }");
}

TEST(TraceqlPrinter, PrintsMetricsAndHints) {
  EXPECT_EQ(Canonical("{}|rate()by(resource.service.name)>10|topk(3)with(sample=true)"),
            "{ } | rate() by (resource.service.name) > 10 | topk(3) with (sample = true)");
  EXPECT_EQ(Canonical("(({status=error}|rate()))"), "{ status = error } | rate()");
  EXPECT_EQ(Canonical("100*({status=error}|rate())/({}|rate())"),
            "100 * ({ status = error } | rate()) / ({ } | rate())");
}

}  // namespace
}  // namespace th::query::traceql

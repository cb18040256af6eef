#include <string>

#include "gtest/gtest.h"
#include "query/traceql/traceql.h"

namespace th::query::traceql {
namespace {

ParseError Fails(std::string_view q) {
  ParseError err;
  auto r = Parse(q, &err);
  EXPECT_FALSE(r.ok()) << q;
  return err;
}

void ExpectValidationError(std::string_view q) {
  ParseError err = Fails(q);
  EXPECT_EQ(err.kind, ParseError::Kind::kValidation) << q << ": " << err.ToString();
}

void ExpectUnsupported(std::string_view q) {
  ParseError err = Fails(q);
  EXPECT_EQ(err.kind, ParseError::Kind::kUnsupported) << q << ": " << err.ToString();
}

TEST(TraceqlValidate, TypeErrorsBetweenLiteralsAndIntrinsics) {
  ExpectValidationError("{ 1 = \"foo\" }");
  ExpectValidationError("{ status > ok }");
  ExpectValidationError("{ rootServiceName = 1 }");
  ExpectValidationError("{ -true }");
  ExpectValidationError("{ !1 = 1 }");
  ExpectValidationError("{ 1 =~ 2 }");
  ExpectValidationError("{ \"foo\" }");
}

TEST(TraceqlValidate, ReportsPositionOfTheBadOperator) {
  ParseError err = Fails("{ .a = 1 &&\n  1 = \"x\" }");
  EXPECT_EQ(err.line, 2);
  EXPECT_EQ(err.column, 5);
  EXPECT_EQ(err.ToString().rfind("validation error at line 2, col 5: ", 0), 0u) << err.ToString();
}

TEST(TraceqlValidate, RegexMustCompile) {
  ParseError err = Fails("{ span.foo =~ \"[\" }");
  EXPECT_EQ(err.kind, ParseError::Kind::kValidation);
  EXPECT_EQ(err.column, 15);
}

TEST(TraceqlValidate, NilOnlyWithPlainAttributes) {
  ExpectValidationError("{ name = nil }");
  ExpectValidationError("{ span:duration != nil }");
  ExpectValidationError("{ resource.service.name != nil }");
  EXPECT_TRUE(Parse("{ resource.foo = nil }").ok());
}

TEST(TraceqlValidate, DivisionByConstantZero) {
  ExpectValidationError("{ .a / 0 = 1 }");
  ExpectValidationError("{ .a % 0.0 = 1 }");
}

TEST(TraceqlValidate, AggregatesNeedNumericSpanReferences) {
  ExpectValidationError("sum(3) = 2");
  ExpectValidationError("min(1 = 3) = 1");
  ExpectValidationError("{ } | max(name) > 1");
  ExpectValidationError("{ true } | by(1)");
}

TEST(TraceqlValidate, MetricsRules) {
  ExpectValidationError("{ } | rate() | topk(0)");
  ExpectValidationError("{ } | compare({ status = error }) | topk(5)");
  ExpectValidationError("{ } | compare({ status = error }) > 1");
  ExpectValidationError("({ } | compare({ status = error })) / ({ } | rate())");
  ExpectValidationError("({ } | rate()) % ({ } | rate())");
  ExpectValidationError("({ } | rate()) * 2s");
  ExpectValidationError("{ } | quantile_over_time(duration, 1.5)");
  ExpectValidationError("{ } | min_over_time(span:name)");
}

TEST(TraceqlValidate, UnsupportedFeatures) {
  ExpectUnsupported("{ parent.a != 3 }");
  ExpectUnsupported("{ parent }");
  ExpectUnsupported("min(.field) < max(duration)");
  ExpectUnsupported("3 = 2");
  ExpectUnsupported("({ .a } | count()) > ({ .b } | count())");
  ParseError err = Fails("{ parent.a = 1 }");
  EXPECT_FALSE(err.ToStatus().ok());
  EXPECT_EQ(err.ToStatus().code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace th::query::traceql

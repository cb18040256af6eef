#include "query/exec/pushdown.h"

#include <gtest/gtest.h>

#include "query/traceql/traceql.h"

namespace th::query::exec {
namespace {

store::ScanPredicate For(std::string_view q) {
  auto parsed = traceql::Parse(q);
  EXPECT_TRUE(parsed.ok()) << q << ": " << parsed.status();
  return parsed.ok() ? ExtractScanPredicate(**parsed) : store::ScanPredicate();
}

TEST(PushDown, ExtractsAndedComparisonsOfTheFirstFilter) {
  store::ScanPredicate p = For(
      R"({ resource.service.name = "checkout" && status = error && duration > 2s } | count() > 1)");
  ASSERT_EQ(p.resource_equals.size(), 1u);
  EXPECT_EQ(p.resource_equals[0].first, "service.name");
  EXPECT_EQ(p.resource_equals[0].second, "checkout");
  EXPECT_EQ(p.status_code_equals, 2u);
  EXPECT_EQ(p.min_duration, 2'000'000'001);
  EXPECT_EQ(p.max_duration, INT64_MAX);

  p = For(R"({ name = "GET /cart" && kind = server && 500ms >= duration && span:duration >= 1ms })");
  EXPECT_EQ(p.name_equals, "GET /cart");
  EXPECT_EQ(p.kind_equals, 2u);
  EXPECT_EQ(p.max_duration, 500'000'000);
  EXPECT_EQ(p.min_duration, 1'000'000);
  EXPECT_EQ(For("{ status = ok }").status_code_equals, 1u);
  EXPECT_EQ(For("{ status = unset }").status_code_equals, 0u);
}

TEST(PushDown, LeavesWhatIsNotCertainToTheEngine) {
  for (const char* q : {
           R"({ resource.service.name = "a" || status = error })",    // OR
           R"({ !(resource.service.name = "a") })",                   // negation
           R"({ resource.service.name != "a" })",                     // not equal
           R"({ resource.service.name =~ "a.*" })",                   // regex
           R"({ resource.service.name = "a" } && { status = error })",  // two filters
           R"({ resource.service.name = "a" } > { status = error })",   // structural
           R"({ span.http.status_code != 500 })",                      // not equal
           R"({ event.exception.type = "x" })",                        // event scope
           R"({ span.x = 2s })",                                       // duration literal
           R"({ trace:duration > 2s })",                               // trace-level intrinsic
           R"(({ duration > 2s } | rate()) + ({ status = error } | rate()))",  // two leaves
       }) {
    SCOPED_TRACE(q);
    EXPECT_TRUE(For(q).empty());
  }
}

TEST(PushDown, ExtractsAttributeEqualities) {
  using Eq = store::AttributeEquals;
  store::ScanPredicate p =
      For(R"({ span.http.status_code = 500 && .service.name = "checkout" && resource.n = 2.5 })");
  ASSERT_EQ(p.attribute_equals.size(), 3u);
  EXPECT_EQ(p.attribute_equals[0].scope, Eq::Scope::kSpan);
  EXPECT_EQ(p.attribute_equals[0].key, "http.status_code");
  EXPECT_EQ(p.attribute_equals[0].type, Eq::Type::kInt);
  EXPECT_EQ(p.attribute_equals[0].int_value, 500);
  EXPECT_EQ(p.attribute_equals[1].scope, Eq::Scope::kAny);
  EXPECT_EQ(p.attribute_equals[1].type, Eq::Type::kString);
  EXPECT_EQ(p.attribute_equals[1].string_value, "checkout");
  EXPECT_EQ(p.attribute_equals[2].scope, Eq::Scope::kResource);
  EXPECT_EQ(p.attribute_equals[2].type, Eq::Type::kDouble);
  EXPECT_EQ(p.attribute_equals[2].double_value, 2.5);
  p = For("{ 500 = span.code && span.ok = true }");
  ASSERT_EQ(p.attribute_equals.size(), 2u);
  EXPECT_EQ(p.attribute_equals[0].int_value, 500);
  EXPECT_EQ(p.attribute_equals[1].type, Eq::Type::kBool);
  EXPECT_TRUE(p.attribute_equals[1].bool_value);
  EXPECT_TRUE(For(R"({ resource.service.name = "a" })").attribute_equals.empty());
}

TEST(PushDown, MetricsQueriesWithOneLeafUseItsFilter) {
  store::ScanPredicate p = For(R"({ resource.service.name = "payment" } | rate() by (name))");
  ASSERT_EQ(p.resource_equals.size(), 1u);
  EXPECT_EQ(p.resource_equals[0].second, "payment");
}

}  // namespace
}  // namespace th::query::exec

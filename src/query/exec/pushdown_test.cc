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
           R"({ .service.name = "checkout" })",                       // unscoped: span or resource
           R"({ resource.service.name = "a" || status = error })",    // OR
           R"({ !(resource.service.name = "a") })",                   // negation
           R"({ resource.service.name != "a" })",                     // not equal
           R"({ resource.service.name =~ "a.*" })",                   // regex
           R"({ resource.service.name = "a" } && { status = error })",  // two filters
           R"({ resource.service.name = "a" } > { status = error })",   // structural
           R"({ span.http.status_code = 500 })",                       // span attributes: not yet
           R"({ trace:duration > 2s })",                               // trace-level intrinsic
           R"(({ duration > 2s } | rate()) + ({ status = error } | rate()))",  // two leaves
       }) {
    SCOPED_TRACE(q);
    EXPECT_TRUE(For(q).empty());
  }
}

TEST(PushDown, MetricsQueriesWithOneLeafUseItsFilter) {
  store::ScanPredicate p = For(R"({ resource.service.name = "payment" } | rate() by (name))");
  ASSERT_EQ(p.resource_equals.size(), 1u);
  EXPECT_EQ(p.resource_equals[0].second, "payment");
}

}  // namespace
}  // namespace th::query::exec

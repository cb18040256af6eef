#include "pipeline/processor/internal/match_properties.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/processor/internal/batch_edit.h"
#include "pipeline/processor/internal/test_batch.h"

namespace th::pipeline::processor {
namespace {

using ::testing::HasSubstr;
using namespace testing;  // NOLINT: test helpers

config::Node Parse(std::string_view yaml) {
  Result<config::Node> n = config::Node::Parse(yaml, "c.yaml");
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *n : config::Node();
}

Result<SpanSelector> Selector(std::string_view yaml) {
  config::Node root = Parse(yaml);
  return SpanSelector::Parse(root["p"]);
}

// Resource 0: svc "checkout" (env=prod); resource 1: no service.name.
// span 0 "GET /health" {http.target=/healthz, http.status=200}, kind server, scope "otel-go" 1.2
// span 1 "GET /cart"   {http.target=/cart, retries=3, ok=true}, kind client, scope "otel-go" 1.2
// span 2 "work"        {},                                    kind internal, scope "mine" ""
model::SpanBatch MakeBatch() {
  model::SpanBatch b;
  uint32_t r0 =
      AddResource(b, AddAttrs(b, {{"service.name", Str(b, "checkout")}, {"env", Str(b, "prod")}}));
  uint32_t r1 = AddResource(b, AddAttrs(b, {}));
  uint32_t s0 = AddScope(b, r0, "otel-go", "1.2");
  uint32_t s1 = AddScope(b, r1, "mine", "");
  AddSpan(b, s0, "GET /health",
          AddAttrs(b, {{"http.target", Str(b, "/healthz")}, {"http.status", Int(200)}}),
          model::kSpanKindServer);
  AddSpan(b, s0, "GET /cart",
          AddAttrs(b, {{"http.target", Str(b, "/cart")},
                       {"retries", Int(3)},
                       {"ok", Bool(true)},
                       {"ratio", Dbl(0.5)}}),
          model::kSpanKindClient);
  AddSpan(b, s1, "work", {}, model::kSpanKindInternal);
  return b;
}

std::vector<bool> Selected(const SpanSelector& s, const model::SpanBatch& b) {
  std::vector<bool> out;
  for (uint32_t i = 0; i < b.span_count(); ++i) out.push_back(s.Selects(b, i));
  return out;
}

TEST(SpanSelector, ExcludeRegexpOnAttributeDropsHealthChecks) {
  auto s = Selector(
      "p:\n  exclude:\n    match_type: regexp\n    attributes: [{key: http.target, value: "
      "\"^/health.*\"}]\n");
  ASSERT_TRUE(s.ok()) << s.status();
  model::SpanBatch b = MakeBatch();
  EXPECT_EQ(Selected(*s, b), (std::vector<bool>{false, true, true}));
}

TEST(SpanSelector, IncludeStrictServicesKeepsOnlyThatService) {
  auto s = Selector("p:\n  include: {match_type: strict, services: [checkout]}\n");
  ASSERT_TRUE(s.ok()) << s.status();
  model::SpanBatch b = MakeBatch();
  EXPECT_EQ(Selected(*s, b), (std::vector<bool>{true, true, false}));
}

TEST(SpanSelector, MissingServiceNameMatchesNilServiceName) {
  auto s = Selector("p:\n  include: {match_type: strict, services: [\"<nil-service-name>\"]}\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Selected(*s, MakeBatch()), (std::vector<bool>{false, false, true}));
}

TEST(SpanSelector, IncludeThenExcludeBothApply) {
  auto s = Selector(
      "p:\n  include: {match_type: regexp, span_names: [\"^GET \"]}\n"
      "  exclude: {match_type: strict, span_names: [GET /cart]}\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Selected(*s, MakeBatch()), (std::vector<bool>{true, false, false}));
}

TEST(SpanSelector, AllPropertiesOfABlockMustMatch) {
  auto s = Selector(
      "p:\n  include:\n    match_type: strict\n    span_names: [GET /health, GET /cart]\n"
      "    span_kinds: [SPAN_KIND_CLIENT]\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(Selected(*s, MakeBatch()), (std::vector<bool>{false, true, false}));
}

TEST(SpanSelector, StrictAttributeValuesCompareTyped) {
  model::SpanBatch b = MakeBatch();
  auto ints =
      Selector("p:\n  include: {match_type: strict, attributes: [{key: retries, value: 3}]}\n");
  ASSERT_TRUE(ints.ok());
  EXPECT_EQ(Selected(*ints, b), (std::vector<bool>{false, true, false}));
  auto bools =
      Selector("p:\n  include: {match_type: strict, attributes: [{key: ok, value: true}]}\n");
  ASSERT_TRUE(bools.ok());
  EXPECT_EQ(Selected(*bools, b), (std::vector<bool>{false, true, false}));
  auto wrong =
      Selector("p:\n  include: {match_type: strict, attributes: [{key: retries, value: 4}]}\n");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(Selected(*wrong, b), (std::vector<bool>{false, false, false}));
}

TEST(SpanSelector, AttributeWithoutValueOnlyNeedsTheKey) {
  auto s = Selector("p:\n  include: {match_type: strict, attributes: [{key: http.status}]}\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Selected(*s, MakeBatch()), (std::vector<bool>{true, false, false}));
}

TEST(SpanSelector, RegexpMatchesStringFormOfNumbers) {
  auto s = Selector(
      "p:\n  include: {match_type: regexp, attributes: [{key: http.status, value: \"^2..$\"}]}\n");
  ASSERT_TRUE(s.ok());
  auto d = Selector(
      "p:\n  include: {match_type: regexp, attributes: [{key: ratio, value: \"^0\\\\.5$\"}]}\n");
  ASSERT_TRUE(d.ok()) << d.status();
  model::SpanBatch b = MakeBatch();
  EXPECT_EQ(Selected(*s, b), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(Selected(*d, b), (std::vector<bool>{false, true, false}));
}

TEST(SpanSelector, ResourcesAndLibrariesMatch) {
  auto res =
      Selector("p:\n  include: {match_type: strict, resources: [{key: env, value: prod}]}\n");
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(Selected(*res, MakeBatch()), (std::vector<bool>{true, true, false}));
  auto lib = Selector(
      "p:\n  include: {match_type: strict, libraries: [{name: otel-go, version: \"1.2\"}]}\n");
  ASSERT_TRUE(lib.ok());
  EXPECT_EQ(Selected(*lib, MakeBatch()), (std::vector<bool>{true, true, false}));
  auto any_version = Selector("p:\n  include: {match_type: strict, libraries: [{name: mine}]}\n");
  ASSERT_TRUE(any_version.ok());
  EXPECT_EQ(Selected(*any_version, MakeBatch()), (std::vector<bool>{false, false, true}));
  auto empty_version = Selector(
      "p:\n  include: {match_type: strict, libraries: [{name: otel-go, version: \"\"}]}\n");
  ASSERT_TRUE(empty_version.ok());
  EXPECT_EQ(Selected(*empty_version, MakeBatch()), (std::vector<bool>{false, false, false}));
}

TEST(SpanSelector, ConfigErrorsNameFileLineAndColumn) {
  auto no_type = Selector("p:\n  include:\n    services: [a]\n");
  ASSERT_FALSE(no_type.ok());
  EXPECT_THAT(no_type.status().message(), HasSubstr("c.yaml:3:5"));
  EXPECT_THAT(no_type.status().message(), HasSubstr("unrecognized match_type"));

  auto bad_re = Selector("p:\n  exclude:\n    match_type: regexp\n    span_names: [\"a(\"]\n");
  ASSERT_FALSE(bad_re.ok());
  EXPECT_THAT(bad_re.status().message(), HasSubstr("c.yaml:4:18"));
  EXPECT_THAT(bad_re.status().message(), HasSubstr("invalid regexp"));

  auto unknown = Selector("p:\n  exclude:\n    match_type: strict\n    servics: [a]\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("servics"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("c.yaml:4"));

  auto empty = Selector("p:\n  exclude:\n    match_type: strict\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("at least one of"));

  auto kind = Selector("p:\n  exclude: {match_type: strict, span_kinds: [server]}\n");
  ASSERT_FALSE(kind.ok());
  EXPECT_THAT(kind.status().message(), HasSubstr("standard span kinds"));
}

TEST(BatchEdit, DropUnreferencedScopesRenumbers) {
  model::SpanBatch b = MakeBatch();
  b.spans.Compact({false, false, true});  // only the span of scope 1 / resource 1 remains
  DropUnreferencedScopes(b);
  ASSERT_EQ(b.scopes.size(), 1u);
  ASSERT_EQ(b.resources.size(), 1u);
  EXPECT_EQ(b.scopes[0].name, "mine");
  EXPECT_EQ(b.scopes[0].resource, 0u);
  EXPECT_EQ(b.spans.scope[0], 0u);
  EXPECT_EQ(b.resources[0].attributes.count, 0u);
}

TEST(BatchEdit, MarkModifiedForgetsEveryCachedEncoding) {
  model::SpanBatch b = MakeBatch();
  MarkModified(b);
  EXPECT_TRUE(b.otlp_encoding.empty());
  for (auto w : b.spans.wire) EXPECT_TRUE(w.empty());
  for (const auto& s : b.scopes) EXPECT_TRUE(s.wire.empty());
  for (const auto& r : b.resources) EXPECT_TRUE(r.wire.empty());
}

}  // namespace
}  // namespace th::pipeline::processor

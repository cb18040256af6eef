#include "pipeline/processor/internal/attribute_actions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/processor/internal/test_batch.h"

namespace th::pipeline::processor {
namespace {

using ::testing::HasSubstr;
using namespace testing;  // NOLINT: test helpers

Result<AttributeActions> ParseActions(std::string_view yaml) {
  Result<config::Node> root = config::Node::Parse(yaml, "a.yaml");
  if (!root.ok()) return root.status();
  return AttributeActions::Parse((*root)["actions"]);
}

struct Fixture {
  model::SpanBatch b;
  model::Range attrs;
  Fixture() {
    attrs = AddAttrs(b, {{"http.url", Str(b, "http://shop/cart?id=7")},
                         {"user", Str(b, "alice")},
                         {"count", Str(b, "42")},
                         {"ratio", Str(b, "2.5")},
                         {"n", Int(42)},
                         {"flag", Bool(true)},
                         {"d", Dbl(1.5)}});
  }
  bool Run(std::string_view yaml) {
    auto actions = ParseActions(yaml);
    EXPECT_TRUE(actions.ok()) << actions.status();
    if (!actions.ok()) return false;
    AttributeEditor editor(b);
    return editor.Apply(*actions, &attrs);
  }
  std::string Get(std::string_view key) { return Attr(b, attrs, key); }
};

TEST(AttributeActions, InsertOnlyWhenAbsentUpdateOnlyWhenPresentUpsertAlways) {
  Fixture f;
  EXPECT_TRUE(
      f.Run("actions:\n"
            "  - {key: user, action: insert, value: bob}\n"
            "  - {key: env, action: insert, value: prod}\n"
            "  - {key: missing, action: update, value: x}\n"
            "  - {key: n, action: update, value: 7}\n"
            "  - {key: region, action: upsert, value: eu}\n"
            "  - {key: flag, action: upsert, value: false}\n"
            "  - {key: pi, action: upsert, value: 3.25}\n"));
  EXPECT_EQ(f.Get("user"), "s:alice");
  EXPECT_EQ(f.Get("env"), "s:prod");
  EXPECT_EQ(f.Get("missing"), "<absent>");
  EXPECT_EQ(f.Get("n"), "i:7");
  EXPECT_EQ(f.Get("region"), "s:eu");
  EXPECT_EQ(f.Get("flag"), "b:false");
  EXPECT_EQ(f.Get("pi"), "d:3.25");
}

TEST(AttributeActions, NewSliceIsContiguousAtTheEndAndOldOneUntouched) {
  Fixture f;
  model::Range before = f.attrs;
  ASSERT_TRUE(f.Run("actions: [{key: env, action: insert, value: prod}]\n"));
  EXPECT_EQ(f.attrs.begin, before.end());
  EXPECT_EQ(f.attrs.count, before.count + 1);
  EXPECT_EQ(f.attrs.end(), f.b.key_values.size());
  EXPECT_EQ(Attr(f.b, before, "env"), "<absent>");
}

TEST(AttributeActions, NoChangeLeavesTheRangeAlone) {
  Fixture f;
  model::Range before = f.attrs;
  EXPECT_FALSE(
      f.Run("actions: [{key: nope, action: delete}, {key: user, action: insert, value: x}]\n"));
  EXPECT_EQ(f.attrs, before);
  EXPECT_EQ(f.b.key_values.size(), before.end());
}

TEST(AttributeActions, FromAttributeCopiesAndSkipsWhenSourceMissing) {
  Fixture f;
  f.Run(
      "actions:\n"
      "  - {key: who, action: upsert, from_attribute: user}\n"
      "  - {key: none, action: upsert, from_attribute: nothing}\n"
      "  - {key: copy_n, action: insert, from_attribute: n}\n");
  EXPECT_EQ(f.Get("who"), "s:alice");
  EXPECT_EQ(f.Get("none"), "<absent>");
  EXPECT_EQ(f.Get("copy_n"), "i:42");
}

TEST(AttributeActions, FromContextReadsOnlyTheTenant) {
  Fixture f;
  f.b.tenant = "team-a";
  f.Run(
      "actions:\n"
      "  - {key: tenant, action: upsert, from_context: metadata.X-Scope-OrgID}\n"
      "  - {key: ip, action: upsert, from_context: client.address}\n");
  EXPECT_EQ(f.Get("tenant"), "s:team-a");
  EXPECT_EQ(f.Get("ip"), "<absent>");
}

TEST(AttributeActions, DeleteByKeyAndPattern) {
  Fixture f;
  f.Run("actions: [{key: user, action: delete}, {pattern: \"^(count|ratio)$\", action: delete}]\n");
  EXPECT_EQ(f.Get("user"), "<absent>");
  EXPECT_EQ(f.Get("count"), "<absent>");
  EXPECT_EQ(f.Get("ratio"), "<absent>");
  EXPECT_EQ(f.Get("n"), "i:42");
  EXPECT_EQ(f.attrs.count, 4u);
}

TEST(AttributeActions, HashIsSha256HexOfTheValueBytes) {
  Fixture f;
  f.Run(
      "actions:\n"
      "  - {key: n, action: hash}\n"
      "  - {key: flag, action: hash}\n"
      "  - {key: d, action: hash}\n"
      "  - {pattern: ^user$, action: hash}\n");
  EXPECT_EQ(f.Get("n"), "s:ed049108bc18f2c64369e8d0ea42850bdd1a7d1dd340cfde716315579702a76c");
  EXPECT_EQ(f.Get("flag"), "s:4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a");
  EXPECT_EQ(f.Get("d"), "s:e163f8cb0f7067a7fc78ca859a77f849aea3214f38fb75b884e4a16be725c905");
  // sha256("alice")
  EXPECT_EQ(f.Get("user"), "s:2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90");
}

TEST(AttributeActions, ExtractNamedGroupsIntoAttributes) {
  Fixture f;
  f.Run(
      "actions:\n"
      "  - key: http.url\n"
      "    action: extract\n"
      "    pattern: ^(?P<scheme>[a-z]+)://(?P<host>[^/]+)/(?P<path>[^?]*)\n"
      "  - {key: n, action: extract, pattern: \"(?P<x>.*)\"}\n");
  EXPECT_EQ(f.Get("scheme"), "s:http");
  EXPECT_EQ(f.Get("host"), "s:shop");
  EXPECT_EQ(f.Get("path"), "s:cart");
  EXPECT_EQ(f.Get("x"), "<absent>");  // extract reads only string values
}

TEST(AttributeActions, ConvertFollowsTheCollector) {
  Fixture f;
  f.Run(
      "actions:\n"
      "  - {key: count, action: convert, converted_type: int}\n"
      "  - {key: ratio, action: convert, converted_type: double}\n"
      "  - {key: user, action: convert, converted_type: int}\n"
      "  - {key: n, action: convert, converted_type: string}\n"
      "  - {key: flag, action: convert, converted_type: double}\n"
      "  - {key: d, action: convert, converted_type: int}\n");
  EXPECT_EQ(f.Get("count"), "i:42");
  EXPECT_EQ(f.Get("ratio"), "d:2.5");
  EXPECT_EQ(f.Get("user"), "s:alice");  // does not convert: left as is
  EXPECT_EQ(f.Get("n"), "s:42");
  EXPECT_EQ(f.Get("flag"), "d:1");
  EXPECT_EQ(f.Get("d"), "i:1");
}

TEST(AttributeActions, ArrayValuesAreInsertedIntoTheBatch) {
  Fixture f;
  f.Run("actions: [{key: tags, action: insert, value: [a, 2]}]\n");
  EXPECT_EQ(f.Get("tags"), "other:[\"a\",2]");
}

TEST(AttributeActions, ConfigErrorsNameTheAction) {
  auto bad_action = ParseActions("actions:\n  - {key: a, action: frobnicate, value: 1}\n");
  ASSERT_FALSE(bad_action.ok());
  EXPECT_THAT(bad_action.status().message(), HasSubstr("a.yaml:2:"));
  EXPECT_THAT(bad_action.status().message(), HasSubstr("unsupported action \"frobnicate\""));

  auto no_source = ParseActions("actions:\n  - {key: a, action: upsert}\n");
  ASSERT_FALSE(no_source.ok());
  EXPECT_THAT(no_source.status().message(), HasSubstr("must be specified"));

  auto two_sources =
      ParseActions("actions:\n  - {key: a, action: upsert, value: 1, from_attribute: b}\n");
  ASSERT_FALSE(two_sources.ok());
  EXPECT_THAT(two_sources.status().message(), HasSubstr("multiple value sources"));

  auto unnamed =
      ParseActions("actions:\n  - {key: a, action: extract, pattern: \"(x)(?P<y>z)\"}\n");
  ASSERT_FALSE(unnamed.ok());
  EXPECT_THAT(unnamed.status().message(), HasSubstr("unnamed matcher group"));

  auto bad_re = ParseActions("actions:\n  - {action: delete, pattern: \"(\"}\n");
  ASSERT_FALSE(bad_re.ok());
  EXPECT_THAT(bad_re.status().message(), HasSubstr("a.yaml:2:"));
  EXPECT_THAT(bad_re.status().message(), HasSubstr("invalid pattern"));

  auto bad_type = ParseActions("actions:\n  - {key: a, action: convert, converted_type: long}\n");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_THAT(bad_type.status().message(), HasSubstr("invalid value \"long\""));

  auto unknown_key = ParseActions("actions:\n  - {key: a, action: delete, vaule: 1}\n");
  ASSERT_FALSE(unknown_key.ok());
  EXPECT_THAT(unknown_key.status().message(), HasSubstr("vaule"));

  auto no_key = ParseActions("actions:\n  - {action: delete}\n");
  ASSERT_FALSE(no_key.ok());
  EXPECT_THAT(no_key.status().message(), HasSubstr("\"key\" and \"pattern\""));
}

}  // namespace
}  // namespace th::pipeline::processor

#include "common/config/node.h"

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace th::config {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

Node MustParse(std::string_view text) {
  Result<Node> n = Node::Parse(text, "c.yaml");
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *n : Node();
}

TEST(ConfigNode, ReadsTypedValuesAndKeepsDefaultsForAbsentKeys) {
  Node root = MustParse(
      "batch:\n"
      "  timeout: 1s\n"
      "  send_batch_size: 1024\n"
      "  enabled: true\n"
      "  ratio: 0.25\n"
      "  keys: [a, b]\n"
      "  one: x\n"
      "  headers: {k: v}\n");
  Node batch = root["batch"];
  std::chrono::nanoseconds timeout{};
  uint64_t size = 0;
  bool enabled = false;
  double ratio = 0;
  std::vector<std::string> keys, one;
  std::map<std::string, std::string> headers;
  std::string absent = "kept";
  ASSERT_TRUE(batch.GetDuration("timeout", &timeout).ok());
  ASSERT_TRUE(batch.GetUint("send_batch_size", &size).ok());
  ASSERT_TRUE(batch.GetBool("enabled", &enabled).ok());
  ASSERT_TRUE(batch.GetDouble("ratio", &ratio).ok());
  ASSERT_TRUE(batch.GetStringList("keys", &keys).ok());
  ASSERT_TRUE(batch.GetStringList("one", &one).ok());
  ASSERT_TRUE(batch.GetStringMap("headers", &headers).ok());
  ASSERT_TRUE(batch.GetString("nothing", &absent).ok());
  EXPECT_EQ(timeout, 1s);
  EXPECT_EQ(size, 1024u);
  EXPECT_TRUE(enabled);
  EXPECT_EQ(ratio, 0.25);
  EXPECT_THAT(keys, ::testing::ElementsAre("a", "b"));
  EXPECT_THAT(one, ::testing::ElementsAre("x"));
  EXPECT_EQ(headers["k"], "v");
  EXPECT_EQ(absent, "kept");
  EXPECT_EQ(batch["timeout"].path(), "batch.timeout");
}

TEST(ConfigNode, ErrorsNameFileLineColumnAndPath) {
  Node root = MustParse("processors:\n  batch:\n    timeout: soon\n    sizee: 3\n");
  std::chrono::nanoseconds d{};
  Status s = root["processors"]["batch"].GetDuration("timeout", &d);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(s), HasSubstr("c.yaml:3:14: processors.batch.timeout: expected a duration"));
  Status keys = root["processors"]["batch"].CheckKeys({"timeout", "send_batch_size"});
  EXPECT_THAT(Message(keys), HasSubstr("c.yaml:4:5: processors.batch.sizee: unknown key (known: "
                                       "timeout, send_batch_size)"));
}

TEST(ConfigNode, NullSectionsArePresentAndPassKeyChecks) {
  Node root = MustParse("processors:\n  batch:\n");
  Node batch = root["processors"]["batch"];
  EXPECT_TRUE(batch.IsPresent());
  EXPECT_TRUE(batch.IsNull());
  EXPECT_TRUE(batch.CheckKeys({"timeout"}).ok());
  EXPECT_FALSE(root["exporters"].IsPresent());
  EXPECT_THAT(Message(batch.Error("boom")), HasSubstr("c.yaml:2:3: processors.batch: boom"));
}

TEST(ConfigNode, ExpandsEnvironmentVariablesBeforeParsing) {
  ::setenv("TH_NODE_TEST_PORT", "4317", 1);
  Node root = MustParse("endpoint: 0.0.0.0:${env:TH_NODE_TEST_PORT}\nraw: $$HOME\n"
                        "d: ${env:TH_NODE_TEST_NOPE:-7s}\n");
  EXPECT_EQ(root["endpoint"].Scalar(), "0.0.0.0:4317");
  EXPECT_EQ(root["raw"].Scalar(), "$HOME");
  std::chrono::nanoseconds d{};
  ASSERT_TRUE(root.GetDuration("d", &d).ok());
  EXPECT_EQ(d, 7s);
}

TEST(ConfigNode, VariablesExpandInsideValuesWithoutChangingTheDocument) {
  ::setenv("TH_NODE_TEST_HOST", "[::1]", 1);
  ::setenv("TH_NODE_TEST_HASH", "a # b", 1);
  Node root = MustParse("endpoint: ${env:TH_NODE_TEST_HOST}:4317\nnote: ${env:TH_NODE_TEST_HASH}\n"
                        "bad: \"${env:X\"\n");
  std::string endpoint, note, bad;
  ASSERT_TRUE(root.GetString("endpoint", &endpoint).ok());
  ASSERT_TRUE(root.GetString("note", &note).ok());
  EXPECT_EQ(endpoint, "[::1]:4317");
  EXPECT_EQ(note, "a # b");
  EXPECT_THAT(Message(root.GetString("bad", &bad)), HasSubstr("c.yaml:3:6: bad:"));
}

TEST(ConfigNode, DuplicateKeysAreErrors) {
  Node root = MustParse("exporters:\n  otlp: {endpoint: a}\n  otlp: {endpoint: b}\n");
  EXPECT_THAT(Message(root["exporters"].CheckNoDuplicateKeys()),
              HasSubstr("c.yaml:3:3: exporters.otlp: duplicate key (first at line 2)"));
  EXPECT_FALSE(root["exporters"].CheckKeys({"otlp"}).ok());
}

TEST(ConfigNode, SyntaxErrorsNameTheLine) {
  Result<Node> n = Node::Parse("a: [1, 2\nb: 3\n", "bad.yaml");
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(Message(n.status()), HasSubstr("bad.yaml:"));
}

TEST(GoDuration, AcceptsGoSyntaxAndRejectsTheRest) {
  std::chrono::nanoseconds d{};
  ASSERT_TRUE(ParseGoDuration("1h2m3.5s", &d));
  EXPECT_EQ(d, 1h + 2min + 3500ms);
  ASSERT_TRUE(ParseGoDuration("300ms", &d));
  EXPECT_EQ(d, 300ms);
  ASSERT_TRUE(ParseGoDuration("2us", &d));
  EXPECT_EQ(d, 2us);
  ASSERT_TRUE(ParseGoDuration("0", &d));
  EXPECT_EQ(d, 0s);
  EXPECT_FALSE(ParseGoDuration("5", &d));
  EXPECT_FALSE(ParseGoDuration("", &d));
  EXPECT_FALSE(ParseGoDuration("1d", &d));
  EXPECT_FALSE(ParseGoDuration("1..2s", &d));
  EXPECT_FALSE(ParseGoDuration("soon", &d));
}

}  // namespace
}  // namespace th::config

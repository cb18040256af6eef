#include "pipeline/processor/attributes/attributes_processor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/node.h"
#include "pipeline/processor/internal/test_batch.h"

namespace th::pipeline {
namespace {

using ::testing::HasSubstr;
using namespace processor::testing;  // NOLINT: test helpers

class Sink : public TracesConsumer {
 public:
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    batches.push_back(std::move(batch));
    done(next_status);
  }
  std::vector<std::unique_ptr<model::SpanBatch>> batches;
  Status next_status;
};

Result<std::unique_ptr<Processor>> Create(std::string_view yaml, Sink* sink) {
  ASSIGN_OR_RETURN(config::Node root, config::Node::Parse(yaml, "a.yaml"));
  CreateSettings settings;
  settings.id = ComponentId{"attributes", ""};
  Host host;
  settings.host = &host;
  return MakeAttributesProcessorFactory()(settings, root["attributes"], sink);
}

// Span 0 "GET /a" {http.method=GET, user=alice} of service "web"; span 1 "query" {user=bob} of
// service "db".
std::unique_ptr<model::SpanBatch> MakeBatch() {
  auto b = std::make_unique<model::SpanBatch>();
  uint32_t r0 = AddResource(*b, AddAttrs(*b, {{"service.name", Str(*b, "web")}}));
  uint32_t r1 = AddResource(*b, AddAttrs(*b, {{"service.name", Str(*b, "db")}}));
  AddSpan(*b, AddScope(*b, r0), "GET /a",
          AddAttrs(*b, {{"http.method", Str(*b, "GET")}, {"user", Str(*b, "alice")}}));
  AddSpan(*b, AddScope(*b, r1), "query", AddAttrs(*b, {{"user", Str(*b, "bob")}}));
  return b;
}

TEST(AttributesProcessor, AppliesActionsToEverySpanAndForgetsTheEncoding) {
  Sink sink;
  auto p = Create(
      "attributes:\n  actions:\n    - {key: env, action: insert, value: prod}\n"
      "    - {key: user, action: hash}\n",
      &sink);
  ASSERT_TRUE(p.ok()) << p.status();
  std::vector<Status> answers;
  (*p)->ConsumeTraces(MakeBatch(), [&](const Status& s) { answers.push_back(s); });
  ASSERT_EQ(sink.batches.size(), 1u);
  const model::SpanBatch& out = *sink.batches[0];
  for (uint32_t i = 0; i < 2; ++i) {
    EXPECT_EQ(Attr(out, out.spans.attributes[i], "env"), "s:prod");
    EXPECT_EQ(Attr(out, out.spans.attributes[i], "user").size(), 2u + 64u);
  }
  EXPECT_EQ(Attr(out, out.spans.attributes[0], "http.method"), "s:GET");
  EXPECT_TRUE(out.otlp_encoding.empty());
  EXPECT_TRUE(out.spans.wire[0].empty());
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_TRUE(answers[0].ok());
}

TEST(AttributesProcessor, IncludeAndExcludeScopeTheSpansChanged) {
  Sink sink;
  auto p = Create(
      "attributes:\n  include: {match_type: strict, services: [web, db]}\n"
      "  exclude: {match_type: regexp, span_names: [\"^que\"]}\n"
      "  actions: [{key: user, action: delete}]\n",
      &sink);
  ASSERT_TRUE(p.ok()) << p.status();
  (*p)->ConsumeTraces(MakeBatch(), [](const Status&) {});
  const model::SpanBatch& out = *sink.batches[0];
  EXPECT_EQ(Attr(out, out.spans.attributes[0], "user"), "<absent>");
  EXPECT_EQ(Attr(out, out.spans.attributes[1], "user"), "s:bob");
}

TEST(AttributesProcessor, UnchangedBatchKeepsItsEncoding) {
  Sink sink;
  auto p = Create("attributes:\n  actions: [{key: nothing, action: update, value: 1}]\n", &sink);
  ASSERT_TRUE(p.ok());
  (*p)->ConsumeTraces(MakeBatch(), [](const Status&) {});
  EXPECT_EQ(sink.batches[0]->otlp_encoding, "encoded");
  EXPECT_EQ(sink.batches[0]->spans.wire[1], "span-wire");
}

TEST(AttributesProcessor, DownstreamAnswerReachesTheSender) {
  Sink sink;
  sink.next_status = absl::ResourceExhaustedError("full");
  auto p = Create("attributes:\n  actions: [{key: a, action: upsert, value: 1}]\n", &sink);
  ASSERT_TRUE(p.ok());
  Status answer;
  (*p)->ConsumeTraces(MakeBatch(), [&](const Status& s) { answer = s; });
  EXPECT_EQ(answer.code(), absl::StatusCode::kResourceExhausted);
}

TEST(AttributesProcessor, ConfigErrors) {
  Sink sink;
  auto missing = Create("attributes:\n  include: {match_type: strict, services: [a]}\n", &sink);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("missing required field \"actions\""));

  auto unknown =
      Create("attributes:\n  actions: [{key: a, action: delete}]\n  acions: []\n", &sink);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("a.yaml:3:3"));

  auto bad_action = Create("attributes:\n  actions:\n    - {key: a, action: rename}\n", &sink);
  ASSERT_FALSE(bad_action.ok());
  EXPECT_THAT(bad_action.status().message(), HasSubstr("a.yaml:3:"));
  EXPECT_THAT(bad_action.status().message(), HasSubstr("unsupported action"));

  auto bad_re = Create(
      "attributes:\n  actions: [{key: a, action: delete}]\n"
      "  exclude: {match_type: regexp, services: [\"[\"]}\n",
      &sink);
  ASSERT_FALSE(bad_re.ok());
  EXPECT_THAT(bad_re.status().message(), HasSubstr("a.yaml:3:"));
  EXPECT_THAT(bad_re.status().message(), HasSubstr("invalid regexp"));
}

}  // namespace
}  // namespace th::pipeline

#include "pipeline/processor/resource/resource_processor.h"

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
  ASSIGN_OR_RETURN(config::Node root, config::Node::Parse(yaml, "r.yaml"));
  CreateSettings settings;
  settings.id = ComponentId{"resource", ""};
  Host host;
  settings.host = &host;
  return MakeResourceProcessorFactory()(settings, root["resource"], sink);
}

std::unique_ptr<model::SpanBatch> MakeBatch() {
  auto b = std::make_unique<model::SpanBatch>();
  uint32_t r0 = AddResource(
      *b, AddAttrs(*b, {{"service.name", Str(*b, "web")}, {"host.name", Str(*b, "h1")}}));
  uint32_t r1 = AddResource(*b, AddAttrs(*b, {}));
  AddSpan(*b, AddScope(*b, r0), "a", AddAttrs(*b, {{"service.name", Str(*b, "span-level")}}));
  AddSpan(*b, AddScope(*b, r1), "b");
  return b;
}

TEST(ResourceProcessor, ActionsApplyToResourceAttributesOnly) {
  Sink sink;
  auto p = Create(
      "resource:\n  attributes:\n"
      "    - {key: deployment.environment, action: upsert, value: staging}\n"
      "    - {key: service.name, action: insert, value: unknown}\n"
      "    - {key: host.name, action: delete}\n",
      &sink);
  ASSERT_TRUE(p.ok()) << p.status();
  Status answer = absl::UnknownError("not called");
  (*p)->ConsumeTraces(MakeBatch(), [&](const Status& s) { answer = s; });
  EXPECT_TRUE(answer.ok());
  ASSERT_EQ(sink.batches.size(), 1u);
  const model::SpanBatch& out = *sink.batches[0];
  EXPECT_EQ(Attr(out, out.resources[0].attributes, "deployment.environment"), "s:staging");
  EXPECT_EQ(Attr(out, out.resources[0].attributes, "service.name"), "s:web");
  EXPECT_EQ(Attr(out, out.resources[0].attributes, "host.name"), "<absent>");
  EXPECT_EQ(Attr(out, out.resources[1].attributes, "service.name"), "s:unknown");
  EXPECT_EQ(Attr(out, out.spans.attributes[0], "service.name"), "s:span-level");
  EXPECT_EQ(Attr(out, out.spans.attributes[0], "deployment.environment"), "<absent>");
  EXPECT_TRUE(out.otlp_encoding.empty());
  EXPECT_TRUE(out.resources[0].wire.empty());
}

TEST(ResourceProcessor, DownstreamAnswerReachesTheSender) {
  Sink sink;
  sink.next_status = absl::UnavailableError("down");
  auto p = Create("resource:\n  attributes: [{key: a, action: upsert, value: 1}]\n", &sink);
  ASSERT_TRUE(p.ok());
  Status answer;
  (*p)->ConsumeTraces(MakeBatch(), [&](const Status& s) { answer = s; });
  EXPECT_EQ(answer.code(), absl::StatusCode::kUnavailable);
}

TEST(ResourceProcessor, ConfigErrors) {
  Sink sink;
  auto missing = Create("resource:\n", &sink);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("missing required field \"attributes\""));

  auto unknown = Create("resource:\n  actions: []\n", &sink);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("r.yaml:2:3"));

  auto bad = Create(
      "resource:\n  attributes:\n    - {key: a, action: extract, pattern: \"(.*)\"}\n", &sink);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("r.yaml:3:"));
  EXPECT_THAT(bad.status().message(), HasSubstr("unnamed matcher group"));
}

}  // namespace
}  // namespace th::pipeline

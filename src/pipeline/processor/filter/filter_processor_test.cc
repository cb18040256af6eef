#include "pipeline/processor/filter/filter_processor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/node.h"
#include "common/strings.h"
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

struct Harness {
  metrics::Registry registry;
  Host host;
  Sink sink;
  std::unique_ptr<Processor> proc;
  std::vector<Status> answers;

  Status Create(std::string_view yaml) {
    host.metrics = &registry;
    Result<config::Node> root = config::Node::Parse(yaml, "f.yaml");
    if (!root.ok()) return root.status();
    CreateSettings settings;
    settings.id = ComponentId{"filter", "x"};
    settings.host = &host;
    Result<std::unique_ptr<Processor>> p =
        MakeFilterProcessorFactory()(settings, (*root)["filter/x"], &sink);
    if (!p.ok()) return p.status();
    proc = std::move(p).value();
    return absl::OkStatus();
  }
  void Send(std::unique_ptr<model::SpanBatch> b) {
    proc->ConsumeTraces(std::move(b), [this](const Status& s) { answers.push_back(s); });
  }
  uint64_t Filtered() {
    return registry
        .GetCounter("otelcol_processor_filter_spans_filtered_total", "", {{"filter", "filter/x"}})
        ->Value();
  }
};

// Resource 0 svc "web": span 0 "GET /healthz" {http.target=/healthz}, span 1 "GET /cart"
// {http.target=/cart} with events "keep" and "grpc.call" {grpc=true}.
// Resource 1 svc "db": span 2 "query" {db.system=postgres}.
std::unique_ptr<model::SpanBatch> MakeBatch() {
  auto b = std::make_unique<model::SpanBatch>();
  uint32_t r0 = AddResource(*b, AddAttrs(*b, {{"service.name", Str(*b, "web")}}));
  uint32_t r1 = AddResource(*b, AddAttrs(*b, {{"service.name", Str(*b, "db")}}));
  uint32_t s0 = AddScope(*b, r0);
  uint32_t s1 = AddScope(*b, r1, "pg");
  AddSpan(*b, s0, "GET /healthz", AddAttrs(*b, {{"http.target", Str(*b, "/healthz")}}));
  uint32_t cart = AddSpan(*b, s0, "GET /cart", AddAttrs(*b, {{"http.target", Str(*b, "/cart")}}));
  AddSpan(*b, s1, "query", AddAttrs(*b, {{"db.system", Str(*b, "postgres")}}),
          model::kSpanKindClient);
  b->events.push_back(model::Event{.name = b->arena.Copy("keep")});
  b->events.push_back(model::Event{.name = b->arena.Copy("grpc.call"),
                                   .attributes = AddAttrs(*b, {{"grpc", Bool(true)}})});
  b->spans.events[cart] = {0, 2};
  return b;
}

std::vector<std::string> Names(const model::SpanBatch& b) {
  std::vector<std::string> out;
  for (auto n : b.spans.name) out.emplace_back(n);
  return out;
}

TEST(FilterProcessor, SeedConfigDropsHealthChecksAndKeepsTheRest) {
  Harness h;
  ASSERT_TRUE(h.Create("filter/x: {spans: {exclude: {match_type: regexp, attributes: "
                       "[{key: http.target, value: \"^/health.*\"}]}}}\n")
                  .ok());
  h.Send(MakeBatch());
  ASSERT_EQ(h.sink.batches.size(), 1u);
  const model::SpanBatch& out = *h.sink.batches[0];
  EXPECT_EQ(Names(out), (std::vector<std::string>{"GET /cart", "query"}));
  EXPECT_EQ(Attr(out, out.spans.attributes[0], "http.target"), "s:/cart");
  EXPECT_TRUE(out.otlp_encoding.empty());
  for (auto w : out.spans.wire) EXPECT_TRUE(w.empty());
  EXPECT_EQ(h.Filtered(), 1u);
  ASSERT_EQ(h.answers.size(), 1u);
  EXPECT_TRUE(h.answers[0].ok());
}

TEST(FilterProcessor, LegacyIncludeKeepsOnlyMatchingAndDropsEmptyResources) {
  Harness h;
  ASSERT_TRUE(h.Create("filter/x:\n  spans:\n    include:\n      match_type: strict\n"
                       "      services: [db]\n")
                  .ok());
  h.Send(MakeBatch());
  ASSERT_EQ(h.sink.batches.size(), 1u);
  const model::SpanBatch& out = *h.sink.batches[0];
  EXPECT_EQ(Names(out), (std::vector<std::string>{"query"}));
  ASSERT_EQ(out.resources.size(), 1u);
  ASSERT_EQ(out.scopes.size(), 1u);
  EXPECT_EQ(out.spans.scope[0], 0u);
  EXPECT_EQ(out.scopes[0].name, "pg");
  EXPECT_EQ(Attr(out, out.resources[0].attributes, "service.name"), "s:db");
  EXPECT_EQ(h.Filtered(), 2u);
}

TEST(FilterProcessor, NothingDroppedPassesTheBatchUntouched) {
  Harness h;
  ASSERT_TRUE(h.Create("filter/x: {traces: {span: ['name == \"nope\"']}}\n").ok());
  h.Send(MakeBatch());
  ASSERT_EQ(h.sink.batches.size(), 1u);
  EXPECT_EQ(h.sink.batches[0]->otlp_encoding, "encoded");
  EXPECT_EQ(h.sink.batches[0]->spans.wire[0], "span-wire");
  EXPECT_EQ(h.Filtered(), 0u);
}

TEST(FilterProcessor, OttlDropsSpansWhenAnyConditionHolds) {
  Harness h;
  ASSERT_TRUE(h.Create("filter/x:\n  error_mode: ignore\n  traces:\n    span:\n"
                       "      - 'attributes[\"http.target\"] == \"/healthz\"'\n"
                       "      - 'resource.attributes[\"service.name\"] == \"db\" and kind == "
                       "SPAN_KIND_CLIENT'\n")
                  .ok());
  h.Send(MakeBatch());
  ASSERT_EQ(h.sink.batches.size(), 1u);
  EXPECT_EQ(Names(*h.sink.batches[0]), (std::vector<std::string>{"GET /cart"}));
  EXPECT_EQ(h.sink.batches[0]->resources.size(), 1u);
  EXPECT_EQ(h.Filtered(), 2u);
}

TEST(FilterProcessor, SpanEventConditionsDropEventsOnly) {
  Harness h;
  ASSERT_TRUE(h.Create("filter/x:\n  traces:\n    spanevent: ['attributes[\"grpc\"] == true', "
                       "'IsMatch(name, \".*nothing.*\")']\n")
                  .ok());
  h.Send(MakeBatch());
  ASSERT_EQ(h.sink.batches.size(), 1u);
  const model::SpanBatch& out = *h.sink.batches[0];
  EXPECT_EQ(out.span_count(), 3u);
  model::Range ev = out.spans.events[1];
  ASSERT_EQ(ev.count, 1u);
  EXPECT_EQ(out.events[ev.begin].name, "keep");
  EXPECT_TRUE(out.otlp_encoding.empty());
  EXPECT_EQ(h.Filtered(), 0u);
}

TEST(FilterProcessor, AllSpansDroppedAnswersOkAndPassesNothing) {
  Harness h;
  ASSERT_TRUE(h.Create("filter/x: {traces: {span: ['true']}}\n").ok());
  h.Send(MakeBatch());
  EXPECT_TRUE(h.sink.batches.empty());
  ASSERT_EQ(h.answers.size(), 1u);
  EXPECT_TRUE(h.answers[0].ok());
  EXPECT_EQ(h.Filtered(), 3u);
}

TEST(FilterProcessor, DownstreamAnswerReachesTheSender) {
  Harness h;
  ASSERT_TRUE(h.Create("filter/x: {traces: {span: ['name == \"query\"']}}\n").ok());
  h.sink.next_status = absl::UnavailableError("queue full");
  h.Send(MakeBatch());
  ASSERT_EQ(h.answers.size(), 1u);
  EXPECT_EQ(h.answers[0].code(), absl::StatusCode::kUnavailable);
}

TEST(FilterProcessor, ErrorModes) {
  const char* cond = "['Len(attributes[\"http.target\"]) > 100 or Len(attributes[\"nope\"]) > 1']";
  {
    Harness h;
    ASSERT_TRUE(h.Create(th::StrCat("filter/x: {traces: {span: ", cond, "}}\n")).ok());
    h.Send(MakeBatch());
    EXPECT_TRUE(h.sink.batches.empty());
    ASSERT_EQ(h.answers.size(), 1u);
    EXPECT_EQ(h.answers[0].code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(h.answers[0].message(), HasSubstr("filter/x"));
  }
  for (const char* mode : {"ignore", "silent"}) {
    Harness h;
    ASSERT_TRUE(
        h.Create(th::StrCat("filter/x: {error_mode: ", mode, ", traces: {span: ", cond, "}}\n"))
            .ok());
    h.Send(MakeBatch());
    ASSERT_EQ(h.sink.batches.size(), 1u) << mode;
    EXPECT_EQ(h.sink.batches[0]->span_count(), 3u) << mode;  // errors count as false
  }
}

TEST(FilterProcessor, ConfigErrorsNameFileLineAndColumn) {
  {
    Harness h;
    Status s = h.Create("filter/x:\n  traces:\n    span:\n      - 'name == \"a\" and'\n");
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("f.yaml:4:9"));
    EXPECT_THAT(s.message(), HasSubstr("condition \"name == \"a\" and\""));
    EXPECT_THAT(s.message(), HasSubstr("column 16"));
  }
  {
    Harness h;
    Status s = h.Create("filter/x:\n  spanz: {}\n");
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("f.yaml:2:"));
    EXPECT_THAT(s.message(), HasSubstr("spanz"));
  }
  {
    Harness h;
    Status s = h.Create(
        "filter/x:\n  spans:\n    exclude:\n      match_type: regexp\n      span_names: ['(']\n");
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("f.yaml:5:20"));
    EXPECT_THAT(s.message(), HasSubstr("invalid regexp"));
  }
  {
    Harness h;
    Status s = h.Create("filter/x: {error_mode: loud}\n");
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("unknown error_mode"));
  }
  {
    Harness h;
    Status s = h.Create(
        "filter/x:\n  spans: {exclude: {match_type: strict, services: [a]}}\n"
        "  traces: {span: ['true']}\n");
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("cannot use"));
  }
}

}  // namespace
}  // namespace th::pipeline

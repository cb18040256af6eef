#include "pipeline/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/otlp_encode.h"
#include "pipeline/testing/test_consumer.h"

namespace th::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Test components: a receiver the test pushes into, a pass-through processor that renames
// spans, and an exporter that records; all log their lifecycle into one journal.
struct Journal {
  std::vector<std::string> events;
  std::map<std::string, TracesConsumer*> receiver_next;
  std::map<std::string, testing::RecordingConsumer> exported;
};

class FakeReceiver : public Receiver {
 public:
  FakeReceiver(std::string id, Journal* j) : id_(std::move(id)), j_(j) {}
  Status Start() override {
    j_->events.push_back("start " + id_);
    return absl::OkStatus();
  }
  void Shutdown(std::chrono::steady_clock::time_point) override {
    j_->events.push_back("stop " + id_);
  }

 private:
  std::string id_;
  Journal* j_;
};

class RenamingProcessor : public Processor {
 public:
  RenamingProcessor(std::string id, Journal* j, TracesConsumer* next)
      : id_(std::move(id)), j_(j), next_(next) {}
  Status Start() override {
    j_->events.push_back("start " + id_);
    return absl::OkStatus();
  }
  void Shutdown(std::chrono::steady_clock::time_point) override {
    j_->events.push_back("stop " + id_);
  }
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    for (auto& name : batch->spans.name) name = batch->arena.Copy(std::string(name) + "+" + id_);
    next_->ConsumeTraces(std::move(batch), std::move(done));
  }

 private:
  std::string id_;
  Journal* j_;
  TracesConsumer* next_;
};

class RecordingExporter : public Exporter {
 public:
  RecordingExporter(std::string id, Journal* j) : id_(std::move(id)), j_(j) {}
  Status Start() override {
    j_->events.push_back("start " + id_);
    return id_ == "rec/broken" ? absl::UnavailableError("cannot bind") : absl::OkStatus();
  }
  void Shutdown(std::chrono::steady_clock::time_point) override {
    j_->events.push_back("stop " + id_);
  }
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    j_->exported[id_].ConsumeTraces(std::move(batch), std::move(done));
  }

 private:
  std::string id_;
  Journal* j_;
};

Registry TestRegistry(Journal* j) {
  Registry r;
  r.AddReceiver("fake", [j](const CreateSettings& s, const config::Node& c, TracesConsumer* next)
                            -> Result<std::unique_ptr<Receiver>> {
    RETURN_IF_ERROR(c.CheckKeys({"endpoint"}));
    j->receiver_next[s.id.ToString()] = next;
    return std::unique_ptr<Receiver>(new FakeReceiver(s.id.ToString(), j));
  });
  r.AddProcessor("rename", [j](const CreateSettings& s, const config::Node&, TracesConsumer* next)
                               -> Result<std::unique_ptr<Processor>> {
    return std::unique_ptr<Processor>(
        new RenamingProcessor(s.id.ToString() + "@" + s.pipeline, j, next));
  });
  r.AddExporter("rec", [j](const CreateSettings& s,
                           const config::Node&) -> Result<std::unique_ptr<Exporter>> {
    return std::unique_ptr<Exporter>(new RecordingExporter(s.id.ToString(), j));
  });
  return r;
}

Result<std::unique_ptr<Service>> BuildFrom(const std::string& text, Journal* j, Host* host) {
  Result<config::Node> root = config::Node::Parse(text, "c.yaml");
  if (!root.ok()) return root.status();
  static Registry* registry = nullptr;
  delete registry;
  registry = new Registry(TestRegistry(j));
  return Service::Build(*root, *registry, *host);
}

constexpr const char* kTwoPipelines = R"(receivers:
  fake:
  fake/2:
    endpoint: x
processors:
  rename:
  rename/b:
exporters:
  rec:
  rec/other:
  rec/unused:
service:
  pipelines:
    traces:
      receivers: [fake]
      processors: [rename, rename/b]
      exporters: [rec, rec/other]
    traces/second:
      receivers: [fake, fake/2]
      exporters: [rec/other]
)";

TEST(Service, BuildsTheGraphStartsConsumersFirstAndStopsProducersFirst) {
  Journal j;
  metrics::Registry metrics;
  Host host;
  host.metrics = &metrics;
  auto service = BuildFrom(kTwoPipelines, &j, &host);
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_THAT((*service)->ComponentIds(),
              ElementsAre("exporter:rec", "exporter:rec/other", "processor:rename/b@traces",
                          "processor:rename@traces", "receiver:fake", "receiver:fake/2"));
  ASSERT_TRUE((*service)->Start().ok());
  EXPECT_THAT(j.events, ElementsAre("start rec", "start rec/other", "start rename/b@traces",
                                    "start rename@traces", "start fake", "start fake/2"));
  j.events.clear();
  (*service)->Shutdown(std::chrono::steady_clock::now());
  EXPECT_THAT(j.events, ElementsAre("stop fake/2", "stop fake", "stop rename@traces",
                                    "stop rename/b@traces", "stop rec/other", "stop rec"));
}

TEST(Service, FansOutToEveryPipelineAndExporterWithSeparateCopies) {
  Journal j;
  metrics::Registry metrics;
  Host host;
  host.metrics = &metrics;
  auto service = BuildFrom(kTwoPipelines, &j, &host);
  ASSERT_TRUE(service.ok()) << service.status();
  Status answer = absl::InternalError("not answered");
  j.receiver_next["fake"]->ConsumeTraces(testing::MakeBatch(3),
                                         [&](const Status& s) { answer = s; });
  EXPECT_TRUE(answer.ok()) << answer;
  // `rec` gets the processed pipeline; `rec/other` gets it from both pipelines: once processed,
  // once untouched (the copies are independent).
  auto rec = j.exported["rec"].TakeBatches();
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0]->spans.name[0], "op-0+rename@traces+rename/b@traces");
  auto other = j.exported["rec/other"].TakeBatches();
  ASSERT_EQ(other.size(), 2u);
  std::vector<std::string> names = {std::string(other[0]->spans.name[0]),
                                    std::string(other[1]->spans.name[0])};
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("op-0+rename@traces+rename/b@traces", "op-0"));
  EXPECT_EQ(metrics.GetCounter("otelcol_processor_incoming_items", "",
                               {{"processor", "rename"}, {"otel_signal", "traces"}})
                ->Value(),
            3u);
}

TEST(Service, AnExporterErrorReachesTheReceiver) {
  Journal j;
  metrics::Registry metrics;
  Host host;
  host.metrics = &metrics;
  auto service = BuildFrom(kTwoPipelines, &j, &host);
  ASSERT_TRUE(service.ok());
  j.exported["rec/other"].set_answer(absl::UnavailableError("queue full"));
  Status answer;
  j.receiver_next["fake/2"]->ConsumeTraces(testing::MakeBatch(1),
                                           [&](const Status& s) { answer = s; });
  EXPECT_EQ(answer.code(), absl::StatusCode::kUnavailable);
}

TEST(Service, AStartFailureStopsWhatStartedAndNamesTheComponent) {
  Journal j;
  Host host;
  metrics::Registry metrics;
  host.metrics = &metrics;
  auto service = BuildFrom(R"(receivers: {fake: }
exporters: {rec: , rec/broken: }
service: {pipelines: {traces: {receivers: [fake], exporters: [rec, rec/broken]}}}
)",
                           &j, &host);
  ASSERT_TRUE(service.ok()) << service.status();
  Status s = (*service)->Start();
  EXPECT_THAT(Message(s), HasSubstr("rec/broken: cannot bind"));
  EXPECT_THAT(j.events, ElementsAre("start rec", "start rec/broken", "stop rec"));
}

struct BadConfig {
  const char* text;
  const char* message;
};

class ServiceErrors : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ServiceErrors, NameFileLineAndKey) {
  Journal j;
  Host host;
  metrics::Registry metrics;
  host.metrics = &metrics;
  auto service = BuildFrom(GetParam().text, &j, &host);
  ASSERT_FALSE(service.ok());
  EXPECT_EQ(service.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(service.status()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ServiceErrors,
    ::testing::Values(
        BadConfig{"receivers: {kafka: }\nexporters: {rec: }\nservice: {pipelines: {traces: "
                  "{receivers: [kafka], exporters: [rec]}}}\n",
                  "c.yaml:1:13: receivers.kafka: unknown type \"kafka\" (known: fake)"},
        BadConfig{"receivers: {fake: }\nexporters: {rec: }\nservice:\n  pipelines:\n    traces:\n"
                  "      receivers: [fake]\n      exporters: [rec, jaeger]\n",
                  "c.yaml:7:24: service.pipelines.traces.exporters[1]: references exporters "
                  "\"jaeger\", which is not defined"},
        BadConfig{"receivers: {fake: }\nexporters: {rec: }\nservice:\n  pipelines:\n    traces:\n"
                  "      receivers: [fake]\n",
                  "service.pipelines.traces: a pipeline needs at least one exporter"},
        BadConfig{"receivers: {fake: {endpoint: x, port: 1}}\nexporters: {rec: }\nservice:\n"
                  "  pipelines: {traces: {receivers: [fake], exporters: [rec]}}\n",
                  "c.yaml:1:33: receivers.fake.port: unknown key (known: endpoint)"},
        BadConfig{"receivers: {fake: }\nexporters: {rec: }\nservice:\n  pipelines:\n"
                  "    logs: {receivers: [fake], exporters: [rec]}\n",
                  "c.yaml:5:24: service.pipelines.logs.receivers[0]: receiver \"fake\" does not "
                  "handle logs"},
        BadConfig{"receivers: {fake: }\nexporters: {rec: }\nservice:\n  pipelines:\n"
                  "    metrics: {receivers: [fake], exporters: [rec]}\n",
                  "metrics pipelines are not supported"},
        BadConfig{"receivers: {fake: }\nexporters: {rec: }\nservice:\n  pipelines:\n"
                  "    traces: {receivers: [fake], exporters: [rec], processor: [x]}\n",
                  "service.pipelines.traces.processor: unknown key"},
        BadConfig{"receivers: {\"fake/\": }\n", "invalid component id"},
        BadConfig{"receivers: {fake: }\n", "missing the `service` section"},
        BadConfig{"receivers: {fake: }\nexporters: {rec: }\nservice:\n  telemetry: {logs: "
                  "{level: loud}}\n  pipelines: {traces: {receivers: [fake], exporters: [rec]}}\n",
                  "service.telemetry.logs.level: expected one of"}));

TEST(Service, TelemetryMetricsAddressFollowsTheConfig) {
  Journal j;
  Host host;
  metrics::Registry metrics;
  host.metrics = &metrics;
  auto service = BuildFrom(R"(receivers: {fake: }
exporters: {rec: }
service:
  telemetry:
    metrics:
      readers:
        - pull: {exporter: {prometheus: {host: 127.0.0.1, port: 9999}}}
  pipelines: {traces: {receivers: [fake], exporters: [rec]}}
)",
                           &j, &host);
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_EQ((*service)->telemetry().metrics_address, "127.0.0.1:9999");
}

TEST(Service, ImplicitPipelineRunsTheFileOrDefaultReceiversIntoTheExporter) {
  Journal j;
  Host host;
  metrics::Registry metrics;
  host.metrics = &metrics;
  Registry registry = TestRegistry(&j);
  auto defaults = config::Node::Parse("fake:\nfake/2:\n", "(defaults)");
  ASSERT_TRUE(defaults.ok());
  ImplicitPipeline implicit{*defaults, "rec"};
  auto empty = config::Node::Parse("", "c.yaml");
  auto from_defaults = Service::Build(*empty, registry, host, &implicit);
  ASSERT_TRUE(from_defaults.ok()) << from_defaults.status();
  EXPECT_THAT((*from_defaults)->ComponentIds(), ElementsAre("exporter:rec", "receiver:fake", "receiver:fake/2"));
  auto own = config::Node::Parse("receivers: {fake/mine: }\n", "c.yaml");
  auto from_file = Service::Build(*own, registry, host, &implicit);
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  EXPECT_THAT((*from_file)->ComponentIds(), ElementsAre("exporter:rec", "receiver:fake/mine"));
  auto none = config::Node::Parse("", "(defaults)");
  ImplicitPipeline nothing{*none, "rec"};
  auto query_only = Service::Build(*empty, registry, host, &nothing);
  ASSERT_TRUE(query_only.ok());
  EXPECT_TRUE((*query_only)->ComponentIds().empty());
}

// Logs: a receiver serving both signals, a logs exporter that records.
class RecordingLogsExporter : public LogsExporter {
 public:
  explicit RecordingLogsExporter(std::vector<std::string>* got) : got_(got) {}
  void ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, Done done) override {
    got_->push_back(batch->otlp);
    done(absl::OkStatus());
  }

 private:
  std::vector<std::string>* got_;
};

TEST(Service, LogsPipelinesShareTheReceiverAndGetTheirOwnExporters) {
  Journal j;
  Host host;
  metrics::Registry metrics;
  host.metrics = &metrics;
  Registry registry = TestRegistry(&j);
  Consumers seen;
  registry.AddReceiver(
      "multi",
      [&seen, &j](const CreateSettings& s, const config::Node&,
                  const Consumers& next) -> Result<std::unique_ptr<Receiver>> {
        seen = next;
        return std::unique_ptr<Receiver>(new FakeReceiver(s.id.ToString(), &j));
      },
      true, true);
  std::vector<std::string> logs;
  registry.AddLogsExporter("rec", [&logs](const CreateSettings&, const config::Node&)
                                      -> Result<std::unique_ptr<LogsExporter>> {
    return std::unique_ptr<LogsExporter>(new RecordingLogsExporter(&logs));
  });
  auto root = config::Node::Parse(R"(receivers: {multi: }
processors: {rename: }
exporters: {rec: }
service:
  pipelines:
    traces: {receivers: [multi], processors: [rename], exporters: [rec]}
    logs: {receivers: [multi], exporters: [rec]}
)",
                                  "c.yaml");
  auto service = Service::Build(*root, registry, host);
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_THAT((*service)->ComponentIds(),
              ElementsAre("exporter:rec", "exporter:rec[logs]", "processor:rename@traces",
                          "receiver:multi"));
  ASSERT_NE(seen.traces, nullptr);
  ASSERT_NE(seen.logs, nullptr);
  auto batch = std::make_unique<model::LogsBatch>();
  batch->otlp = "bytes";
  batch->record_count = 1;
  Status answer = absl::UnknownError("pending");
  seen.logs->ConsumeLogs(std::move(batch), [&](const Status& s) { answer = s; });
  EXPECT_TRUE(answer.ok());
  EXPECT_THAT(logs, ElementsAre("bytes"));

  auto bad = config::Node::Parse(R"(receivers: {multi: }
processors: {rename: }
exporters: {rec: }
service: {pipelines: {logs: {receivers: [multi], processors: [rename], exporters: [rec]}}}
)",
                                 "c.yaml");
  EXPECT_THAT(Message(Service::Build(*bad, registry, host).status()),
              HasSubstr("processors[0]: processor \"rename\" does not handle logs"));
}

TEST(ComponentId, ParsesTypeAndName) {
  auto id = ComponentId::Parse("otlp/second");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->type, "otlp");
  EXPECT_EQ(id->name, "second");
  EXPECT_EQ(id->ToString(), "otlp/second");
  EXPECT_FALSE(ComponentId::Parse("/x").ok());
  EXPECT_FALSE(ComponentId::Parse("a/b/c").ok());
  EXPECT_FALSE(ComponentId::Parse("a b").ok());
}

}  // namespace
}  // namespace th::pipeline

#include "app/pipeline_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "app/components.h"
#include "app/config/serve_config.h"

namespace th::app {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PipelineConfig, TheSeedCollectorConfigBuildsUnchanged) {
  auto root = LoadConfigNode("examples/seed-collector.yaml");
  ASSERT_TRUE(root.ok()) << root.status();
  ASSERT_TRUE(CheckCollectorTopLevelKeys(*root).ok());
  pipeline::Host host;
  auto service = pipeline::Service::Build(*root, BuildRegistry({}), host);
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_THAT((*service)->ComponentIds(),
              ElementsAre("exporter:otlp", "exporter:jaeger", "processor:filter@traces",
                          "processor:batch@traces", "receiver:otlp", "receiver:jaeger"));
}

TEST(PipelineConfig, ServeRunsEveryDefaultReceiverIntoTheStoreWithoutAFile) {
  auto root = LoadConfigNode("");
  ASSERT_TRUE(root.ok());
  pipeline::Host host;
  auto service = BuildServePipeline(*root, BuildRegistry({.validate_only = true}), host,
                                    DefaultReceiverAddresses{});
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_THAT((*service)->ComponentIds(),
              ElementsAre("exporter:store", "receiver:jaeger", "receiver:otlp", "receiver:zipkin"));
  DefaultReceiverAddresses only_otlp_grpc;
  only_otlp_grpc.otlp_http.clear();
  only_otlp_grpc.jaeger_thrift_http.clear();
  only_otlp_grpc.jaeger_grpc.clear();
  only_otlp_grpc.jaeger_thrift_compact.clear();
  only_otlp_grpc.jaeger_thrift_binary.clear();
  only_otlp_grpc.zipkin.clear();
  auto otlp = BuildServePipeline(*root, BuildRegistry({.validate_only = true}), host,
                                 only_otlp_grpc);
  ASSERT_TRUE(otlp.ok()) << otlp.status();
  EXPECT_THAT((*otlp)->ComponentIds(), ElementsAre("exporter:store", "receiver:otlp"));
}

TEST(PipelineConfig, TheExampleServeConfigLoadsWithItsReceivers) {
  auto root = LoadConfigNode("examples/tracehouse.yaml");
  ASSERT_TRUE(root.ok()) << root.status();
  ASSERT_TRUE(ReadServeConfig(*root).ok());
  pipeline::Host host;
  auto service = BuildServePipeline(*root, BuildRegistry({.validate_only = true}), host,
                                    DefaultReceiverAddresses{});
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_THAT((*service)->ComponentIds(), Contains("exporter:store"));
}

TEST(PipelineConfig, ErrorsNameTheFileLineAndKey) {
  pipeline::Host host;
  auto build = [&](const char* yaml) {
    auto root = config::Node::Parse(yaml, "c.yaml");
    EXPECT_TRUE(root.ok());
    return pipeline::Service::Build(*root, BuildRegistry({}), host).status();
  };
  EXPECT_THAT(Message(build("receivers: {kafka: }\n")),
              HasSubstr("c.yaml:1:13: receivers.kafka: unknown type \"kafka\" (known: jaeger, "
                        "otlp, zipkin)"));
  EXPECT_THAT(Message(build("receivers: {otlp: {protocols: {grpc: }}}\nprocessors:\n  filter:\n"
                            "    spans: {exclude: {match_type: regexp, span_names: [\"(\"]}}\n"
                            "exporters: {nop: }\nservice: {pipelines: {traces: {receivers: "
                            "[otlp], processors: [filter], exporters: [nop]}}}\n")),
              HasSubstr("c.yaml:4:"));
  EXPECT_THAT(Message(build("receivers: {otlp: {protocols: {grpc: }}}\nexporters: {otlp: "
                            "{endpoint: \"x:4317\", timeout: soon}}\nservice: {pipelines: {traces: "
                            "{receivers: [otlp], exporters: [otlp]}}}\n")),
              HasSubstr("exporters.otlp.timeout"));
  auto storage = config::Node::Parse("storage: {path: /x}\n", "c.yaml");
  EXPECT_THAT(Message(CheckCollectorTopLevelKeys(*storage)),
              HasSubstr("c.yaml:1:10: storage: `storage` configures `tracehouse serve`"));
}

}  // namespace
}  // namespace th::app

#include "app/config/serve_config.h"

#include <gtest/gtest.h>

#include "app/config/env_expand.h"

namespace th::app {
namespace {

TEST(ServeConfig, EmptyFileKeepsDefaults) {
  auto c = ParseServeConfig("", "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->otlp.grpc_endpoint, "0.0.0.0:4317");
}

TEST(ServeConfig, ReadsEverySection) {
  auto c = ParseServeConfig(R"(
server:
  http_listen_address: 127.0.0.1:3300
storage:
  path: /var/lib/tracehouse
  wal:
    segment_size_mib: 64
    max_pending_mib: 32
receivers:
  otlp:
    protocols:
      grpc: {endpoint: 127.0.0.1:5317, max_recv_msg_size_mib: 16}
      http:
        endpoint: 127.0.0.1:5318
)",
                            "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->http_listen_address, "127.0.0.1:3300");
  EXPECT_EQ(c->data_dir, "/var/lib/tracehouse");
  EXPECT_EQ(c->wal_segment_bytes, 64ull << 20);
  EXPECT_EQ(c->wal_max_pending_bytes, 32ull << 20);
  EXPECT_EQ(c->otlp.grpc_endpoint, "127.0.0.1:5317");
  EXPECT_EQ(c->otlp.max_recv_msg_size_mib, 16);
  EXPECT_EQ(c->otlp.http_endpoint, "127.0.0.1:5318");
}

TEST(ServeConfig, ProtocolLeftOutIsNotServed) {
  auto c = ParseServeConfig("receivers:\n  otlp:\n    protocols:\n      grpc:\n", "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->otlp.grpc_endpoint, "0.0.0.0:4317");
  EXPECT_TRUE(c->otlp.http_endpoint.empty());
}

TEST(ServeConfig, UnknownKeyNamesFileLineColumnAndKey) {
  auto c = ParseServeConfig("storage:\n  path: /x\n  retention: 14d\n", "cfg.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "cfg.yaml:3:3: storage.retention: unknown key (known: path, wal)");
}

TEST(ServeConfig, WrongTypeAndBadValuesPointAtTheValue) {
  auto c = ParseServeConfig("storage:\n  wal:\n    segment_size_mib: big\n", "cfg.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "cfg.yaml:3:23: storage.wal.segment_size_mib: expected a non-negative integer");
  auto zero = ParseServeConfig("storage:\n  wal:\n    segment_size_mib: 0\n", "cfg.yaml");
  EXPECT_NE(zero.status().message().find("must be 1 to 4096"), absl::string_view::npos);
}

TEST(ServeConfig, CollectorPipelineSectionsAreRefusedNotIgnored) {
  auto c = ParseServeConfig("processors:\n  batch:\n", "cfg.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("cfg.yaml:1:1: processors: collector pipelines are not "
                                      "supported"),
            absl::string_view::npos)
      << c.status();
  auto jaeger = ParseServeConfig("receivers:\n  jaeger:\n", "cfg.yaml");
  EXPECT_NE(jaeger.status().message().find("receivers.jaeger: receiver type \"jaeger\" is not"),
            absl::string_view::npos)
      << jaeger.status();
}

TEST(ServeConfig, YamlSyntaxErrorHasPosition) {
  auto c = ParseServeConfig("server:\n  http_listen_address: [unclosed\n", "cfg.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Message(c.status()).starts_with("cfg.yaml:")) << c.status();
}

TEST(EnvExpand, CollectorForms) {
  EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "HOST") return "db";
    if (name == "EMPTY") return "";
    return std::nullopt;
  };
  EXPECT_EQ(*ExpandEnv("a ${env:HOST} ${HOST} $$HOST", env), "a db db $HOST");
  EXPECT_EQ(*ExpandEnv("${env:NOPE:-4317} ${EMPTY:-x} ${NOPE}", env), "4317 x ");
  EXPECT_EQ(*ExpandEnv("cost: $5", env), "cost: $5");
  auto bad = ExpandEnv("a\nb ${env:HOST", env);
  EXPECT_EQ(bad.status().message(), "line 2: unterminated \"${\"");
  EXPECT_FALSE(ExpandEnv("${1ABC}", env).ok());
}

}  // namespace
}  // namespace th::app

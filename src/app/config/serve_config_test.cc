#include "app/config/serve_config.h"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/config/env_expand.h"

namespace th::app {
namespace {

TEST(ServeConfig, EmptyFileKeepsDefaults) {
  auto c = ParseServeConfig("", "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->data_dir, "./data");
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
  cache:
    page_cache_mib: 64
    column_cache_mib: 0
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
  EXPECT_EQ(c->page_cache_bytes, 64ull << 20);
  EXPECT_EQ(c->column_cache_bytes, 0u);
}

TEST(ServeConfig, ReadsBackendBlocksCompactionAndRetention) {
  auto c = ParseServeConfig(R"(
storage:
  backend: s3
  s3:
    endpoint: 127.0.0.1:18080
    insecure: true
    bucket: traces
    access_key: "tracing:ci"
    secret_key: tracing-ci-secret
    prefix: prod
    forcepathstyle: true
    part_size_mib: 8
  block:
    max_block_bytes_mib: 64
    max_block_duration: 90s
    row_group_spans: 2048
  compaction:
    compaction_window: 30m
    max_block_spans: 500000
    max_inputs: 4
    cpu_budget: 0.25
    zstd_level: 9
    block_retention: 336h
    compacted_block_retention: 1m
  overrides:
    noisy: {block_retention: 24h}
)",
                            "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->backend, "s3");
  EXPECT_EQ(c->s3.endpoint, "http://127.0.0.1:18080");
  EXPECT_EQ(c->s3.bucket, "traces");
  EXPECT_EQ(c->s3.access_key, "tracing:ci");
  EXPECT_EQ(c->s3.prefix, "prod");
  EXPECT_EQ(c->s3.part_size, 8ull << 20);
  EXPECT_EQ(c->max_block_bytes, 64ull << 20);
  EXPECT_EQ(c->max_block_duration, std::chrono::seconds(90));
  EXPECT_EQ(c->row_group_spans, 2048u);
  EXPECT_EQ(c->compaction.window, std::chrono::minutes(30));
  EXPECT_EQ(c->compaction.max_output_spans, 500000u);
  EXPECT_EQ(c->compaction.max_inputs, 4u);
  EXPECT_DOUBLE_EQ(c->compaction.cpu_budget, 0.25);
  EXPECT_EQ(c->compaction.zstd_level, 9);
  EXPECT_EQ(c->compaction.retention, std::chrono::hours(336));
  EXPECT_EQ(c->compacted_block_retention, std::chrono::minutes(1));
  EXPECT_EQ(c->compaction.tenant_retention.at("noisy"), std::chrono::hours(24));
}

TEST(ServeConfig, StorageErrorsNameTheKeyAndPlace) {
  struct Case {
    const char* yaml;
    const char* want;
  };
  for (const Case& c : std::vector<Case>{
           {"storage:\n  backend: gcs\n", "t.yaml:2:12: storage.backend: unknown backend"},
           {"storage:\n  backend: s3\n", "storage.backend: backend s3 needs a storage.s3"},
           {"storage:\n  block:\n    max_block_duration: soon\n",
            "t.yaml:3:25: storage.block.max_block_duration: expected a duration"},
           {"storage:\n  compaction:\n    cpu_budget: 2\n",
            "storage.compaction.cpu_budget: must be in (0, 1]"},
           {"storage:\n  s3:\n    bucket: b\n", "storage.s3"},
           {"storage:\n  s3:\n    endpont: x\n", "storage.s3.endpont: unknown key"},
           {"storage:\n  cache:\n    column_cache_mib: 9999999\n",
            "t.yaml:3:23: storage.cache.column_cache_mib: must be at most 1048576"},
           {"storage:\n  cache:\n    page_cache: 1\n", "storage.cache.page_cache: unknown key"},
       }) {
    auto parsed = ParseServeConfig(c.yaml, "t.yaml");
    ASSERT_FALSE(parsed.ok()) << c.yaml;
    EXPECT_NE(parsed.status().message().find(c.want), std::string::npos)
        << parsed.status() << " wanted " << c.want;
  }
}

TEST(ServeConfig, UnknownKeyNamesFileLineColumnAndKey) {
  auto c = ParseServeConfig("storage:\n  path: /x\n  retention: 14d\n", "cfg.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "cfg.yaml:3:3: storage.retention: unknown key (known: path, wal, backend, s3, block, "
            "compaction, overrides, cache)");
}

TEST(ServeConfig, WrongTypeAndBadValuesPointAtTheValue) {
  auto c = ParseServeConfig("storage:\n  wal:\n    segment_size_mib: big\n", "cfg.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "cfg.yaml:3:23: storage.wal.segment_size_mib: expected a non-negative integer");
  auto zero = ParseServeConfig("storage:\n  wal:\n    segment_size_mib: 0\n", "cfg.yaml");
  EXPECT_NE(zero.status().message().find("must be 1 to 4096"), absl::string_view::npos);
}

TEST(ServeConfig, CollectorSectionsAreLeftToThePipelineAndOtherKeysRefused) {
  // pipeline::Service reads and checks these (tests in app/pipeline_config_test.cc).
  EXPECT_TRUE(ParseServeConfig("processors:\n  batch:\nservice: {}\n", "cfg.yaml").ok());
  auto c = ParseServeConfig("servers: {}\n", "cfg.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("cfg.yaml:1:1: servers: unknown key"),
            absl::string_view::npos)
      << c.status();
}

TEST(ServeConfig, YamlSyntaxErrorHasPosition) {
  auto c = ParseServeConfig("server:\n  http_listen_address: [unclosed\n", "cfg.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(Message(c.status()).starts_with("cfg.yaml:")) << c.status();
}


}  // namespace
}  // namespace th::app

namespace th::app {
namespace {

// The example users start from must load as it is (tests run from the source tree).
TEST(ServeConfig, ExampleFileLoads) {
  auto c = LoadServeConfig("examples/tracehouse.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->backend, "local");
  EXPECT_EQ(c->compaction.retention, std::chrono::hours(336));
}

}  // namespace
}  // namespace th::app

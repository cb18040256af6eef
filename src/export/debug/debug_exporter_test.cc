#include "export/debug/debug_exporter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/node.h"
#include "export/helper/testing/logs_test_util.h"
#include "export/helper/testing/test_util.h"

namespace th::exporter::debug {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

class DebugExporterTest : public ::testing::Test {
 protected:
  DebugExporterTest() { host_.metrics = &metrics_; }

  Result<std::unique_ptr<pipeline::Exporter>> Make(const std::string& yaml,
                                                   const std::string& type = "debug") {
    Result<config::Node> root = config::Node::Parse(yaml, "c.yaml");
    EXPECT_TRUE(root.ok()) << root.status();
    pipeline::CreateSettings create;
    create.id = {type, ""};
    create.host = &host_;
    return MakeDebugExporterFactory([this](std::string_view text) {
      absl::MutexLock lock(&mu_);
      out_.emplace_back(text);
    })(create, (*root)["debug"]);
  }

  // Sends `batches` batches and returns everything written, once every `done` has come back.
  std::string Run(const std::string& yaml, int batches = 1) {
    auto e = Make(yaml);
    EXPECT_TRUE(e.ok()) << e.status();
    if (!e.ok()) return "";
    EXPECT_TRUE((*e)->Start().ok());
    std::atomic<int> done{0};
    for (int i = 0; i < batches; ++i) {
      (*e)->ConsumeTraces(testing::MakeBatch("checkout", 2, "t", i * 10), [&](const Status& s) {
        EXPECT_TRUE(s.ok()) << s;
        ++done;
      });
    }
    EXPECT_TRUE(testing::WaitFor([&] { return done == batches; }));
    (*e)->Shutdown(std::chrono::steady_clock::now() + 1s);
    absl::MutexLock lock(&mu_);
    std::string all;
    for (const auto& s : out_) all += s;
    return all;
  }
  // The logs twin of Run.
  std::string RunLogs(const std::string& yaml, std::unique_ptr<model::LogsBatch> batch) {
    Result<config::Node> root = config::Node::Parse(yaml, "c.yaml");
    EXPECT_TRUE(root.ok()) << root.status();
    pipeline::CreateSettings create;
    create.id = {"debug", ""};
    create.host = &host_;
    auto e = MakeDebugLogsExporterFactory([this](std::string_view text) {
      absl::MutexLock lock(&mu_);
      out_.emplace_back(text);
    })(create, (*root)["debug"]);
    EXPECT_TRUE(e.ok()) << e.status();
    if (!e.ok()) return "";
    EXPECT_TRUE((*e)->Start().ok());
    std::atomic<int> done{0};
    (*e)->ConsumeLogs(std::move(batch), [&](const Status& s) {
      EXPECT_TRUE(s.ok()) << s;
      ++done;
    });
    EXPECT_TRUE(testing::WaitFor([&] { return done == 1; }));
    (*e)->Shutdown(std::chrono::steady_clock::now() + 1s);
    absl::MutexLock lock(&mu_);
    std::string all;
    for (const auto& s : out_) all += s;
    return all;
  }
  size_t Writes() {
    absl::MutexLock lock(&mu_);
    return out_.size();
  }

  metrics::Registry metrics_;
  pipeline::Host host_;
  absl::Mutex mu_;
  std::vector<std::string> out_;
};

TEST_F(DebugExporterTest, BasicIsOneSummaryLinePerBatch) {
  std::string out = Run("debug: {}\n");
  EXPECT_THAT(out, HasSubstr("msg=\"Traces\" exporter=debug resource_spans=1 spans=2\n"));
  EXPECT_THAT(out, Not(HasSubstr("checkout-op-0")));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
}

TEST_F(DebugExporterTest, NormalIsOneLinePerSpan) {
  std::string out = Run("debug:\n  verbosity: normal\n");
  EXPECT_THAT(out, HasSubstr("ResourceTraces #0 service.name=checkout\n"));
  EXPECT_THAT(out, HasSubstr("ScopeTraces #0 test-lib@1.0\n"));
  EXPECT_THAT(out, HasSubstr("checkout-op-0 ab000000000000000000000000000001 "
                             "cd00000000000001 http.route=/r/0\n"));
  EXPECT_THAT(out, HasSubstr("checkout-op-1 "));
}

TEST_F(DebugExporterTest, DetailedPrintsEveryField) {
  std::string out = Run("debug:\n  verbosity: detailed\n");
  EXPECT_THAT(out, HasSubstr("     -> service.name: Str(checkout)\n"));
  EXPECT_THAT(out, HasSubstr("    Name           : checkout-op-1\n"));
  EXPECT_THAT(out, HasSubstr("    Kind           : Server\n"));
  EXPECT_THAT(out, HasSubstr("    Start time     : 2023-11-14 22:13:20.000000000 +0000 UTC\n"));
  EXPECT_THAT(out, HasSubstr("    Status code    : Ok\n"));
  EXPECT_THAT(out, HasSubstr("     -> http.route: Str(/r/1)\n"));
  EXPECT_THAT(out, HasSubstr("SpanEvent #0\n     -> Name: retry\n"));
}

TEST_F(DebugExporterTest, SamplesAfterTheInitialBatchesPerSecond) {
  Run("debug:\n  sampling_initial: 2\n  sampling_thereafter: 3\n", 8);
  EXPECT_EQ(Writes(), 4u);  // 1, 2, then 5 and 8
}

TEST_F(DebugExporterTest, ConfigErrorsPointAtTheKey) {
  auto e = Make("debug:\n  verbosity: loud\n");
  EXPECT_THAT(std::string(Message(e.status())),
              HasSubstr("c.yaml:2:14: debug.verbosity: unknown verbosity \"loud\""));
  e = Make("debug:\n  output_paths: [stdout]\n");
  EXPECT_THAT(std::string(Message(e.status())),
              HasSubstr("c.yaml:2:17: debug.output_paths: needs use_internal_logger: false"));
  e = Make("debug:\n  verbositi: basic\n");
  EXPECT_THAT(std::string(Message(e.status())), HasSubstr("c.yaml:2:3: debug.verbositi: unknown key"));
}

TEST_F(DebugExporterTest, LoggingIsAnAlias) {
  auto e = Make("debug:\n  verbosity: normal\n", "logging");
  ASSERT_TRUE(e.ok()) << e.status();
}

TEST_F(DebugExporterTest, LogsBasicIsOneLineWithTheCounts) {
  std::string out = RunLogs("debug: {}\n", testing::MakeLogsBatch("checkout", 3));
  EXPECT_THAT(out, HasSubstr("msg=\"Logs\" exporter=debug resource_logs=1 log_records=3\n"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  EXPECT_EQ(metrics_.GetCounter("otelcol_exporter_sent_log_records", "", {{"exporter", "debug"}})
                ->Value(),
            3u);
}

TEST_F(DebugExporterTest, LogsNormalIsOneLinePerRecord) {
  std::string out =
      RunLogs("debug:\n  verbosity: normal\n", testing::MakeLogsBatch("checkout", 2));
  EXPECT_THAT(out, HasSubstr("resource_logs=1 log_records=2\n"));
  EXPECT_THAT(out, HasSubstr("ResourceLog #0 service.name=checkout\n"));
  EXPECT_THAT(out, HasSubstr("ScopeLog #0 test-lib@1.0\n"));
  EXPECT_THAT(out, HasSubstr("checkout-log-0 severity=INFO trace_id=ab000000000000000000000000000001"
                             " http.route=/r/0\n"));
  EXPECT_THAT(out, HasSubstr("checkout-log-1 severity=INFO "));
}

TEST_F(DebugExporterTest, LogsDetailedPrintsEveryField) {
  std::string out =
      RunLogs("debug:\n  verbosity: detailed\n", testing::MakeLogsBatch("checkout", 2));
  EXPECT_THAT(out, HasSubstr("ResourceLog #0\n"));
  EXPECT_THAT(out, HasSubstr("     -> service.name: Str(checkout)\n"));
  EXPECT_THAT(out, HasSubstr("InstrumentationScope test-lib 1.0\n"));
  EXPECT_THAT(out, HasSubstr("LogRecord #1\n"));
  EXPECT_THAT(out, HasSubstr("Timestamp: 2023-11-14 22:13:20.000000000 +0000 UTC\n"));
  EXPECT_THAT(out, HasSubstr("SeverityNumber: Info(9)\n"));
  EXPECT_THAT(out, HasSubstr("Body: Str(checkout-log-1)\n"));
  EXPECT_THAT(out, HasSubstr("     -> http.route: Str(/r/1)\n"));
  EXPECT_THAT(out, HasSubstr("Trace ID: ab000000000000000000000000000002\n"));
  EXPECT_THAT(out, HasSubstr("Span ID: cd00000000000002\n"));
  EXPECT_THAT(out, HasSubstr("Flags: 1\n"));
}

TEST_F(DebugExporterTest, LogsThatDoNotParseAreReportedNotFailed) {
  auto batch = std::make_unique<model::LogsBatch>();
  batch->otlp = "\xff\xff\xff";
  batch->record_count = 4;
  std::string out = RunLogs("debug:\n  verbosity: detailed\n", std::move(batch));
  EXPECT_THAT(out, HasSubstr("msg=\"Logs\" exporter=debug log_records=4 error="));
}

}  // namespace
}  // namespace th::exporter::debug

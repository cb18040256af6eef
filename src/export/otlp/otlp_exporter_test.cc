// The otlp exporter against our own OTLP receiver on loopback: spans arrive identical, tenants
// travel, a downstream that is down and comes back gets every queued batch, the retryable and
// permanent answers are told apart, and an unresolvable endpoint only makes counted retries.
#include "export/otlp/otlp_exporter.h"

#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/node.h"
#include "export/helper/sender.h"
#include "export/helper/testing/test_util.h"
#include "export/otlp/config.h"
#include "ingest/otlp/otlp_receiver.h"

namespace th::exporter::otlp {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::Outcomes;
using testing::MakeBatch;
using testing::RecordingConsumer;
using testing::WaitFor;

config::Node MustParse(const std::string& text) {
  Result<config::Node> n = config::Node::Parse(text, "c.yaml");
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? (*n)["otlp"] : config::Node();
}

class OtlpExporterTest : public ::testing::Test {
 protected:
  OtlpExporterTest() {
    host_.metrics = &metrics_;
    dir_ = std::filesystem::temp_directory_path() /
           ("th_otlp_exporter_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  ~OtlpExporterTest() override {
    if (receiver_) receiver_->Shutdown(100);
    std::filesystem::remove_all(dir_);
  }

  void StartReceiver(int port = 0) {
    ingest::otlp::OtlpReceiverOptions options;
    options.grpc_endpoint = "127.0.0.1:" + std::to_string(port);
    options.http_endpoint = "";
    auto r = ingest::otlp::OtlpReceiver::Start(options, &consumer_);
    ASSERT_TRUE(r.ok()) << r.status();
    receiver_ = std::move(r).value();
  }
  void StopReceiver() {
    receiver_->Shutdown(100);
    receiver_.reset();
  }

  // Fast retries so tests take milliseconds.
  static std::string Retry() {
    return "  retry_on_failure:\n"
           "    initial_interval: 10ms\n"
           "    max_interval: 50ms\n"
           "    max_elapsed_time: 20s\n";
  }

  std::unique_ptr<pipeline::Exporter> Make(const std::string& yaml) {
    pipeline::CreateSettings create;
    create.id = {"otlp", ""};
    create.host = &host_;
    auto e = MakeOtlpGrpcExporterFactory()(create, MustParse(yaml));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  uint64_t Counter(const std::string& name) {
    return metrics_.GetCounter(name, "", {{"exporter", "otlp"}})->Value();
  }
  double Gauge(const std::string& name) {
    return metrics_.GetGauge(name, "", {{"exporter", "otlp"}})->Value();
  }

  RecordingConsumer consumer_;
  std::unique_ptr<ingest::otlp::OtlpReceiver> receiver_;
  metrics::Registry metrics_;
  pipeline::Host host_;
  std::filesystem::path dir_;
};

TEST_F(OtlpExporterTest, SpansArriveIdenticalWithTheirTenant) {
  StartReceiver();
  auto e = Make("otlp:\n  endpoint: 127.0.0.1:" + std::to_string(receiver_->grpc_port()) +
                "\n  tls:\n    insecure: true\n");
  ASSERT_TRUE(e->Start().ok());
  auto a = MakeBatch("checkout", 3, "acme");
  auto b = MakeBatch("cart", 2, std::string(model::kDefaultTenant), 100);
  std::string want_a = testing::Encode(*a), want_b = testing::Encode(*b);
  Outcomes done;
  e->ConsumeTraces(std::move(a), done.Callback());
  e->ConsumeTraces(std::move(b), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return consumer_.spans() == 5; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  std::vector<RecordingConsumer::Seen> seen = consumer_.seen();
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& s : seen) {
    if (s.tenant == "acme") {
      EXPECT_EQ(s.encoding, want_a);
    } else {
      EXPECT_EQ(s.tenant, model::kDefaultTenant);
      EXPECT_EQ(s.encoding, want_b);
    }
  }
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 5u);
}

TEST_F(OtlpExporterTest, UsesTheReceivedEncodingWhenTheBatchHasIt) {
  StartReceiver();
  auto e = Make("otlp:\n  endpoint: dns:///127.0.0.1:" + std::to_string(receiver_->grpc_port()) +
                "\n  compression: none\n  tls:\n    insecure: true\n");
  ASSERT_TRUE(e->Start().ok());
  // A batch whose otlp_encoding says something other than its columns: the bytes win.
  auto columns = MakeBatch("columns", 1);
  auto wire = MakeBatch("wire", 2);
  std::string bytes = testing::Encode(*wire);
  columns->otlp_encoding = columns->arena.Copy(bytes);
  Outcomes done;
  e->ConsumeTraces(std::move(columns), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return consumer_.spans() == 2; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(consumer_.seen()[0].encoding, bytes);
}

TEST_F(OtlpExporterTest, QueuedBatchesAreDeliveredWhenTheDownstreamComesBack) {
  StartReceiver();
  int port = receiver_->grpc_port();
  StopReceiver();
  auto e = Make("otlp:\n  endpoint: 127.0.0.1:" + std::to_string(port) +
                "\n  timeout: 500ms\n  tls:\n    insecure: true\n" + Retry());
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  for (int i = 0; i < 20; ++i) e->ConsumeTraces(MakeBatch("svc", 2, "t", i * 10), done.Callback());
  for (const Status& s : done.Get()) EXPECT_TRUE(s.ok()) << s;
  // Failing (and retrying) while it is down...
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(consumer_.spans(), 0u);
  // ...and all of it once it is back.
  StartReceiver(port);
  ASSERT_TRUE(WaitFor([&] { return consumer_.spans() == 40; }, 15s)) << consumer_.spans();
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 40u);
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_spans"), 0u);
  std::set<std::string> names;
  for (const auto& s : consumer_.seen()) names.insert(s.names.begin(), s.names.end());
  EXPECT_EQ(names.size(), 2u);  // svc-op-0, svc-op-1 of every batch
}

TEST_F(OtlpExporterTest, FullQueueAnswersUnavailable) {
  StartReceiver();
  int port = receiver_->grpc_port();
  StopReceiver();
  auto e = Make("otlp:\n  endpoint: 127.0.0.1:" + std::to_string(port) +
                "\n  tls:\n    insecure: true\n  sending_queue:\n    num_consumers: 1\n"
                "    queue_size: 1\n" +
                Retry());
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 1), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Gauge("otelcol_exporter_queue_size") == 0; }));  // in flight
  e->ConsumeTraces(MakeBatch("svc", 1), done.Callback());
  e->ConsumeTraces(MakeBatch("svc", 1), done.Callback());
  std::vector<Status> got = done.Get();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[1].ok());
  EXPECT_EQ(got[2].code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Message(got[2]), "sending queue is full");
  EXPECT_EQ(Counter("otelcol_exporter_enqueue_failed_spans"), 1u);
  e->Shutdown(std::chrono::steady_clock::now() + 10ms);
}

TEST_F(OtlpExporterTest, UnresolvableEndpointStartsAndRetriesAreCounted) {
  auto e = Make(
      "otlp:\n  endpoint: tempo.monitoring.svc:4317\n  timeout: 200ms\n  tls:\n"
      "    insecure: true\n  retry_on_failure:\n    initial_interval: 10ms\n"
      "    max_interval: 20ms\n    max_elapsed_time: 300ms\n");
  ASSERT_NE(e, nullptr);
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 3), done.Callback());
  ASSERT_TRUE(done.Get()[0].ok());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_send_failed_spans") == 3; }, 15s));
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 0u);
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(OtlpExporterTest, InvalidArgumentIsPermanentAndOverloadIsRetried) {
  StartReceiver();
  auto e = Make("otlp:\n  endpoint: 127.0.0.1:" + std::to_string(receiver_->grpc_port()) +
                "\n  tls:\n    insecure: true\n" + Retry());
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  consumer_.SetOutcome(absl::InvalidArgumentError("bad span"));
  e->ConsumeTraces(MakeBatch("svc", 2), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_send_failed_spans") == 2; }));

  // The receiver answers UNAVAILABLE while its consumer is overloaded: retried until it is not.
  consumer_.SetOutcome(absl::ResourceExhaustedError("wal queue full"));
  e->ConsumeTraces(MakeBatch("svc", 3, "t", 50), done.Callback());
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 0u);
  consumer_.SetOutcome(absl::OkStatus());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_spans") == 3; }));
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_spans"), 2u);
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(OtlpExporterTest, PersistentQueueDeliversAfterARestart) {
  host_.data_dir = dir_.string();
  StartReceiver();
  int port = receiver_->grpc_port();
  StopReceiver();
  std::string yaml = "otlp:\n  endpoint: 127.0.0.1:" + std::to_string(port) +
                     "\n  tls:\n    insecure: true\n  sending_queue:\n"
                     "    storage: file_storage\n" +
                     Retry();
  {
    auto e = Make(yaml);
    ASSERT_TRUE(e->Start().ok());
    Outcomes done;
    for (int i = 0; i < 4; ++i) {
      e->ConsumeTraces(MakeBatch("svc", 2, "tenant" + std::to_string(i % 2), i * 10),
                       done.Callback());
    }
    ASSERT_TRUE(WaitFor([&] { return done.Get().size() == 4; }));
    e->Shutdown(std::chrono::steady_clock::now() + 30ms);
  }
  StartReceiver(port);
  auto e = Make(yaml);
  ASSERT_TRUE(e->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return consumer_.spans() == 8; }, 15s)) << consumer_.spans();
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  std::multiset<std::string> tenants;
  for (const auto& s : consumer_.seen()) tenants.insert(s.tenant);
  EXPECT_EQ(tenants.count("tenant0"), 2u);
  EXPECT_EQ(tenants.count("tenant1"), 2u);
}

TEST(OtlpGrpcConfig, ErrorsPointAtTheKey) {
  auto parse = [](const std::string& yaml) {
    return ParseOtlpGrpcConfig(MustParse(yaml), "").status();
  };
  EXPECT_THAT(std::string(Message(parse("otlp:\n  tls: {insecure: true}\n"))),
              HasSubstr("c.yaml:2:3: otlp: endpoint is required"));
  EXPECT_THAT(std::string(Message(parse("otlp:\n  endpoint: a:1\n  compression: zstd\n"))),
              HasSubstr("c.yaml:3:16: otlp.compression: \"zstd\" is not available"));
  EXPECT_THAT(std::string(Message(parse("otlp:\n  endpoint: a:1\n  endpont: b\n"))),
              HasSubstr("c.yaml:3:3: otlp.endpont: unknown key"));
  EXPECT_THAT(std::string(Message(parse("otlp:\n  endpoint: http://a\n"))),
              HasSubstr("c.yaml:2:13: otlp.endpoint: \"http://a\" is not host:port"));
  EXPECT_THAT(std::string(Message(parse(
                  "otlp:\n  endpoint: a:1\n  sending_queue:\n    num_consumers: 0\n"))),
              HasSubstr("c.yaml:4:20: otlp.sending_queue.num_consumers: must be between"));
}

TEST(OtlpGrpcConfig, DefaultsAndSchemes) {
  auto c = ParseOtlpGrpcConfig(MustParse("otlp:\n  endpoint: https://tempo:4317\n"
                                         "  headers: {X-Scope-OrgID: acme}\n"),
                               "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->endpoint, "tempo:4317");
  EXPECT_FALSE(c->tls.insecure);
  EXPECT_TRUE(c->gzip);
  EXPECT_EQ(c->headers.at("x-scope-orgid"), "acme");
  EXPECT_EQ(c->helper.timeout, 5s);
  c = ParseOtlpGrpcConfig(MustParse("otlp:\n  endpoint: http://tempo:4317\n"), "");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->tls.insecure);
}

}  // namespace
}  // namespace th::exporter::otlp

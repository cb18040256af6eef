// The otlphttp exporter against our own OTLP receiver's HTTP side on loopback: proto and JSON
// arrive identical, tenants travel, a downstream that comes back gets every queued batch, 400 is
// permanent, 429 is retried after Retry-After, unresolvable hosts are counted retries.
#include "export/otlphttp/otlphttp_exporter.h"

#include <unistd.h>

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/node.h"
#include "export/helper/sender.h"
#include "export/helper/testing/test_util.h"
#include "export/otlphttp/config.h"
#include "export/otlphttp/internal/response.h"
#include "ingest/otlp/otlp_receiver.h"

namespace th::exporter::otlphttp {
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
  return n.ok() ? (*n)["otlphttp"] : config::Node();
}

class OtlpHttpExporterTest : public ::testing::Test {
 protected:
  OtlpHttpExporterTest() { host_.metrics = &metrics_; }
  ~OtlpHttpExporterTest() override {
    if (receiver_) receiver_->Shutdown(100);
  }

  void StartReceiver(int port = 0) {
    ingest::otlp::OtlpReceiverOptions options;
    options.grpc_endpoint = "";
    options.http_endpoint = "127.0.0.1:" + std::to_string(port);
    auto r = ingest::otlp::OtlpReceiver::Start(options, &consumer_);
    ASSERT_TRUE(r.ok()) << r.status();
    receiver_ = std::move(r).value();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(receiver_->http_port()); }

  static std::string Retry() {
    return "  retry_on_failure:\n"
           "    initial_interval: 10ms\n"
           "    max_interval: 50ms\n"
           "    max_elapsed_time: 20s\n";
  }

  std::unique_ptr<pipeline::Exporter> Make(const std::string& yaml) {
    pipeline::CreateSettings create;
    create.id = {"otlphttp", ""};
    create.host = &host_;
    auto e = MakeOtlpHttpExporterFactory()(create, MustParse(yaml));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? std::move(e).value() : nullptr;
  }
  uint64_t Counter(const std::string& name) {
    return metrics_.GetCounter(name, "", {{"exporter", "otlphttp"}})->Value();
  }

  // Sends two batches (one with a tenant) and checks they arrive byte-identical.
  void ExpectIdentical(const std::string& yaml) {
    auto e = Make(yaml);
    ASSERT_TRUE(e->Start().ok());
    auto a = MakeBatch("checkout", 3, "acme");
    auto b = MakeBatch("cart", 2, std::string(model::kDefaultTenant), 100);
    std::string want_a = testing::Encode(*a), want_b = testing::Encode(*b);
    Outcomes done;
    e->ConsumeTraces(std::move(a), done.Callback());
    e->ConsumeTraces(std::move(b), done.Callback());
    ASSERT_TRUE(WaitFor([&] { return consumer_.spans() == 5; }));
    e->Shutdown(std::chrono::steady_clock::now() + 1s);
    auto seen = consumer_.seen();
    ASSERT_EQ(seen.size(), 2u);
    for (const auto& s : seen) {
      EXPECT_EQ(s.encoding, s.tenant == "acme" ? want_a : want_b) << s.tenant;
    }
    EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 5u);
  }

  RecordingConsumer consumer_;
  std::unique_ptr<ingest::otlp::OtlpReceiver> receiver_;
  metrics::Registry metrics_;
  pipeline::Host host_;
};

TEST_F(OtlpHttpExporterTest, ProtoWithGzipArrivesIdentical) {
  StartReceiver();
  ExpectIdentical("otlphttp:\n  endpoint: " + Url() + "/\n");
}

TEST_F(OtlpHttpExporterTest, JsonArrivesIdentical) {
  StartReceiver();
  ExpectIdentical("otlphttp:\n  traces_endpoint: " + Url() +
                  "/v1/traces\n  encoding: json\n  compression: none\n");
}

TEST_F(OtlpHttpExporterTest, QueuedBatchesAreDeliveredWhenTheDownstreamComesBack) {
  StartReceiver();
  int port = receiver_->http_port();
  std::string url = Url();
  receiver_->Shutdown(100);
  receiver_.reset();
  auto e = Make("otlphttp:\n  endpoint: " + url + "\n  timeout: 500ms\n" + Retry());
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  for (int i = 0; i < 10; ++i) e->ConsumeTraces(MakeBatch("svc", 2, "t", i * 10), done.Callback());
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(consumer_.spans(), 0u);
  StartReceiver(port);
  ASSERT_TRUE(WaitFor([&] { return consumer_.spans() == 20; }, 15s)) << consumer_.spans();
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 20u);
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_spans"), 0u);
}

TEST_F(OtlpHttpExporterTest, BadRequestIsPermanent) {
  StartReceiver();
  consumer_.SetOutcome(absl::InvalidArgumentError("span too old"));
  auto e = Make("otlphttp:\n  endpoint: " + Url() + "\n" + Retry());
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 2), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_send_failed_spans") == 2; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 0u);
}

TEST_F(OtlpHttpExporterTest, TooManyRequestsIsRetriedAfterRetryAfter) {
  StartReceiver();
  consumer_.SetOutcome(absl::ResourceExhaustedError("wal queue full"));  // 429, Retry-After: 1
  auto e = Make("otlphttp:\n  endpoint: " + Url() + "\n" + Retry());
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  auto start = std::chrono::steady_clock::now();
  e->ConsumeTraces(MakeBatch("svc", 2), done.Callback());
  std::this_thread::sleep_for(100ms);
  consumer_.SetOutcome(absl::OkStatus());
  ASSERT_TRUE(WaitFor([&] { return consumer_.spans() == 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);  // not after the 10ms back-off
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 2u);
}

TEST_F(OtlpHttpExporterTest, UnresolvableHostStartsAndRetriesAreCounted) {
  auto e = Make(
      "otlphttp:\n  endpoint: http://tempo.monitoring.svc:4318\n  timeout: 200ms\n"
      "  retry_on_failure:\n    initial_interval: 10ms\n    max_interval: 20ms\n"
      "    max_elapsed_time: 200ms\n");
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 3), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_send_failed_spans") == 3; }, 15s));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST(OtlpHttpConfig, ReadsKeysAndPointsErrorsAtThem) {
  auto c = ParseOtlpHttpConfig(MustParse("otlphttp:\n  endpoint: https://t:4318/\n"), "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->url, "https://t:4318/v1/traces");
  EXPECT_EQ(c->encoding, Encoding::kProto);
  EXPECT_EQ(c->compression, Compression::kGzip);
  EXPECT_EQ(c->helper.timeout, 30s);
  auto err = [](const std::string& yaml) {
    return std::string(Message(ParseOtlpHttpConfig(MustParse(yaml), "").status()));
  };
  EXPECT_THAT(err("otlphttp:\n  encoding: proto\n"),
              HasSubstr("c.yaml:2:3: otlphttp: endpoint or traces_endpoint is required"));
  EXPECT_THAT(err("otlphttp:\n  endpoint: t:4318\n"),
              HasSubstr("c.yaml:2:13: otlphttp.endpoint: must be an http:// or https:// URL"));
  EXPECT_THAT(err("otlphttp:\n  endpoint: http://t\n  encoding: thrift\n"),
              HasSubstr("c.yaml:3:13: otlphttp.encoding: unknown encoding \"thrift\""));
  EXPECT_THAT(err("otlphttp:\n  endpoint: http://t\n  retry_on_failure:\n    enabeld: true\n"),
              HasSubstr("c.yaml:4:5: otlphttp.retry_on_failure.enabeld: unknown key"));
}

TEST(OtlpHttpResponse, RetryableStatusesAndRetryAfter) {
  using internal::OutcomeOfHttpStatus;
  for (int status : {429, 502, 503, 504}) {
    Status s = OutcomeOfHttpStatus(status, "", false, 3s, "u");
    EXPECT_FALSE(helper::IsPermanent(s)) << status;
    EXPECT_EQ(helper::RetryAfterOf(s), 3s);
  }
  for (int status : {400, 401, 403, 404, 413, 500}) {
    EXPECT_TRUE(helper::IsPermanent(OutcomeOfHttpStatus(status, "", false, {}, "u"))) << status;
  }
  EXPECT_THAT(std::string(Message(OutcomeOfHttpStatus(
                  400, "{\"code\":3,\"message\":\"bad trace id\"}", true, {}, "u"))),
              HasSubstr("HTTP 400: bad trace id"));
  EXPECT_EQ(internal::ParseRetryAfter("7", 0), 7s);
  EXPECT_EQ(internal::ParseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", 1445412480), 10s);
  EXPECT_EQ(internal::ParseRetryAfter("soon", 0), std::nullopt);
}

TEST(OtlpHttpResponse, ReadsPartialSuccessInBothEncodings) {
  auto json = internal::ParseExportResponse(
      "{\"partialSuccess\":{\"rejectedSpans\":\"2\",\"errorMessage\":\"bad ids\"}}", true);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->rejected_items, 2);
  EXPECT_EQ(json->error_message, "bad ids");
  // ExportTraceServiceResponse{partial_success{rejected_spans: 5, error_message: "x"}}
  auto proto = internal::ParseExportResponse(std::string("\x0a\x05\x08\x05\x12\x01x", 7), false);
  ASSERT_TRUE(proto.ok());
  EXPECT_EQ(proto->rejected_items, 5);
  EXPECT_EQ(proto->error_message, "x");
  EXPECT_TRUE(internal::ParseExportResponse("", false).ok());
  EXPECT_FALSE(internal::ParseExportResponse("{not json", true).ok());
}

}  // namespace
}  // namespace th::exporter::otlphttp

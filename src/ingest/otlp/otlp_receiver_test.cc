// The receiver on real sockets with a scripted consumer: what each consumer outcome becomes on
// the wire, for gRPC and HTTP.
#include "ingest/otlp/otlp_receiver.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace th::ingest::otlp {
namespace {

namespace beast = boost::beast;
namespace collector = opentelemetry::proto::collector::trace::v1;

// Answers every batch with `outcome`, optionally from another thread after a delay (as the WAL
// does), and remembers what it saw.
class ScriptedConsumer : public pipeline::TracesConsumer {
 public:
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    spans += batch->span_count();
    tenant = batch->tenant;
    Status s = outcome;
    std::thread([done = std::move(done), s] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      done(s);
    }).detach();
  }
  Status outcome = absl::OkStatus();
  std::atomic<size_t> spans{0};
  std::string tenant;
};

collector::ExportTraceServiceRequest Request(int spans, bool bad_span = false) {
  collector::ExportTraceServiceRequest req;
  auto* ss = req.add_resource_spans()->add_scope_spans();
  for (int i = 0; i < spans; ++i) {
    auto* s = ss->add_spans();
    s->set_trace_id(std::string(16, '\x01'));
    s->set_span_id(std::string(7, '\x02') + static_cast<char>(i + 1));
    s->set_name("op");
  }
  if (bad_span) ss->add_spans()->set_trace_id("short");
  return req;
}

struct HttpAnswer {
  int status;
  std::string body;
  std::string retry_after;
  std::string content_type;
};

HttpAnswer Post(int port, const std::string& body, const std::string& content_type) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  boost::asio::ip::tcp::resolver resolver(io);
  stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  beast::http::request<beast::http::string_body> req{beast::http::verb::post, "/v1/traces", 11};
  req.set(beast::http::field::host, "127.0.0.1");
  req.set(beast::http::field::content_type, content_type);
  req.set("X-Scope-OrgID", "acme");
  req.body() = body;
  req.prepare_payload();
  beast::http::write(stream, req);
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(stream, buffer, res);
  return {static_cast<int>(res.result_int()), res.body(), std::string(res["Retry-After"]),
          std::string(res[beast::http::field::content_type])};
}

class OtlpReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OtlpReceiverOptions options;
    options.grpc_endpoint = "127.0.0.1:0";
    options.http_endpoint = "127.0.0.1:0";
    auto r = OtlpReceiver::Start(options, &consumer_);
    ASSERT_TRUE(r.ok()) << r.status();
    receiver_ = std::move(r).value();
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(receiver_->grpc_port()),
                                       grpc::InsecureChannelCredentials());
    stub_ = collector::TraceService::NewStub(channel);
  }
  void TearDown() override { receiver_->Shutdown(1000); }

  grpc::Status Export(const collector::ExportTraceServiceRequest& req,
                      collector::ExportTraceServiceResponse* resp) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-scope-orgid", "acme");
    return stub_->Export(&ctx, req, resp);
  }

  ScriptedConsumer consumer_;
  std::unique_ptr<OtlpReceiver> receiver_;
  std::unique_ptr<collector::TraceService::Stub> stub_;
};

TEST_F(OtlpReceiverTest, GrpcAnswersAfterTheConsumerWithTheTenant) {
  collector::ExportTraceServiceResponse resp;
  grpc::Status s = Export(Request(3), &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(resp.has_partial_success());
  EXPECT_EQ(consumer_.spans.load(), 3u);
  EXPECT_EQ(consumer_.tenant, "acme");
}

TEST_F(OtlpReceiverTest, GrpcReportsPartialSuccess) {
  collector::ExportTraceServiceResponse resp;
  ASSERT_TRUE(Export(Request(2, /*bad_span=*/true), &resp).ok());
  EXPECT_EQ(resp.partial_success().rejected_spans(), 1);
  EXPECT_NE(resp.partial_success().error_message().find("trace_id"), std::string::npos);
  EXPECT_EQ(consumer_.spans.load(), 2u);
}

TEST_F(OtlpReceiverTest, GrpcOverloadIsRetryableUnavailable) {
  consumer_.outcome = absl::ResourceExhaustedError("wal queue full");
  collector::ExportTraceServiceResponse resp;
  grpc::Status s = Export(Request(1), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(s.error_message(), "wal queue full");
}

TEST_F(OtlpReceiverTest, GrpcOverMaxMessageSizeIsResourceExhausted) {
  collector::ExportTraceServiceRequest req = Request(1);
  req.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->set_name(
      std::string(5 << 20, 'x'));
  collector::ExportTraceServiceResponse resp;
  EXPECT_EQ(Export(req, &resp).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(consumer_.spans.load(), 0u);
}

TEST_F(OtlpReceiverTest, HttpOverloadIs429WithRetryAfter) {
  consumer_.outcome = absl::ResourceExhaustedError("wal queue full");
  HttpAnswer a = Post(receiver_->http_port(), "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{"
                                              "\"traceId\":\"01010101010101010101010101010101\","
                                              "\"spanId\":\"0202020202020202\"}]}]}]}",
                      "application/json");
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.retry_after, "1");
  EXPECT_EQ(a.body, "{\"code\":14,\"message\":\"wal queue full\"}");
}

TEST_F(OtlpReceiverTest, HttpStorageFailureIs503WithRetryAfter) {
  consumer_.outcome = absl::InternalError("fdatasync failed");
  HttpAnswer a = Post(receiver_->http_port(), Request(1).SerializeAsString(),
                      "application/x-protobuf");
  EXPECT_EQ(a.status, 503);
  EXPECT_EQ(a.retry_after, "1");
  EXPECT_EQ(a.content_type, "application/x-protobuf");
}

TEST_F(OtlpReceiverTest, HttpAnswersInTheRequestsEncodingWithCharset) {
  HttpAnswer a = Post(receiver_->http_port(), "{\"resourceSpans\":[]}",
                      "application/json; charset=utf-8");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "{}");
  EXPECT_EQ(a.content_type, "application/json");
}

}  // namespace
}  // namespace th::ingest::otlp

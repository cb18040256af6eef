#include "ingest/jaeger/jaeger_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "common/config/node.h"
#include "ingest/jaeger/internal/thrift_writer_for_test.h"
#include "jaeger/api_v2/collector.grpc.pb.h"

namespace th::ingest::jaeger {
namespace {

namespace t = testing;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// Records every batch and answers with `answer`.
class RecordingConsumer : public pipeline::TracesConsumer {
 public:
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    Status answer;
    {
      absl::MutexLock l(&mu_);
      batches_.push_back(std::move(batch));
      answer = answer_;
    }
    done(answer);
  }
  void set_answer(Status s) {
    absl::MutexLock l(&mu_);
    answer_ = std::move(s);
  }
  // Waits up to 5 s for `n` batches.
  bool WaitFor(size_t n) {
    absl::MutexLock l(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return batches_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(5));
  }
  std::unique_ptr<model::SpanBatch> Take(size_t i) {
    absl::MutexLock l(&mu_);
    return batches_[i]->Clone();
  }
  size_t count() {
    absl::MutexLock l(&mu_);
    return batches_.size();
  }

 private:
  absl::Mutex mu_;
  std::vector<std::unique_ptr<model::SpanBatch>> batches_ ABSL_GUARDED_BY(mu_);
  Status answer_ ABSL_GUARDED_BY(mu_);
};

t::Batch SmallBatch(int spans = 2) {
  t::Batch b;
  b.process.service_name = "svc";
  for (int i = 0; i < spans; ++i) {
    t::Span s;
    s.trace_id_low = 77;
    s.span_id = 100 + i;
    s.operation_name = "op" + std::to_string(i);
    s.start_time = 1000;
    s.duration = 10;
    s.tags = {t::StrTag("span.kind", "server")};
    b.spans.push_back(s);
  }
  return b;
}

struct HttpAnswer {
  int status = 0;
  std::string head;
  std::string body;
};

// One blocking HTTP/1.1 POST over loopback (the shared client only does GET).
HttpAnswer Post(int port, const std::string& path, const std::string& content_type,
                const std::string& body, const std::string& extra_headers = "") {
  HttpAnswer a;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return a;
  }
  std::string req = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" +
                    "Content-Type: " + content_type + "\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t end = resp.find("\r\n\r\n");
  if (resp.size() < 12 || end == std::string::npos) return a;
  a.status = std::stoi(resp.substr(9, 3));
  a.head = resp.substr(0, end);
  a.body = resp.substr(end + 4);
  return a;
}

void SendUdp(int port, const std::string& payload) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  close(fd);
}

class JaegerReceiverTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<pipeline::Receiver>> Create(const std::string& yaml) {
    auto node = config::Node::Parse(yaml, "receiver.yaml");
    if (!node.ok()) return node.status();
    settings_.id = {"jaeger", "test"};
    settings_.host = &host_;
    return MakeJaegerReceiverFactory()(settings_, *node, &consumer_);
  }

  std::unique_ptr<JaegerReceiver> Started(const std::string& yaml) {
    auto r = Create(yaml);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return nullptr;
    std::unique_ptr<JaegerReceiver> receiver(dynamic_cast<JaegerReceiver*>(r->release()));
    Status s = receiver->Start();
    EXPECT_TRUE(s.ok()) << s;
    return receiver;
  }

  uint64_t Counter(const char* name, const char* transport) {
    return registry_
        .GetCounter(name, "", {{"receiver", "jaeger/test"}, {"transport", transport}})
        ->Value();
  }

  metrics::Registry registry_;
  pipeline::Host host_{&registry_};
  pipeline::CreateSettings settings_;
  RecordingConsumer consumer_;
};

constexpr const char* kAll = R"(
protocols:
  grpc: {endpoint: "127.0.0.1:0"}
  thrift_http: {endpoint: "127.0.0.1:0"}
  thrift_compact: {endpoint: "127.0.0.1:0", workers: 2, queue_size: 10}
  thrift_binary: {endpoint: "127.0.0.1:0", workers: 2}
)";

TEST_F(JaegerReceiverTest, ThriftHttpAnswers202AfterTheConsumerAndKeepsTheTenant) {
  auto r = Started(kAll);
  ASSERT_NE(r, nullptr);
  HttpAnswer a = Post(r->port(Transport::kThriftHttp), "/api/traces", "application/x-thrift",
                      t::EncodeBatch(SmallBatch(), ThriftProtocol::kBinary),
                      "X-Scope-OrgID: acme\r\n");
  EXPECT_EQ(a.status, 202) << a.body;
  ASSERT_EQ(consumer_.count(), 1u);
  auto b = consumer_.Take(0);
  EXPECT_EQ(b->tenant, "acme");
  EXPECT_EQ(b->span_count(), 2u);
  EXPECT_EQ(b->spans.kind[0], model::kSpanKindServer);
  EXPECT_EQ(Counter("otelcol_receiver_accepted_spans", "thrift_http"), 2u);
  r->Shutdown(Clock::now() + std::chrono::seconds(5));
}

TEST_F(JaegerReceiverTest, ThriftHttpBadInputIs400NamingTheProblem) {
  auto r = Started(kAll);
  ASSERT_NE(r, nullptr);
  int port = r->port(Transport::kThriftHttp);
  HttpAnswer bad = Post(port, "/api/traces", "application/vnd.apache.thrift.binary", "\x0c\x00");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("invalid jaeger thrift binary"));
  HttpAnswer type = Post(port, "/api/traces", "application/json", "{}");
  EXPECT_EQ(type.status, 400);
  EXPECT_THAT(type.body, HasSubstr("unsupported content type"));
  EXPECT_EQ(Post(port, "/api/other", "application/x-thrift", "").status, 404);
  EXPECT_EQ(consumer_.count(), 0u);
  r->Shutdown(Clock::now() + std::chrono::seconds(5));
}

TEST_F(JaegerReceiverTest, ThriftHttpRetryableConsumerErrorsCarryRetryAfter) {
  auto r = Started(kAll);
  ASSERT_NE(r, nullptr);
  std::string body = t::EncodeBatch(SmallBatch(), ThriftProtocol::kBinary);
  consumer_.set_answer(absl::UnavailableError("store is down"));
  HttpAnswer a = Post(r->port(Transport::kThriftHttp), "/api/traces", "application/x-thrift", body);
  EXPECT_EQ(a.status, 503);
  EXPECT_THAT(a.head, HasSubstr("Retry-After"));
  consumer_.set_answer(absl::ResourceExhaustedError("memory limit"));
  a = Post(r->port(Transport::kThriftHttp), "/api/traces", "application/x-thrift", body);
  EXPECT_EQ(a.status, 429);
  EXPECT_THAT(a.head, HasSubstr("Retry-After"));
  EXPECT_EQ(Counter("otelcol_receiver_refused_spans", "thrift_http"), 4u);
  r->Shutdown(Clock::now() + std::chrono::seconds(5));
}

TEST_F(JaegerReceiverTest, GrpcPostSpansDeliversAndMapsErrors) {
  auto r = Started(kAll);
  ASSERT_NE(r, nullptr);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(r->port(Transport::kGrpc)),
                                     grpc::InsecureChannelCredentials());
  auto stub = ::jaeger::api_v2::CollectorService::NewStub(channel);
  ::jaeger::api_v2::PostSpansRequest req;
  auto* batch = req.mutable_batch();
  batch->mutable_process()->set_service_name("grpc-svc");
  auto* span = batch->add_spans();
  span->set_trace_id(std::string(15, '\0') + "\x01");
  span->set_span_id(std::string(7, '\0') + "\x02");
  span->set_operation_name("rpc");
  ::jaeger::api_v2::PostSpansResponse resp;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-scope-orgid", "team-b");
    grpc::Status s = stub->PostSpans(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_EQ(consumer_.count(), 1u);
  auto b = consumer_.Take(0);
  EXPECT_EQ(b->tenant, "team-b");
  EXPECT_EQ(b->spans.name[0], "rpc");
  EXPECT_EQ(Counter("otelcol_receiver_accepted_spans", "grpc"), 1u);
  {
    consumer_.set_answer(absl::ResourceExhaustedError("full"));
    grpc::ClientContext ctx;
    EXPECT_EQ(stub->PostSpans(&ctx, req, &resp).error_code(), grpc::StatusCode::UNAVAILABLE);
  }
  {
    span->set_span_id("bad");
    grpc::ClientContext ctx;
    grpc::Status s = stub->PostSpans(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("span_id: must be 8 bytes"));
  }
  r->Shutdown(Clock::now() + std::chrono::seconds(5));
}

TEST_F(JaegerReceiverTest, UdpCompactAndBinaryAgentsDeliver) {
  auto r = Started(kAll);
  ASSERT_NE(r, nullptr);
  SendUdp(r->port(Transport::kUdpThriftCompact),
          t::EncodeEmitBatch(SmallBatch(1), ThriftProtocol::kCompact));
  ASSERT_TRUE(consumer_.WaitFor(1));
  SendUdp(r->port(Transport::kUdpThriftBinary),
          t::EncodeEmitBatch(SmallBatch(3), ThriftProtocol::kBinary));
  ASSERT_TRUE(consumer_.WaitFor(2));
  size_t spans = consumer_.Take(0)->span_count() + consumer_.Take(1)->span_count();
  EXPECT_EQ(spans, 4u);
  EXPECT_EQ(consumer_.Take(0)->tenant, model::kDefaultTenant);
  // Garbage is dropped and counted, not delivered.
  SendUdp(r->port(Transport::kUdpThriftCompact), "not thrift");
  auto invalid = registry_.GetCounter("otelcol_receiver_dropped_packets", "",
                                      {{"receiver", "jaeger/test"},
                                       {"transport", "udp_thrift_compact"},
                                       {"reason", "invalid"}});
  for (int i = 0; i < 500 && invalid->Value() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(invalid->Value(), 1u);
  r->Shutdown(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(Counter("otelcol_receiver_accepted_spans", "udp_thrift_compact"), 1u);
  EXPECT_EQ(Counter("otelcol_receiver_accepted_spans", "udp_thrift_binary"), 3u);
  EXPECT_EQ(consumer_.count(), 2u);
}

TEST_F(JaegerReceiverTest, OnlyConfiguredProtocolsStart) {
  auto r = Started("protocols:\n  thrift_http:\n    endpoint: 127.0.0.1:0\n");
  ASSERT_NE(r, nullptr);
  EXPECT_GT(r->port(Transport::kThriftHttp), 0);
  EXPECT_EQ(r->port(Transport::kGrpc), 0);
  EXPECT_EQ(r->port(Transport::kUdpThriftCompact), 0);
  EXPECT_EQ(r->port(Transport::kUdpThriftBinary), 0);
  r->Shutdown(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(r->port(Transport::kThriftHttp), 0);
}

TEST_F(JaegerReceiverTest, ConstructionParsesOnlyAndReportsConfigErrors) {
  auto unknown = Create("protocols:\n  thrift_http:\n    endpoint: 127.0.0.1:0\n    bogus: 1\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(Message(unknown.status())), HasSubstr("receiver.yaml:4"));
  EXPECT_THAT(std::string(Message(unknown.status())), HasSubstr("bogus"));

  auto none = Create("protocols:\n");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(std::string(Message(none.status())), HasSubstr("at least one protocol"));

  auto bad_size = Create("protocols:\n  thrift_compact:\n    max_packet_size: 0\n");
  ASSERT_FALSE(bad_size.ok());
  EXPECT_THAT(std::string(Message(bad_size.status())), HasSubstr("max_packet_size"));

  // A port in use is not a construction error: only Start binds.
  auto first = Started("protocols:\n  thrift_http:\n    endpoint: 127.0.0.1:0\n");
  ASSERT_NE(first, nullptr);
  std::string busy = "protocols:\n  thrift_http:\n    endpoint: 127.0.0.1:" +
                     std::to_string(first->port(Transport::kThriftHttp)) + "\n";
  auto second = Create(busy);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE((*second)->Start().ok());
  first->Shutdown(Clock::now() + std::chrono::seconds(5));
}

TEST_F(JaegerReceiverTest, ShutdownWaitsForTheConsumersAnswer) {
  // A consumer that answers from another thread 200 ms later.
  class SlowConsumer : public pipeline::TracesConsumer {
   public:
    void ConsumeTraces(std::unique_ptr<model::SpanBatch>&&, pipeline::Done done) override {
      called_ = true;
      threads_.emplace_back([done = std::move(done), this] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        answered_ = true;
        done(absl::OkStatus());
      });
    }
    ~SlowConsumer() override {
      for (auto& t : threads_) t.join();
    }
    std::atomic<bool> called_{false};
    std::atomic<bool> answered_{false};
    std::vector<std::thread> threads_;
  } slow;
  auto node = config::Node::Parse(
      "protocols:\n  thrift_binary:\n    endpoint: 127.0.0.1:0\n    workers: 1\n", "r.yaml");
  ASSERT_TRUE(node.ok());
  settings_.id = {"jaeger", "slow"};
  settings_.host = &host_;
  auto created = MakeJaegerReceiverFactory()(settings_, *node, &slow);
  ASSERT_TRUE(created.ok());
  auto* r = dynamic_cast<JaegerReceiver*>(created->get());
  ASSERT_TRUE(r->Start().ok());
  SendUdp(r->port(Transport::kUdpThriftBinary),
          t::EncodeEmitBatch(SmallBatch(1), ThriftProtocol::kBinary));
  for (int i = 0; i < 500 && !slow.called_; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r->Shutdown(Clock::now() + std::chrono::seconds(5));
  EXPECT_TRUE(slow.answered_);
  created->reset();
}

}  // namespace
}  // namespace th::ingest::jaeger

// The zipkin receiver on real loopback sockets with a scripted consumer: config parsing through
// the factory, what each request and each consumer outcome becomes on the wire, tenancy, metrics.
#include "ingest/zipkin/zipkin_receiver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/config/node.h"
#include "common/gzip.h"
#include "zipkin/zipkin.pb.h"

namespace zpb = ::zipkin::proto3;

namespace th::ingest::zipkin {
namespace {

namespace beast = boost::beast;
using ::testing::HasSubstr;

// Answers every batch with `outcome` from another thread after a delay (as the WAL does), and
// remembers what it saw.
class ScriptedConsumer : public pipeline::TracesConsumer {
 public:
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      spans += batch->span_count();
      ++batches;
      tenant = batch->tenant;
      if (batch->span_count() > 0) name = std::string(batch->spans.name[0]);
    }
    Status s = outcome;
    std::thread([done = std::move(done), s] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      done(s);
    }).detach();
  }
  std::mutex mu;
  Status outcome = absl::OkStatus();
  size_t spans = 0;
  int batches = 0;
  std::string tenant;
  std::string name;
};

struct Answer {
  int status = 0;
  std::string body;
  std::string retry_after;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (beast::iequals(k, beast::string_view(name.data(), name.size()))) return v;
    }
    return "";
  }
};

Answer Send(int port, beast::http::verb verb, const std::string& target, const std::string& body,
            const std::vector<std::pair<std::string, std::string>>& headers) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  boost::asio::ip::tcp::resolver resolver(io);
  stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  beast::http::request<beast::http::string_body> req{verb, target, 11};
  req.set(beast::http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::http::write(stream, req);
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(stream, buffer, res);
  Answer a;
  a.status = static_cast<int>(res.result_int());
  a.body = res.body();
  a.retry_after = std::string(res["Retry-After"]);
  for (const auto& field : res) {
    a.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return a;
}

Answer Post(int port, const std::string& body, const std::string& content_type,
            std::vector<std::pair<std::string, std::string>> headers = {}) {
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  return Send(port, beast::http::verb::post, "/api/v2/spans", body, headers);
}

constexpr char kTwoSpans[] = R"([
  {"traceId": "5af7183fb1d4cf5f", "id": "352bff9a74ca9ad2", "name": "get",
   "localEndpoint": {"serviceName": "api"}},
  {"traceId": "5af7183fb1d4cf5f", "id": "352bff9a74ca9ad3", "parentId": "352bff9a74ca9ad2",
   "name": "select", "localEndpoint": {"serviceName": "api"}}])";

config::Node ParseYaml(const std::string& yaml) {
  auto node = config::Node::Parse(yaml, "test.yaml");
  EXPECT_TRUE(node.ok()) << node.status();
  return node.ok() ? (*node)["zipkin"] : config::Node();
}

class ZipkinReceiverTest : public ::testing::Test {
 protected:
  // Builds through the factory, as the service does, and starts on a free loopback port.
  void StartWith(const std::string& extra_yaml = "") {
    host_.metrics = &registry_;
    pipeline::CreateSettings settings;
    settings.id = {"zipkin", "test"};
    settings.host = &host_;
    auto made = MakeZipkinReceiverFactory()(
        settings, ParseYaml("zipkin:\n  endpoint: 127.0.0.1:0\n" + extra_yaml), &consumer_);
    ASSERT_TRUE(made.ok()) << made.status();
    receiver_.reset(dynamic_cast<ZipkinReceiver*>(made->release()));
    ASSERT_NE(receiver_, nullptr);
    EXPECT_EQ(receiver_->port(), 0);  // creation binds nothing
    ASSERT_TRUE(receiver_->Start().ok());
    port_ = receiver_->port();
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    if (receiver_) receiver_->Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(2));
  }
  uint64_t Counter(std::string_view name) {
    return registry_.GetCounter(name, "", {{"receiver", "zipkin/test"}, {"transport", "http"}})
        ->Value();
  }

  metrics::Registry registry_;
  pipeline::Host host_;
  ScriptedConsumer consumer_;
  std::unique_ptr<ZipkinReceiver> receiver_;
  int port_ = 0;
};

TEST_F(ZipkinReceiverTest, JsonIsAcceptedWith202AfterTheConsumerAnswers) {
  StartWith();
  Answer a = Post(port_, kTwoSpans, "application/json; charset=utf-8");
  EXPECT_EQ(a.status, 202) << a.body;
  EXPECT_EQ(consumer_.spans, 2u);
  EXPECT_EQ(consumer_.tenant, model::kDefaultTenant);
  EXPECT_EQ(Counter("otelcol_receiver_accepted_spans"), 2u);
  EXPECT_EQ(Counter("otelcol_receiver_refused_spans"), 0u);
  EXPECT_THAT(registry_.Render(),
              HasSubstr("otelcol_receiver_accepted_spans{receiver=\"zipkin/test\",transport=\"http\"} 2"));
}

TEST_F(ZipkinReceiverTest, ProtobufIsAccepted) {
  StartWith();
  zpb::ListOfSpans list;
  auto* s = list.add_spans();
  s->set_trace_id(std::string(16, '\x01'));
  s->set_id(std::string(8, '\x02'));
  s->set_name("proto-span");
  Answer a = Post(port_, list.SerializeAsString(), "application/x-protobuf");
  EXPECT_EQ(a.status, 202) << a.body;
  EXPECT_EQ(consumer_.spans, 1u);
  EXPECT_EQ(consumer_.name, "proto-span");
}

TEST_F(ZipkinReceiverTest, GzipBodiesAreDecompressedAndTenantIsTaken) {
  StartWith();
  Answer a = Post(port_, Gzip(kTwoSpans), "application/json",
                  {{"Content-Encoding", "gzip"}, {"X-Scope-OrgID", "acme"}});
  EXPECT_EQ(a.status, 202) << a.body;
  EXPECT_EQ(consumer_.spans, 2u);
  EXPECT_EQ(consumer_.tenant, "acme");
}

TEST_F(ZipkinReceiverTest, MissingContentTypeIsReadAsJson) {
  StartWith();
  Answer a = Post(port_, kTwoSpans, "");
  EXPECT_EQ(a.status, 202) << a.body;
}

TEST_F(ZipkinReceiverTest, BadBodyIs400NamingTheProblemAndReachesNoConsumer) {
  StartWith();
  Answer a = Post(port_, R"([{"traceId": "1", "id": "1"}, {"traceId": "nothex", "id": "2"}])",
                  "application/json");
  EXPECT_EQ(a.status, 400);
  EXPECT_THAT(a.body, HasSubstr("span 1: traceId: not hex"));
  Answer p = Post(port_, "\x0a\x05garbage", "application/x-protobuf");
  EXPECT_EQ(p.status, 400);
  EXPECT_THAT(p.body, HasSubstr("malformed protobuf"));
  Answer g = Post(port_, "not gzip", "application/json", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(g.status, 400);
  EXPECT_EQ(consumer_.batches, 0);
}

TEST_F(ZipkinReceiverTest, OtherContentTypesAndEncodingsAre415) {
  StartWith();
  Answer a = Post(port_, kTwoSpans, "text/plain");
  EXPECT_EQ(a.status, 415);
  EXPECT_THAT(a.body, HasSubstr("application/x-protobuf"));
  Answer b = Post(port_, kTwoSpans, "application/json", {{"Content-Encoding", "br"}});
  EXPECT_EQ(b.status, 415);
  EXPECT_EQ(consumer_.batches, 0);
}

TEST_F(ZipkinReceiverTest, OtherPathsAndMethodsAreRefused) {
  StartWith();
  EXPECT_EQ(Send(port_, beast::http::verb::post, "/api/v1/spans", "[]",
                 {{"Content-Type", "application/json"}})
                .status,
            404);
  EXPECT_EQ(Send(port_, beast::http::verb::post, "/other", "[]", {}).status, 404);
  Answer get = Send(port_, beast::http::verb::get, "/api/v2/spans", "", {});
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.Header("Allow"), "POST");
}

TEST_F(ZipkinReceiverTest, EmptyListIsAcceptedWithoutBotheringTheConsumer) {
  StartWith();
  EXPECT_EQ(Post(port_, "[]", "application/json").status, 202);
  EXPECT_EQ(Post(port_, "", "application/x-protobuf").status, 202);
  EXPECT_EQ(consumer_.batches, 0);
}

TEST_F(ZipkinReceiverTest, ConsumerOverloadBecomesRetryableAndCountsRefused) {
  StartWith();
  consumer_.outcome = absl::ResourceExhaustedError("memory limit reached");
  Answer a = Post(port_, kTwoSpans, "application/json");
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(a.retry_after, "1");
  EXPECT_THAT(a.body, HasSubstr("memory limit reached"));
  consumer_.outcome = absl::UnavailableError("wal closed");
  Answer b = Post(port_, kTwoSpans, "application/json");
  EXPECT_EQ(b.status, 503);
  EXPECT_EQ(b.retry_after, "1");
  consumer_.outcome = absl::InvalidArgumentError("bad data");
  Answer c = Post(port_, kTwoSpans, "application/json");
  EXPECT_EQ(c.status, 400);
  EXPECT_EQ(c.retry_after, "");
  EXPECT_EQ(Counter("otelcol_receiver_refused_spans"), 6u);
  EXPECT_EQ(Counter("otelcol_receiver_accepted_spans"), 0u);
}

TEST_F(ZipkinReceiverTest, BodiesLargerThanTheLimitAfterDecompressionAre413) {
  StartWith("  max_request_body_size: 1000\n");
  Answer big = Post(port_, std::string(2000, ' ') + "[]", "application/json");
  EXPECT_EQ(big.status, 413);
  Answer bomb = Post(port_, Gzip(std::string(100000, ' ') + "[]"), "application/json",
                     {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(bomb.status, 413);
  EXPECT_EQ(consumer_.batches, 0);
}

TEST_F(ZipkinReceiverTest, ParseStringTagsReachesTheDecoder) {
  StartWith("  parse_string_tags: true\n");
  // Decoding itself is covered in zipkin_decode_test; here only that the option is wired.
  Answer a = Post(port_, R"([{"traceId": "1", "id": "1", "tags": {"n": "12"}}])",
                  "application/json");
  EXPECT_EQ(a.status, 202);
}

TEST_F(ZipkinReceiverTest, CorsPreflightAndResponseHeaders) {
  StartWith(
      "  response_headers: {X-Served-By: tracehouse}\n"
      "  cors:\n"
      "    allowed_origins: [\"https://*.example.com\"]\n"
      "    allowed_headers: [X-Custom]\n"
      "    max_age: 600\n");
  Answer pre = Send(port_, beast::http::verb::options, "/api/v2/spans", "",
                    {{"Origin", "https://app.example.com"},
                     {"Access-Control-Request-Method", "POST"},
                     {"Access-Control-Request-Headers", "content-type, x-custom"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.Header("Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(pre.Header("Access-Control-Allow-Methods"), "POST");
  EXPECT_EQ(pre.Header("Access-Control-Max-Age"), "600");
  EXPECT_EQ(pre.Header("X-Served-By"), "tracehouse");
  Answer denied = Send(port_, beast::http::verb::options, "/api/v2/spans", "",
                       {{"Origin", "https://evil.test"},
                        {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(denied.Header("Access-Control-Allow-Origin"), "");
  Answer bad_header = Send(port_, beast::http::verb::options, "/api/v2/spans", "",
                           {{"Origin", "https://app.example.com"},
                            {"Access-Control-Request-Method", "POST"},
                            {"Access-Control-Request-Headers", "x-secret"}});
  EXPECT_EQ(bad_header.Header("Access-Control-Allow-Methods"), "");
  Answer post = Post(port_, kTwoSpans, "application/json", {{"Origin", "https://a.example.com"}});
  EXPECT_EQ(post.status, 202);
  EXPECT_EQ(post.Header("Access-Control-Allow-Origin"), "https://a.example.com");
  EXPECT_EQ(post.Header("Access-Control-Allow-Credentials"), "true");
}

TEST_F(ZipkinReceiverTest, ShutdownStopsListening) {
  StartWith();
  receiver_->Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  EXPECT_EQ(receiver_->port(), 0);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port_)}, ec);
  EXPECT_TRUE(ec) << "still accepting on " << port_;
  // A second Start after Shutdown binds again.
  ASSERT_TRUE(receiver_->Start().ok());
  EXPECT_EQ(Post(receiver_->port(), "[]", "application/json").status, 202);
}

TEST(ZipkinReceiverConfig, DefaultsMatchTheCollector) {
  auto c = ZipkinReceiverConfig::Parse(ParseYaml("zipkin:\n"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->endpoint, "127.0.0.1:9411");
  EXPECT_FALSE(c->parse_string_tags);
  EXPECT_EQ(c->max_request_body_size, 20u << 20);
  EXPECT_TRUE(c->cors.allowed_origins.empty());
}

TEST(ZipkinReceiverConfig, ErrorsNameTheKeyAndLine) {
  auto unknown = ZipkinReceiverConfig::Parse(ParseYaml("zipkin:\n  endpoint: 1.2.3.4:1\n  tls: {}\n"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(Message(unknown.status())), HasSubstr("test.yaml:3"));
  EXPECT_THAT(std::string(Message(unknown.status())), HasSubstr("tls"));
  auto endpoint = ZipkinReceiverConfig::Parse(ParseYaml("zipkin:\n  endpoint: nowhere\n"));
  ASSERT_FALSE(endpoint.ok());
  EXPECT_THAT(std::string(Message(endpoint.status())), HasSubstr("test.yaml:2"));
  EXPECT_THAT(std::string(Message(endpoint.status())), HasSubstr("expected host:port"));
  auto type = ZipkinReceiverConfig::Parse(ParseYaml("zipkin:\n  parse_string_tags: maybe\n"));
  EXPECT_FALSE(type.ok());
  auto cors = ZipkinReceiverConfig::Parse(ParseYaml("zipkin:\n  cors:\n    allowed_methods: [GET]\n"));
  ASSERT_FALSE(cors.ok());
  EXPECT_THAT(std::string(Message(cors.status())), HasSubstr("allowed_methods"));
  auto size = ZipkinReceiverConfig::Parse(ParseYaml("zipkin:\n  max_request_body_size: 0\n"));
  EXPECT_FALSE(size.ok());
}

TEST(ZipkinReceiverFactory, BindFailureIsReportedByStartNotByCreation) {
  ScriptedConsumer consumer;
  metrics::Registry registry;
  pipeline::Host host;
  host.metrics = &registry;
  pipeline::CreateSettings settings;
  settings.id = {"zipkin", ""};
  settings.host = &host;
  auto first = MakeZipkinReceiverFactory()(settings, ParseYaml("zipkin:\n  endpoint: 127.0.0.1:0\n"),
                                           &consumer);
  ASSERT_TRUE(first.ok());
  auto* first_receiver = dynamic_cast<ZipkinReceiver*>(first->get());
  ASSERT_TRUE(first_receiver->Start().ok());
  const std::string taken = "zipkin:\n  endpoint: 127.0.0.1:" +
                            std::to_string(first_receiver->port()) + "\n";
  auto second = MakeZipkinReceiverFactory()(settings, ParseYaml(taken), &consumer);
  ASSERT_TRUE(second.ok()) << second.status();  // creation binds nothing
  Status started = (*second)->Start();
  EXPECT_FALSE(started.ok());
  EXPECT_THAT(std::string(Message(started)), HasSubstr("receiver zipkin"));
  (*first)->Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  auto no_consumer = MakeZipkinReceiverFactory()(settings, ParseYaml("zipkin:\n"), nullptr);
  EXPECT_FALSE(no_consumer.ok());
}

}  // namespace
}  // namespace th::ingest::zipkin

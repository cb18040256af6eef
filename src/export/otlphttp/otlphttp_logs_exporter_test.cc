// The otlphttp exporter's logs twin against a small HTTP/1.1 server on loopback that records each
// request: protobuf arrives as the exact bytes (gzip or not) on /v1/logs or logs_endpoint, JSON
// has hex ids and parses back with libprotobuf, the tenant travels, and a downstream that is down
// and comes back gets every queued batch.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <thread>

#include <google/protobuf/util/message_differencer.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "common/config/node.h"
#include "common/gzip.h"
#include "export/helper/testing/logs_test_util.h"
#include "export/helper/testing/test_util.h"
#include "export/otlphttp/config.h"
#include "export/otlphttp/otlphttp_exporter.h"
#include "model/span_batch.h"

namespace th::exporter::otlphttp {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::Outcomes;
using testing::MakeLogsBatch;
using testing::WaitFor;

// One thread per connection, keep-alive, Content-Length bodies only (what libcurl sends for a
// POST of a known size). Answers every request with the current status and an empty body.
class TinyHttpServer {
 public:
  struct Request {
    std::string path;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;                            // as received (still compressed)
  };

  explicit TinyHttpServer(int port = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 16) != 0) {
      ADD_FAILURE() << "cannot listen on port " << port;
      return;
    }
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~TinyHttpServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (acceptor_.joinable()) acceptor_.join();
    {
      absl::MutexLock lock(&mu_);
      for (int c : conns_) ::shutdown(c, SHUT_RDWR);
    }
    for (std::thread& t : workers_) t.join();
  }

  int port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void SetStatus(int status) {
    absl::MutexLock lock(&mu_);
    status_ = status;
  }
  std::vector<Request> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  void AcceptLoop() {
    for (;;) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      absl::MutexLock lock(&mu_);
      conns_.push_back(c);
      workers_.emplace_back([this, c] { Serve(c); });
    }
  }

  void Serve(int c) {
    std::string buf;
    char chunk[65536];
    for (;;) {
      size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::read(c, chunk, sizeof(chunk));
        if (n <= 0) return Close(c);
        buf.append(chunk, static_cast<size_t>(n));
      }
      Request req;
      std::string head = buf.substr(0, end);
      size_t line_end = head.find("\r\n");
      std::string first = head.substr(0, line_end);
      size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
      req.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
      size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
      while (at < head.size()) {
        size_t e = head.find("\r\n", at);
        if (e == std::string::npos) e = head.size();
        std::string line = head.substr(at, e - at);
        size_t colon = line.find(':');
        if (colon != std::string::npos) {
          std::string name = line.substr(0, colon);
          for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          std::string value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          req.headers[name] = value;
        }
        at = e + 2;
      }
      size_t length = std::stoul(req.headers.count("content-length") ? req.headers["content-length"]
                                                                      : "0");
      buf.erase(0, end + 4);
      while (buf.size() < length) {
        ssize_t n = ::read(c, chunk, sizeof(chunk));
        if (n <= 0) return Close(c);
        buf.append(chunk, static_cast<size_t>(n));
      }
      req.body = buf.substr(0, length);
      buf.erase(0, length);
      int status;
      {
        absl::MutexLock lock(&mu_);
        status = status_;
        if (status / 100 == 2) requests_.push_back(std::move(req));
      }
      std::string answer = "HTTP/1.1 " + std::to_string(status) +
                           " X\r\nContent-Type: application/x-protobuf\r\n"
                           "Content-Length: 0\r\n\r\n";
      if (::write(c, answer.data(), answer.size()) < 0) return Close(c);
    }
  }
  void Close(int c) { ::close(c); }

  int fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  mutable absl::Mutex mu_;
  int status_ = 200;
  std::vector<Request> requests_;
  std::vector<int> conns_;
  std::vector<std::thread> workers_;
};

config::Node MustParse(const std::string& text) {
  Result<config::Node> n = config::Node::Parse(text, "c.yaml");
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? (*n)["otlphttp"] : config::Node();
}

class OtlpHttpLogsExporterTest : public ::testing::Test {
 protected:
  OtlpHttpLogsExporterTest() { host_.metrics = &metrics_; }

  static std::string Retry() {
    return "  retry_on_failure:\n"
           "    initial_interval: 10ms\n"
           "    max_interval: 50ms\n"
           "    max_elapsed_time: 20s\n";
  }
  std::unique_ptr<pipeline::LogsExporter> Make(const std::string& yaml) {
    pipeline::CreateSettings create;
    create.id = {"otlphttp", ""};
    create.host = &host_;
    auto e = MakeOtlpHttpLogsExporterFactory()(create, MustParse(yaml));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? std::move(e).value() : nullptr;
  }
  uint64_t Counter(const std::string& name) {
    return metrics_.GetCounter(name, "", {{"exporter", "otlphttp"}})->Value();
  }

  metrics::Registry metrics_;
  pipeline::Host host_;
};

TEST_F(OtlpHttpLogsExporterTest, ProtoWithGzipArrivesAsTheExactBytesOnV1Logs) {
  TinyHttpServer server;
  auto e = Make("otlphttp:\n  endpoint: " + server.Url() + "/\n");
  ASSERT_TRUE(e->Start().ok());
  auto a = MakeLogsBatch("checkout", 3, "acme");
  auto b = MakeLogsBatch("cart", 2, std::string(model::kDefaultTenant), 100);
  std::string want_a = a->otlp, want_b = b->otlp;
  Outcomes done;
  e->ConsumeLogs(std::move(a), done.Callback());
  e->ConsumeLogs(std::move(b), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return server.requests().size() == 2; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  std::map<std::string, std::string> tenants;  // body → X-Scope-OrgID
  for (TinyHttpServer::Request& r : server.requests()) {
    EXPECT_EQ(r.path, "/v1/logs");
    EXPECT_EQ(r.headers["content-type"], "application/x-protobuf");
    EXPECT_EQ(r.headers["content-encoding"], "gzip");
    Result<std::string> body = GunzipBounded(r.body, 1 << 20);
    ASSERT_TRUE(body.ok()) << body.status();
    tenants[*body] = r.headers.count("x-scope-orgid") ? r.headers["x-scope-orgid"] : "";
  }
  ASSERT_EQ(tenants.count(want_a), 1u);
  ASSERT_EQ(tenants.count(want_b), 1u);
  EXPECT_EQ(tenants[want_a], "acme");
  EXPECT_EQ(tenants[want_b], "");
  EXPECT_EQ(Counter("otelcol_exporter_sent_log_records"), 5u);
}

TEST_F(OtlpHttpLogsExporterTest, JsonHasHexIdsAndParsesBackOnLogsEndpoint) {
  TinyHttpServer server;
  auto e = Make("otlphttp:\n  endpoint: http://unused.invalid:4318\n  logs_endpoint: " +
                server.Url() + "/otlp/v1/logs\n  encoding: json\n  compression: none\n");
  ASSERT_TRUE(e->Start().ok());
  auto batch = MakeLogsBatch("svc", 2);
  testing::LogsRequest want;
  ASSERT_TRUE(want.ParseFromString(batch->otlp));
  Outcomes done;
  e->ConsumeLogs(std::move(batch), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return server.requests().size() == 1; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  TinyHttpServer::Request r = server.requests()[0];
  EXPECT_EQ(r.path, "/otlp/v1/logs");
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers.count("content-encoding"), 0u);
  EXPECT_THAT(r.body, HasSubstr("\"traceId\":\"ab000000000000000000000000000001\""));
  EXPECT_THAT(r.body, HasSubstr("\"spanId\":\"cd00000000000001\""));
  EXPECT_THAT(r.body, HasSubstr("\"severityNumber\":9"));
  testing::LogsRequest got;
  ASSERT_TRUE(testing::ParseOtlpLogsJson(r.body, &got)) << r.body;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, want)) << r.body;
}

TEST_F(OtlpHttpLogsExporterTest, QueuedLogsAreDeliveredWhenTheDownstreamComesBack) {
  auto server = std::make_unique<TinyHttpServer>();
  server->SetStatus(503);
  auto e = Make("otlphttp:\n  endpoint: " + server->Url() + "\n  compression: none\n" + Retry());
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  std::set<std::string> want;
  for (int i = 0; i < 10; ++i) {
    auto b = MakeLogsBatch("svc", 2, "t", i * 10);
    want.insert(b->otlp);
    e->ConsumeLogs(std::move(b), done.Callback());
  }
  for (const Status& s : done.Get()) EXPECT_TRUE(s.ok()) << s;
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(Counter("otelcol_exporter_sent_log_records"), 0u);
  server->SetStatus(200);
  ASSERT_TRUE(WaitFor([&] { return server->requests().size() >= 10; }, 15s));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  std::set<std::string> got;
  for (const auto& r : server->requests()) got.insert(r.body);
  EXPECT_EQ(got, want);
  EXPECT_EQ(Counter("otelcol_exporter_sent_log_records"), 20u);
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_log_records"), 0u);
}

TEST_F(OtlpHttpLogsExporterTest, BadRequestIsPermanentAndCountsLogRecords) {
  TinyHttpServer server;
  server.SetStatus(400);
  auto e = Make("otlphttp:\n  endpoint: " + server.Url() + "\n" + Retry());
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  e->ConsumeLogs(MakeLogsBatch("svc", 3), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_send_failed_log_records") == 3; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(Counter("otelcol_exporter_sent_log_records"), 0u);
}

TEST(OtlpHttpConfig, EachSignalHasItsOwnUrl) {
  auto node = MustParse(
      "otlphttp:\n  endpoint: http://collector:4318/\n  logs_endpoint: http://loki:3100/otlp/v1/logs\n");
  auto traces = ParseOtlpHttpConfig(node, "", Signal::kTraces);
  ASSERT_TRUE(traces.ok()) << traces.status();
  EXPECT_EQ(traces->url, "http://collector:4318/v1/traces");
  auto logs = ParseOtlpHttpConfig(node, "", Signal::kLogs);
  ASSERT_TRUE(logs.ok()) << logs.status();
  EXPECT_EQ(logs->url, "http://loki:3100/otlp/v1/logs");

  auto base = ParseOtlpHttpConfig(MustParse("otlphttp:\n  endpoint: http://c:4318\n"), "",
                                  Signal::kLogs);
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(base->url, "http://c:4318/v1/logs");

  auto only_traces = ParseOtlpHttpConfig(
      MustParse("otlphttp:\n  traces_endpoint: http://c:4318/v1/traces\n"), "", Signal::kLogs);
  ASSERT_FALSE(only_traces.ok());
  EXPECT_THAT(Message(only_traces.status()), HasSubstr("endpoint or logs_endpoint is required"));
  auto bad = ParseOtlpHttpConfig(
      MustParse("otlphttp:\n  endpoint: http://c:4318\n  logs_endpoint: loki:3100\n"), "",
      Signal::kTraces);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(Message(bad.status()), HasSubstr("logs_endpoint"));
}

}  // namespace
}  // namespace th::exporter::otlphttp

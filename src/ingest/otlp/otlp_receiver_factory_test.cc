#include "ingest/otlp/otlp_receiver_factory.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/node.h"
#include "common/http/server.h"
#include "common/strings.h"
#include "ingest/otlp/internal/http_receiver.h"
#include "pipeline/testing/test_consumer.h"

namespace th::ingest::otlp {
namespace {

using ::testing::HasSubstr;

Result<std::unique_ptr<pipeline::Receiver>> Make(const std::string& yaml,
                                                 pipeline::TracesConsumer* next,
                                                 metrics::Registry* metrics) {
  static pipeline::Host host;
  host.metrics = metrics;
  auto root = config::Node::Parse(yaml, "c.yaml");
  if (!root.ok()) return root.status();
  pipeline::CreateSettings s;
  s.id = {"otlp", ""};
  s.host = &host;
  return MakeOtlpReceiverFactory()(s, (*root)["otlp"], pipeline::Consumers{next, nullptr});
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// POSTs OTLP/JSON to `path`; returns the HTTP status.
int PostJson(int port, const std::string& path, const std::string& body) {
  namespace beast = boost::beast;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  boost::asio::ip::tcp::resolver resolver(io);
  stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  beast::http::request<beast::http::string_body> req{beast::http::verb::post, path, 11};
  req.set(beast::http::field::host, "127.0.0.1");
  req.set(beast::http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  beast::http::write(stream, req);
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(stream, buffer, res);
  return static_cast<int>(res.result_int());
}

TEST(OtlpReceiverFactory, ServesTracesOnTheConfiguredPathAndCountsThem) {
  pipeline::testing::RecordingConsumer next;
  metrics::Registry metrics;
  int port = FreePort();
  auto r = Make(th::StrCat("otlp:\n  protocols:\n    grpc: {endpoint: 127.0.0.1:0}\n"
                           "    http: {endpoint: 127.0.0.1:", port,
                           ", traces_url_path: /otlp/v1/traces}\n"),
                &next, &metrics);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE((*r)->Start().ok());
  const std::string body =
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c",)"
      R"("spanId":"eee19b7ec3c1b174","name":"GET /cart"}]}]}]})";
  EXPECT_EQ(PostJson(port, "/otlp/v1/traces", body), 200);
  EXPECT_EQ(PostJson(port, "/v1/traces", body), 404);
  EXPECT_EQ(PostJson(port, "/v1/logs", "{}"), 404) << "no logs pipeline takes from this receiver";
  EXPECT_EQ(next.spans(), 1u);
  EXPECT_EQ(metrics.GetCounter("otelcol_receiver_accepted_spans", "", {{"receiver", "otlp"}})
                ->Value(),
            1u);
  (*r)->Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(1));
}

TEST(OtlpReceiverFactory, ConfigErrorsNameTheKey) {
  pipeline::testing::RecordingConsumer next;
  metrics::Registry metrics;
  EXPECT_THAT(Message(Make("otlp:\n", &next, &metrics).status()),
              HasSubstr("must specify at least one protocol"));
  EXPECT_THAT(Message(Make("otlp:\n  protocols:\n    grpc:\n      tls: {cert_file: a}\n", &next,
                           &metrics)
                          .status()),
              HasSubstr("c.yaml:4:12: otlp.protocols.grpc.tls: a server needs both cert_file and key_file"));
  EXPECT_THAT(Message(Make("otlp:\n  protocols:\n    http:\n      auth: {authenticator: x}\n",
                           &next, &metrics)
                          .status()),
              HasSubstr("otlp.protocols.http.auth: auth is not supported"));
  EXPECT_THAT(
      Message(Make("otlp:\n  protocols:\n    udp:\n", &next, &metrics).status()),
      HasSubstr("otlp.protocols.udp: unknown key (known: grpc, http)"));
  EXPECT_THAT(Message(Make("otlp:\n  protocols:\n    grpc: {max_recv_msg_size_mib: lots}\n", &next,
                           &metrics)
                          .status()),
              HasSubstr("otlp.protocols.grpc.max_recv_msg_size_mib: expected a non-negative"));
  EXPECT_TRUE(Make("otlp:\n  protocols:\n    grpc:\n    http:\n", &next, &metrics).ok());
}

TEST(OtlpCors, PreflightFromAnAllowedOriginIsAnsweredAndOthersRefused) {
  int inner_calls = 0;
  http::Handler inner = [&](http::Request&&, http::Responder respond) {
    ++inner_calls;
    respond(http::Response::Text(200, "ok"));
  };
  http::Handler cors = WithCors(inner, {"https://*.example.com"}, {"X-Custom"}, 600);
  auto request = [](std::string method, std::string origin) {
    http::Request r;
    r.method = std::move(method);
    r.path = "/v1/traces";
    r.headers.push_back({"origin", std::move(origin)});
    r.headers.push_back({"access-control-request-method", "POST"});
    return r;
  };
  http::Response got;
  cors(request("OPTIONS", "https://app.example.com"), [&](http::Response&& r) { got = r; });
  EXPECT_EQ(got.status, 204);
  bool allow_origin = false, allow_headers = false;
  for (auto& [k, v] : got.headers) {
    allow_origin = allow_origin || (k == "Access-Control-Allow-Origin" && v == "https://app.example.com");
    allow_headers = allow_headers || (k == "Access-Control-Allow-Headers" &&
                                      v.find("X-Custom") != std::string::npos);
  }
  EXPECT_TRUE(allow_origin);
  EXPECT_TRUE(allow_headers);
  cors(request("OPTIONS", "https://evil.test"), [&](http::Response&& r) { got = r; });
  EXPECT_EQ(got.status, 403);
  EXPECT_EQ(inner_calls, 0);
  cors(request("POST", "https://app.example.com"), [&](http::Response&& r) { got = r; });
  EXPECT_EQ(inner_calls, 1);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.headers.back().first, "Vary");
}

}  // namespace
}  // namespace th::ingest::otlp

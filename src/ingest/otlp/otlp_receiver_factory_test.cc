#include "ingest/otlp/otlp_receiver_factory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/node.h"
#include "common/http/server.h"
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

TEST(OtlpReceiverFactory, StartsTheProtocolsNamedAndStops) {
  pipeline::testing::RecordingConsumer next;
  metrics::Registry metrics;
  auto r = Make("otlp:\n  protocols:\n    grpc: {endpoint: 127.0.0.1:0}\n"
                "    http: {endpoint: 127.0.0.1:0, traces_url_path: /otlp/v1/traces}\n",
                &next, &metrics);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE((*r)->Start().ok());
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
              HasSubstr("c.yaml:4:12: otlp.protocols.grpc.tls: tls is not supported"));
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

#include "common/http/client.h"

#include <gtest/gtest.h>

#include "common/http/server.h"

namespace th::http {
namespace {

TEST(HttpClient, GetsFromOurServerWithHeaders) {
  ServerOptions options;
  options.address = "127.0.0.1:0";
  auto server = Server::Start(options, [](Request&& req, Responder respond) {
    respond(Response::Text(203, std::string(req.target) + "|" + std::string(req.Header("x-a"))));
  });
  ASSERT_TRUE(server.ok());
  auto r = Get("http://127.0.0.1:" + std::to_string((*server)->port()), "/p?q=1", {{"X-A", "b"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 203);
  EXPECT_EQ(r->body, "/p?q=1|b");
  (*server)->Stop(100);
}

TEST(HttpClient, ConnectionRefusedIsUnavailable) {
  // Bind and close a port so nothing listens there.
  ServerOptions options;
  options.address = "127.0.0.1:0";
  auto server = Server::Start(options, [](Request&&, Responder r) { r(Response::Text(200, "")); });
  ASSERT_TRUE(server.ok());
  int port = (*server)->port();
  (*server)->Stop(0);
  server->reset();
  auto r = Get("127.0.0.1:" + std::to_string(port), "/", {}, 2000);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
}

TEST(HttpClient, UrlEncodesQueryValues) {
  EXPECT_EQ(UrlEncode("{ .a = \"b c\" }"), "%7B%20.a%20%3D%20%22b%20c%22%20%7D");
  EXPECT_EQ(UrlEncode("safe-_.~"), "safe-_.~");
}

}  // namespace
}  // namespace th::http

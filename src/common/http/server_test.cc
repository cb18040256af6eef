#include "common/http/server.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/ssl.h>

#include "common/metrics.h"
#include "common/strings.h"

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace th::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using ClientResponse = bhttp::response<bhttp::string_body>;
using ::testing::HasSubstr;

// A blocking HTTP/1.1 client on one connection, using error_code overloads so failures become
// test failures instead of exceptions.
class TestClient {
 public:
  explicit TestClient(int port) : socket_(ioc_) {
    beast::error_code ec;
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  void WriteRaw(std::string_view bytes) {
    beast::error_code ec;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  beast::error_code Read(ClientResponse* response) {
    beast::error_code ec;
    bhttp::read(socket_, buffer_, *response, ec);
    return ec;
  }

  ClientResponse Send(bhttp::verb method, std::string_view target, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    bhttp::request<bhttp::string_body> request(
        method, beast::string_view(target.data(), target.size()), 11);
    request.set(bhttp::field::host, "127.0.0.1");
    for (auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    beast::error_code ec;
    bhttp::write(socket_, request, ec);
    EXPECT_FALSE(ec) << ec.message();
    ClientResponse response;
    ec = Read(&response);
    EXPECT_FALSE(ec) << ec.message();
    return response;
  }

  // Closes the connection from the client's side.
  void Close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  // True when the server has closed the connection (read sees end of stream).
  bool ServerClosed() {
    ClientResponse response;
    beast::error_code ec = Read(&response);
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset;
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

std::unique_ptr<Server> StartOrDie(Handler handler, ServerOptions options = {}) {
  options.address = "127.0.0.1:0";
  auto server = Server::Start(options, std::move(handler));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(server).value() : nullptr;
}

// Threads that answer requests late; joined before the server goes away.
// A handler that answers nothing: it keeps each request's responder and the last request's
// client_gone flag, for tests of a client that goes away while its request is being handled.
class HoldingHandler {
 public:
  Handler handler() {
    return [this](Request&& request, Responder respond) {
      absl::MutexLock lock(&mu_);
      gone_ = request.client_gone;
      held_.push_back(std::move(respond));
      dispatched_.Notify();
    };
  }
  // Waits (up to 5 s) for a request; then its flag must exist and still be false.
  void ExpectDispatchedWithClientPresent() {
    ASSERT_TRUE(dispatched_.WaitForNotificationWithTimeout(absl::Seconds(5)));
    absl::MutexLock lock(&mu_);
    ASSERT_NE(gone_, nullptr);
    EXPECT_FALSE(gone_->load());
  }
  // Whether client_gone becomes true within 5 s.
  bool ClientGoneWithin5s() {
    std::shared_ptr<const std::atomic<bool>> gone;
    {
      absl::MutexLock lock(&mu_);
      gone = gone_;
    }
    if (gone == nullptr) return false;
    for (int i = 0; i < 500; ++i) {
      if (gone->load()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  // Answers the held requests, while the server still runs: harmless, nobody is left to write to.
  void AnswerHeld() {
    absl::MutexLock lock(&mu_);
    for (Responder& r : held_) r(Response::Text(200, "too late"));
  }

 private:
  absl::Notification dispatched_;
  absl::Mutex mu_;
  std::shared_ptr<const std::atomic<bool>> gone_;
  std::vector<Responder> held_;
};

class LateResponders {
 public:
  ~LateResponders() { JoinAll(); }

  void After(std::chrono::milliseconds delay, Responder responder, Response response) {
    absl::MutexLock lock(&mu_);
    threads_.emplace_back(
        [delay, responder = std::move(responder), response = std::move(response)]() mutable {
          std::this_thread::sleep_for(delay);
          responder(std::move(response));
        });
  }

  void JoinAll() {
    std::vector<std::thread> threads;
    {
      absl::MutexLock lock(&mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

 private:
  absl::Mutex mu_;
  std::vector<std::thread> threads_;
};

TEST(HttpServer, AnswersGetWithServerHeaderAndContentLength) {
  auto server = StartOrDie([](Request&& request, Responder respond) {
    respond(Response::Text(200, th::StrCat(request.method, " ", request.path)));
  });
  ASSERT_NE(server, nullptr);
  ASSERT_GT(server->port(), 0);
  TestClient client(server->port());
  ClientResponse response = client.Send(bhttp::verb::get, "/api/echo");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "GET /api/echo");
  EXPECT_EQ(response[bhttp::field::server], "tracehouse");
  EXPECT_EQ(response[bhttp::field::content_length], "13");
  EXPECT_EQ(response[bhttp::field::content_type], "text/plain; charset=utf-8");
}

TEST(HttpServer, DeliversPostBodyIntactWithLowerCasedHeaders) {
  std::string body;
  for (int i = 0; i < 200000; ++i) body.push_back(static_cast<char>(i * 7919 % 256));
  std::string seen_body;
  std::string seen_type;
  std::string seen_custom;
  auto server = StartOrDie([&](Request&& request, Responder respond) {
    seen_body = request.body;
    seen_type = std::string(request.Header("content-type"));
    seen_custom = std::string(request.Header("x-scope-orgid"));
    respond(Response::Json(200, "{}"));
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ClientResponse response =
      client.Send(bhttp::verb::post, "/v1/traces", body,
                  {{"Content-Type", "application/x-protobuf"}, {"X-Scope-OrgID", "tenant-a"}});
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[bhttp::field::content_type], "application/json");
  EXPECT_EQ(seen_body, body);
  EXPECT_EQ(seen_type, "application/x-protobuf");
  EXPECT_EQ(seen_custom, "tenant-a");
}

TEST(HttpServer, AnswersLaterFromAnotherThread) {
  LateResponders late;
  auto server = StartOrDie([&](Request&& request, Responder respond) {
    late.After(std::chrono::milliseconds(50), std::move(respond), Response::Text(202, "committed"));
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ClientResponse response = client.Send(bhttp::verb::post, "/v1/traces", "payload");
  EXPECT_EQ(response.result_int(), 202);
  EXPECT_EQ(response.body(), "committed");
}

// A handler doing long work learns that the client went away, so it can stop.
TEST(HttpServer, TellsTheHandlerWhenTheClientGoesAway) {
  HoldingHandler holding;
  auto server = StartOrDie(holding.handler());
  ASSERT_NE(server, nullptr);
  {
    TestClient client(server->port());
    client.WriteRaw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    holding.ExpectDispatchedWithClientPresent();
    client.Close();
  }
  EXPECT_TRUE(holding.ClientGoneWithin5s()) << "client_gone never became true";
  holding.AnswerHeld();
}

// While a handler works, the next pipelined request may already arrive; it is served, and the
// watch for a closed connection does not mistake it for one.
TEST(HttpServer, PipelinedRequestWhileHandlerWorksIsServedAndNotACancellation) {
  LateResponders late;
  std::vector<std::shared_ptr<const std::atomic<bool>>> flags;
  absl::Mutex mu;
  auto server = StartOrDie([&](Request&& request, Responder respond) {
    {
      absl::MutexLock lock(&mu);
      flags.push_back(request.client_gone);
    }
    late.After(std::chrono::milliseconds(100), std::move(respond),
               Response::Text(200, request.path));
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  client.WriteRaw("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n");
  ClientResponse first, second;
  ASSERT_FALSE(client.Read(&first));
  ASSERT_FALSE(client.Read(&second));
  EXPECT_EQ(first.body(), "/one");
  EXPECT_EQ(second.body(), "/two");
  absl::MutexLock lock(&mu);
  ASSERT_EQ(flags.size(), 2u);
  EXPECT_FALSE(flags[0]->load());
  EXPECT_FALSE(flags[1]->load());
}

TEST(HttpServer, ServesTwoRequestsOnOneKeepAliveConnection) {
  std::vector<std::string> remotes;
  auto server = StartOrDie([&](Request&& request, Responder respond) {
    remotes.push_back(request.remote_address);
    respond(Response::Text(200, request.path));
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ClientResponse first = client.Send(bhttp::verb::get, "/one");
  ClientResponse second = client.Send(bhttp::verb::get, "/two");
  EXPECT_EQ(first.body(), "/one");
  EXPECT_TRUE(first.keep_alive());
  EXPECT_EQ(second.body(), "/two");
  ASSERT_EQ(remotes.size(), 2u);
  EXPECT_EQ(remotes[0], remotes[1]);  // same client port: same connection
  EXPECT_THAT(remotes[0], ::testing::StartsWith("127.0.0.1:"));
}

TEST(HttpServer, ServesConcurrentClientsOnSeveralThreads) {
  LateResponders late;
  std::atomic<int> calls{0};
  ServerOptions options;
  options.threads = 4;
  auto server = StartOrDie(
      [&](Request&& request, Responder respond) {
        // Half answer at once on the network thread, half later from another thread.
        if (++calls % 2 == 0) {
          respond(Response::Text(200, request.body));
        } else {
          late.After(std::chrono::milliseconds(1), std::move(respond),
                     Response::Text(200, request.body));
        }
      },
      options);
  ASSERT_NE(server, nullptr);
  constexpr int kClients = 8;
  constexpr int kRequests = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c, port = server->port()] {
      TestClient client(port);
      for (int i = 0; i < kRequests; ++i) {
        std::string body = th::StrCat("client ", c, " request ", i);
        ClientResponse response = client.Send(bhttp::verb::post, "/", body);
        if (response.result_int() == 200 && response.body() == body) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  server->Stop();
}

TEST(HttpServer, KeepsHttp10ConnectionOpenOnlyWhenAsked) {
  auto server =
      StartOrDie([](Request&& request, Responder respond) { respond(Response::Text(200, "ok")); });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  client.WriteRaw("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ClientResponse response;
  ASSERT_FALSE(client.Read(&response));
  EXPECT_EQ(response.version(), 10u);
  EXPECT_TRUE(response.keep_alive());
  client.WriteRaw("GET / HTTP/1.0\r\n\r\n");
  ClientResponse second;
  ASSERT_FALSE(client.Read(&second));
  EXPECT_FALSE(second.keep_alive());
  EXPECT_TRUE(client.ServerClosed());
}

TEST(HttpServer, ClosesAfterResponseWhenClientAsksConnectionClose) {
  auto server =
      StartOrDie([](Request&& request, Responder respond) { respond(Response::Text(200, "bye")); });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ClientResponse response = client.Send(bhttp::verb::get, "/", "", {{"Connection", "close"}});
  EXPECT_EQ(response.body(), "bye");
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(client.ServerClosed());
}

TEST(HttpServer, RejectsBodyOverLimitWith413WithoutCallingHandler) {
  std::atomic<int> calls{0};
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartOrDie(
      [&](Request&& request, Responder respond) {
        ++calls;
        respond(Response::Text(200, "ok"));
      },
      options);
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ClientResponse response = client.Send(bhttp::verb::post, "/v1/traces", std::string(4096, 'x'));
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_THAT(response.body(), HasSubstr("1024 bytes"));
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(client.ServerClosed());
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServer, AcceptsBodyExactlyAtLimit) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartOrDie(
      [&](Request&& request, Responder respond) {
        respond(Response::Text(200, th::StrCat(request.body.size())));
      },
      options);
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ClientResponse response = client.Send(bhttp::verb::post, "/v1/traces", std::string(1024, 'x'));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "1024");
}

TEST(HttpServer, AnswersGarbageRequestLineWith400) {
  std::atomic<int> calls{0};
  auto server = StartOrDie([&](Request&& request, Responder respond) {
    ++calls;
    respond(Response::Text(200, "ok"));
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  client.WriteRaw("this is not http\r\n\r\n");
  ClientResponse response;
  ASSERT_FALSE(client.Read(&response));
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_THAT(response.body(), HasSubstr("malformed request"));
  EXPECT_TRUE(client.ServerClosed());
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServer, DroppedResponderAnswers500) {
  auto server = StartOrDie([](Request&& request, Responder respond) {
    // Returns without answering; the last copy of `respond` dies here.
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ClientResponse response = client.Send(bhttp::verb::get, "/forgotten");
  EXPECT_EQ(response.result_int(), 500);
  // The connection stays usable.
  EXPECT_EQ(client.Send(bhttp::verb::get, "/again").result_int(), 500);
}

TEST(HttpServer, SecondResponderCallIsIgnored) {
  auto server = StartOrDie([](Request&& request, Responder respond) {
    Responder copy = respond;
    respond(Response::Text(200, "first"));
    copy(Response::Text(500, "second"));
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  ClientResponse response = client.Send(bhttp::verb::get, "/");
  EXPECT_EQ(response.body(), "first");
  EXPECT_EQ(client.Send(bhttp::verb::get, "/").body(), "first");
}

TEST(HttpServer, DecodesPathAndKeepsQueryRaw) {
  Request seen;
  auto server = StartOrDie([&](Request&& request, Responder respond) {
    seen = request;
    respond(Response::Text(200, "ok"));
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  client.Send(bhttp::verb::get, "/api/search/tag/span.a%20b/values?q=%7B%20%7D&limit=5");
  EXPECT_EQ(seen.path, "/api/search/tag/span.a b/values");
  EXPECT_EQ(seen.query, "q=%7B%20%7D&limit=5");
  EXPECT_EQ(seen.target, "/api/search/tag/span.a%20b/values?q=%7B%20%7D&limit=5");
  std::string q;
  ASSERT_TRUE(seen.QueryParam("q", &q));
  EXPECT_EQ(q, "{ }");
}

TEST(Request, QueryParamDecodesPercentAndPlus) {
  Request request;
  request.query = "q=%7Bspan.http.status_code+%3D+200%7D&limit=20&empty=&flag&bad=%zz%4&a%20b=1";
  std::string value;
  ASSERT_TRUE(request.QueryParam("q", &value));
  EXPECT_EQ(value, "{span.http.status_code = 200}");
  ASSERT_TRUE(request.QueryParam("limit", &value));
  EXPECT_EQ(value, "20");
  ASSERT_TRUE(request.QueryParam("empty", &value));
  EXPECT_EQ(value, "");
  ASSERT_TRUE(request.QueryParam("flag", &value));
  EXPECT_EQ(value, "");
  ASSERT_TRUE(request.QueryParam("bad", &value));
  EXPECT_EQ(value, "%zz%4");  // malformed escapes kept as sent
  ASSERT_TRUE(request.QueryParam("a b", &value));
  EXPECT_EQ(value, "1");
  value = "stale";
  EXPECT_FALSE(request.QueryParam("missing", &value));
  EXPECT_EQ(value, "");
  EXPECT_FALSE(request.QueryParam("lim", nullptr));
}

TEST(Request, HeaderReturnsFirstMatchOrEmpty) {
  Request request;
  request.headers = {{"accept", "a"}, {"accept", "b"}};
  EXPECT_EQ(request.Header("accept"), "a");
  EXPECT_EQ(request.Header("x-missing"), "");
}

TEST(HttpServer, StopCompletesInFlightDelayedResponse) {
  LateResponders late;
  absl::Notification handler_called;
  auto server = StartOrDie([&](Request&& request, Responder respond) {
    late.After(std::chrono::milliseconds(200), std::move(respond), Response::Text(200, "late"));
    handler_called.Notify();
  });
  ASSERT_NE(server, nullptr);
  ClientResponse response;
  std::thread client_thread([&, port = server->port()] {
    TestClient client(port);
    response = client.Send(bhttp::verb::post, "/v1/traces", "x");
  });
  handler_called.WaitForNotification();
  auto start = std::chrono::steady_clock::now();
  server->Stop(5000);
  auto took = std::chrono::steady_clock::now() - start;
  client_thread.join();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "late");
  EXPECT_FALSE(response.keep_alive());  // draining: connection closes after the response
  EXPECT_LT(took, std::chrono::seconds(4));
}

TEST(HttpServer, StopGivesUpAfterGraceWhenResponderIsHeld) {
  Responder held;
  absl::Notification handler_called;
  auto server = StartOrDie([&](Request&& request, Responder respond) {
    held = std::move(respond);
    handler_called.Notify();
  });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  client.WriteRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  handler_called.WaitForNotification();
  auto start = std::chrono::steady_clock::now();
  server->Stop(100);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(client.ServerClosed());
  // Answering after Stop is harmless, and so is outliving the server.
  server.reset();
  held(Response::Text(200, "too late"));
  held = nullptr;
}

TEST(HttpServer, StopIsIdempotent) {
  auto server =
      StartOrDie([](Request&& request, Responder respond) { respond(Response::Text(200, "ok")); });
  ASSERT_NE(server, nullptr);
  {
    TestClient client(server->port());
    EXPECT_EQ(client.Send(bhttp::verb::get, "/").result_int(), 200);
  }
  server->Stop();
  server->Stop(0);
  server.reset();  // destructor stops again
}

TEST(HttpServer, BindingPortInUseFailsNamingAddress) {
  auto first =
      StartOrDie([](Request&& request, Responder respond) { respond(Response::Text(200, "ok")); });
  ASSERT_NE(first, nullptr);
  ServerOptions options;
  options.address = th::StrCat("127.0.0.1:", first->port());
  auto second = Server::Start(
      options, [](Request&&, Responder respond) { respond(Response::Text(200, "ok")); });
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr(options.address));
}

TEST(HttpServer, RejectsMalformedAddress) {
  for (std::string address : {"no-port", "127.0.0.1:http", "127.0.0.1:70000", "example.com:1"}) {
    ServerOptions options;
    options.address = address;
    auto server = Server::Start(options, [](Request&&, Responder) {});
    ASSERT_FALSE(server.ok()) << address;
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(server.status().message(), HasSubstr(address));
  }
}

TEST(HttpServer, BindsLocalhostAndAnyAddress) {
  for (std::string address : {"localhost:0", "0.0.0.0:0"}) {
    ServerOptions options;
    options.address = address;
    auto server = Server::Start(
        options, [](Request&&, Responder respond) { respond(Response::Text(200, "ok")); });
    ASSERT_TRUE(server.ok()) << server.status();
    TestClient client((*server)->port());
    EXPECT_EQ(client.Send(bhttp::verb::get, "/").result_int(), 200);
  }
}

TEST(HttpServer, AcceptsBracketedIpv6Address) {
  ServerOptions options;
  options.address = "[::1]:0";
  auto server = Server::Start(
      options, [](Request&&, Responder respond) { respond(Response::Text(200, "ok")); });
  if (!server.ok()) {
    // Hosts without IPv6 fail at bind, not at parsing.
    EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable) << server.status();
    GTEST_SKIP() << "no IPv6 loopback: " << server.status();
  }
  EXPECT_GT((*server)->port(), 0);
}

TEST(HttpServer, AnswersExpectContinueAndReadsBody) {
  auto server = StartOrDie(
      [](Request&& request, Responder respond) { respond(Response::Text(200, request.body)); });
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  client.WriteRaw(
      "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  // Beast's reader returns the 100 response as a message of its own.
  ClientResponse continue_response;
  ASSERT_FALSE(client.Read(&continue_response));
  EXPECT_EQ(continue_response.result_int(), 100);
  client.WriteRaw("hello");
  ClientResponse response;
  ASSERT_FALSE(client.Read(&response));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "hello");
}

TEST(HttpServer, CountsResponsesByServerAndCode) {
  auto& registry = metrics::Registry::Default();
  auto counter = [&](std::string code) {
    return registry
        .GetCounter("tracehouse_http_requests_total", "",
                    {{"server", "metrics-test"}, {"code", code}})
        ->Value();
  };
  metrics::Histogram* histogram =
      registry.GetHistogram("tracehouse_http_request_duration_seconds", "",
                            metrics::LatencyBuckets(), {{"server", "metrics-test"}});
  // The registry is process-wide: compare against the values before this test.
  const uint64_t ok_before = counter("200");
  const uint64_t missing_before = counter("404");
  const uint64_t observed_before = histogram->Count();

  ServerOptions options;
  options.name = "metrics-test";
  auto server = StartOrDie(
      [](Request&& request, Responder respond) {
        respond(Response::Text(request.path == "/missing" ? 404 : 200, ""));
      },
      options);
  ASSERT_NE(server, nullptr);
  TestClient client(server->port());
  client.Send(bhttp::verb::get, "/");
  client.Send(bhttp::verb::get, "/missing");
  client.Send(bhttp::verb::get, "/missing");
  // Counted after the write completes, which can be just after the client has read it; Stop
  // waits for that.
  server->Stop();
  EXPECT_EQ(counter("200") - ok_before, 1u);
  EXPECT_EQ(counter("404") - missing_before, 2u);
  EXPECT_EQ(histogram->Count() - observed_before, 3u);
}

// A CA, a server certificate for 127.0.0.1 and a client certificate, made with the openssl CLI
// in a temp dir for each test suite run; plus a key that matches no certificate and the server
// key encrypted with a passphrase.
class HttpsServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::error_code ec;
    auto base = std::filesystem::temp_directory_path(ec);
    char name[] = "th_http_tls_XXXXXX";
    std::string pattern = (base / name).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      setup_error_ = new std::string("mkdtemp failed");
      return;
    }
    dir_ = new std::string(pattern);
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::vector<std::string> commands = {
        th::StrCat("openssl req -x509 ", key, " -keyout ca.key -out ca.crt -days 2",
                   " -subj /CN=th-test-ca"),
        th::StrCat("openssl req ", key, " -keyout server.key -out server.csr -subj /CN=localhost"),
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext",
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
        " -out server.crt -days 2 -extfile server.ext",
        th::StrCat("openssl req ", key,
                   " -keyout client.key -out client.csr -subj /CN=th-test-client"),
        "printf 'extendedKeyUsage=clientAuth\\n' > client.ext",
        "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial"
        " -out client.crt -days 2 -extfile client.ext",
        "openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:prime256v1 -out other.key",
        "openssl pkey -in server.key -aes256 -passout pass:secret -out encrypted.key",
    };
    std::string script = th::StrCat("cd '", *dir_, "' && (true");
    for (const std::string& command : commands) script += " && " + command;
    script += ") > openssl.log 2>&1";
    if (std::system(script.c_str()) != 0) {
      std::ifstream log(*dir_ + "/openssl.log");
      std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
      setup_error_ = new std::string("openssl CLI failed (is it installed?): " + text);
    }
  }

  static void TearDownTestSuite() {
    if (dir_ != nullptr) {
      std::error_code ignored;
      std::filesystem::remove_all(*dir_, ignored);
    }
    delete dir_;
    dir_ = nullptr;
    delete setup_error_;
    setup_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_EQ(setup_error_, nullptr) << *setup_error_;
    ASSERT_NE(dir_, nullptr);
  }

  static std::string File(std::string_view name) { return th::StrCat(*dir_, "/", name); }

  static TlsOptions ServerTls() {
    TlsOptions tls;
    tls.cert_file = File("server.crt");
    tls.key_file = File("server.key");
    return tls;
  }

  static inline std::string* dir_ = nullptr;
  static inline std::string* setup_error_ = nullptr;
};

// A blocking HTTPS client on one connection that verifies the server against the test CA and
// the name 127.0.0.1.
class TlsTestClient {
 public:
  struct Options {
    bool client_certificate = false;
    bool tls12_only = false;
  };

  TlsTestClient(int port, const std::string& dir, Options options)
      : ctx_(MakeContext(dir, options)), stream_(ioc_, ctx_) {
    stream_.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
    beast::error_code ec;
    beast::get_lowest_layer(stream_).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)), ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  beast::error_code Handshake() {
    beast::error_code ec;
    stream_.handshake(asio::ssl::stream_base::client, ec);
    return ec;
  }

  beast::error_code WriteRaw(std::string_view bytes) {
    beast::error_code ec;
    asio::write(stream_, asio::buffer(bytes.data(), bytes.size()), ec);
    return ec;
  }

  beast::error_code Read(ClientResponse* response) {
    beast::error_code ec;
    bhttp::read(stream_, buffer_, *response, ec);
    return ec;
  }

  beast::error_code Send(bhttp::verb method, std::string_view target, ClientResponse* response,
                         std::string body = "",
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    bhttp::request<bhttp::string_body> request(
        method, beast::string_view(target.data(), target.size()), 11);
    request.set(bhttp::field::host, "127.0.0.1");
    for (auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    beast::error_code ec;
    bhttp::write(stream_, request, ec);
    if (ec) return ec;
    return Read(response);
  }

  // Drops the TCP connection without a TLS close_notify.
  void CloseTcp() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close(ignored);
  }

 private:
  // Configured before the stream is made: a stream copies its context's settings.
  static asio::ssl::context MakeContext(const std::string& dir, Options options) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    beast::error_code ec;
    ctx.load_verify_file(dir + "/ca.crt", ec);
    EXPECT_FALSE(ec) << ec.message();
    ctx.set_verify_mode(asio::ssl::verify_peer);
    if (options.client_certificate) {
      ctx.use_certificate_chain_file(dir + "/client.crt", ec);
      EXPECT_FALSE(ec) << ec.message();
      ctx.use_private_key_file(dir + "/client.key", asio::ssl::context::pem, ec);
      EXPECT_FALSE(ec) << ec.message();
    }
    if (options.tls12_only) SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    return ctx;
  }

  asio::io_context ioc_;
  asio::ssl::context ctx_;
  beast::ssl_stream<tcp::socket> stream_;
  beast::flat_buffer buffer_;
};

std::unique_ptr<Server> StartTlsOrDie(Handler handler, TlsOptions tls) {
  ServerOptions options;
  options.tls = std::move(tls);
  return StartOrDie(std::move(handler), options);
}

TEST_F(HttpsServer, ServesKeepAliveRequestsToClientVerifyingAgainstTheCa) {
  std::string body;
  for (int i = 0; i < 100000; ++i) body.push_back(static_cast<char>(i * 7919 % 256));
  auto server = StartTlsOrDie(
      [](Request&& request, Responder respond) {
        respond(Response::Text(200, th::StrCat(request.path, " ", request.body.size())));
      },
      ServerTls());
  ASSERT_NE(server, nullptr);
  TlsTestClient client(server->port(), *dir_, {});
  ASSERT_FALSE(client.Handshake());
  ClientResponse first, second;
  ASSERT_FALSE(client.Send(bhttp::verb::post, "/v1/traces", &first, body));
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first.body(), "/v1/traces 100000");
  EXPECT_TRUE(first.keep_alive());
  ASSERT_FALSE(client.Send(bhttp::verb::get, "/again", &second));
  EXPECT_EQ(second.body(), "/again 0");
}

TEST_F(HttpsServer, ClosesWithCloseNotifyWhenClientAsksConnectionClose) {
  auto server = StartTlsOrDie(
      [](Request&& request, Responder respond) { respond(Response::Text(200, "bye")); },
      ServerTls());
  ASSERT_NE(server, nullptr);
  TlsTestClient client(server->port(), *dir_, {});
  ASSERT_FALSE(client.Handshake());
  ClientResponse response;
  ASSERT_FALSE(client.Send(bhttp::verb::get, "/", &response, "", {{"Connection", "close"}}));
  EXPECT_EQ(response.body(), "bye");
  EXPECT_FALSE(response.keep_alive());
  // A clean end of stream means the server sent close_notify; without it the read would fail
  // with stream_truncated.
  ClientResponse none;
  EXPECT_EQ(client.Read(&none), bhttp::error::end_of_stream);
}

TEST_F(HttpsServer, PlaintextRequestToTlsPortFailsAndServerKeepsServing) {
  std::atomic<int> calls{0};
  auto server = StartTlsOrDie(
      [&](Request&& request, Responder respond) {
        ++calls;
        respond(Response::Text(200, "ok"));
      },
      ServerTls());
  ASSERT_NE(server, nullptr);
  {
    TestClient plain(server->port());
    plain.WriteRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    ClientResponse response;
    EXPECT_TRUE(plain.Read(&response));  // the TLS alert or EOF is no HTTP response
  }
  EXPECT_EQ(calls.load(), 0);
  TlsTestClient client(server->port(), *dir_, {});
  ASSERT_FALSE(client.Handshake());
  ClientResponse response;
  ASSERT_FALSE(client.Send(bhttp::verb::get, "/", &response));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(HttpsServer, WithClientCaFileRefusesClientWithoutCertificateAndServesOneWithIt) {
  std::atomic<int> calls{0};
  TlsOptions tls = ServerTls();
  tls.client_ca_file = File("ca.crt");
  auto server = StartTlsOrDie(
      [&](Request&& request, Responder respond) {
        ++calls;
        respond(Response::Text(200, "hello"));
      },
      tls);
  ASSERT_NE(server, nullptr);
  {
    TlsTestClient anonymous(server->port(), *dir_, {});
    // Under TLS 1.3 the client's handshake completes before the server checks its certificate;
    // the refusal then arrives as an alert on the first read.
    beast::error_code ec = anonymous.Handshake();
    ClientResponse response;
    if (!ec) ec = anonymous.Send(bhttp::verb::get, "/", &response);
    EXPECT_TRUE(ec) << "served without a client certificate";
  }
  EXPECT_EQ(calls.load(), 0);
  TlsTestClient client(server->port(), *dir_, {.client_certificate = true});
  ASSERT_FALSE(client.Handshake());
  ClientResponse response;
  ASSERT_FALSE(client.Send(bhttp::verb::get, "/", &response));
  EXPECT_EQ(response.body(), "hello");
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(HttpsServer, MinVersion13RefusesTls12Client) {
  TlsOptions tls = ServerTls();
  tls.min_version = "1.3";
  auto server = StartTlsOrDie(
      [](Request&& request, Responder respond) { respond(Response::Text(200, "ok")); }, tls);
  ASSERT_NE(server, nullptr);
  {
    TlsTestClient old_client(server->port(), *dir_, {.tls12_only = true});
    EXPECT_TRUE(old_client.Handshake());
  }
  TlsTestClient client(server->port(), *dir_, {});
  ASSERT_FALSE(client.Handshake());
  ClientResponse response;
  ASSERT_FALSE(client.Send(bhttp::verb::get, "/", &response));
  EXPECT_EQ(response.result_int(), 200);
}

TEST_F(HttpsServer, TellsTheHandlerWhenTheClientGoesAway) {
  HoldingHandler holding;
  auto server = StartTlsOrDie(holding.handler(), ServerTls());
  ASSERT_NE(server, nullptr);
  {
    TlsTestClient client(server->port(), *dir_, {});
    ASSERT_FALSE(client.Handshake());
    ASSERT_FALSE(client.WriteRaw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    holding.ExpectDispatchedWithClientPresent();
    client.CloseTcp();
  }
  EXPECT_TRUE(holding.ClientGoneWithin5s()) << "client_gone never became true";
  holding.AnswerHeld();
}

// The watch for a closed connection reads through TLS: a pipelined request it decrypts is
// served next, and the connection stays usable afterwards.
TEST_F(HttpsServer, PipelinedRequestWhileHandlerWorksIsServedAndNotACancellation) {
  LateResponders late;
  std::vector<std::shared_ptr<const std::atomic<bool>>> flags;
  absl::Mutex mu;
  auto server = StartTlsOrDie(
      [&](Request&& request, Responder respond) {
        {
          absl::MutexLock lock(&mu);
          flags.push_back(request.client_gone);
        }
        late.After(std::chrono::milliseconds(100), std::move(respond),
                   Response::Text(200, request.path));
      },
      ServerTls());
  ASSERT_NE(server, nullptr);
  TlsTestClient client(server->port(), *dir_, {});
  ASSERT_FALSE(client.Handshake());
  ASSERT_FALSE(client.WriteRaw("GET /one HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // /one is being handled
  ASSERT_FALSE(client.WriteRaw("GET /two HTTP/1.1\r\nHost: x\r\n\r\n"));
  ClientResponse first, second, third;
  ASSERT_FALSE(client.Read(&first));
  ASSERT_FALSE(client.Read(&second));
  EXPECT_EQ(first.body(), "/one");
  EXPECT_EQ(second.body(), "/two");
  ASSERT_FALSE(client.Send(bhttp::verb::get, "/three", &third));
  EXPECT_EQ(third.body(), "/three");
  absl::MutexLock lock(&mu);
  ASSERT_EQ(flags.size(), 3u);
  for (const auto& flag : flags) EXPECT_FALSE(flag->load());
}

TEST_F(HttpsServer, RejectsBodyOverLimitWith413AndCloses) {
  ServerOptions options;
  options.tls = ServerTls();
  options.max_body_bytes = 1024;
  auto server = StartOrDie(
      [](Request&& request, Responder respond) { respond(Response::Text(200, "ok")); }, options);
  ASSERT_NE(server, nullptr);
  TlsTestClient client(server->port(), *dir_, {});
  ASSERT_FALSE(client.Handshake());
  ClientResponse response;
  ASSERT_FALSE(client.Send(bhttp::verb::post, "/v1/traces", &response, std::string(4096, 'x')));
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_FALSE(response.keep_alive());
  ClientResponse none;
  EXPECT_TRUE(client.Read(&none));
}

TEST_F(HttpsServer, StopClosesIdleAndHandshakingConnections) {
  auto server = StartTlsOrDie(
      [](Request&& request, Responder respond) { respond(Response::Text(200, "ok")); },
      ServerTls());
  ASSERT_NE(server, nullptr);
  TlsTestClient idle(server->port(), *dir_, {});
  ASSERT_FALSE(idle.Handshake());
  ClientResponse response;
  ASSERT_FALSE(idle.Send(bhttp::verb::get, "/", &response));
  TestClient handshaking(server->port());  // connected, never sends a client hello
  auto start = std::chrono::steady_clock::now();
  server->Stop(100);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(idle.Read(&response));
  EXPECT_TRUE(handshaking.ServerClosed());
}

TEST_F(HttpsServer, StartErrorsNameTheFileAndTheProblem) {
  auto start = [](TlsOptions tls) {
    ServerOptions options;
    options.address = "127.0.0.1:0";
    options.tls = std::move(tls);
    return Server::Start(options,
                         [](Request&&, Responder respond) { respond(Response::Text(200, "ok")); });
  };
  {
    TlsOptions tls = ServerTls();
    tls.cert_file = File("missing.crt");
    auto server = start(tls);
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(server.status().message(),
                HasSubstr(th::StrCat("tls: cannot read cert_file ", File("missing.crt"),
                                     ": No such file or directory")));
  }
  {
    TlsOptions tls = ServerTls();
    tls.key_file = File("other.key");
    auto server = start(tls);
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.status().message(), HasSubstr("tls: key does not match certificate"));
    EXPECT_THAT(server.status().message(), HasSubstr(File("other.key")));
  }
  {
    TlsOptions tls = ServerTls();
    tls.cert_file = File("server.ext");  // readable, but no certificate
    auto server = start(tls);
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.status().message(),
                HasSubstr(th::StrCat("tls: cannot load cert_file ", File("server.ext"),
                                     ": no PEM certificate in it")));
  }
  {
    TlsOptions tls = ServerTls();
    tls.key_file = File("server.crt");  // a certificate, not a key
    auto server = start(tls);
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.status().message(),
                HasSubstr(th::StrCat("tls: cannot load key_file ", File("server.crt"),
                                     ": no PEM private key in it")));
  }
  {
    TlsOptions tls = ServerTls();
    tls.client_ca_file = File("server.ext");
    auto server = start(tls);
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.status().message(),
                HasSubstr(th::StrCat("tls: cannot load client_ca_file ", File("server.ext"))));
  }
  {
    TlsOptions tls = ServerTls();
    tls.key_file = File("encrypted.key");
    auto server = start(tls);
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.status().message(), HasSubstr("passphrases are not supported"));
  }
  {
    TlsOptions tls = ServerTls();
    tls.client_ca_file = File("missing-ca.crt");
    auto server = start(tls);
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.status().message(),
                HasSubstr(th::StrCat("tls: cannot read client_ca_file ", File("missing-ca.crt"))));
  }
  {
    TlsOptions tls;
    tls.client_ca_file = File("ca.crt");  // TLS asked for, but no certificate to serve
    auto server = start(tls);
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.status().message(), HasSubstr("cert_file and key_file are both required"));
  }
  {
    TlsOptions tls = ServerTls();
    tls.min_version = "1.1";
    auto server = start(tls);
    ASSERT_FALSE(server.ok());
    EXPECT_THAT(server.status().message(), HasSubstr("min_version \"1.1\" is not supported"));
  }
}

TEST(TlsOptions, EnabledWhenAnyFileIsSet) {
  TlsOptions tls;
  EXPECT_FALSE(tls.enabled());
  tls.min_version = "1.3";
  EXPECT_FALSE(tls.enabled());
  tls.client_ca_file = "/ca.pem";
  EXPECT_TRUE(tls.enabled());
}

}  // namespace
}  // namespace th::http

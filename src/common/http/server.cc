#include "common/http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace th::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;

// A whole request (headers and body) must arrive within this; it is also how long an idle
// keep-alive connection is kept.
constexpr auto kReadTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(60);
// After an error response the rest of the request is read and discarded for a while before
// closing: closing with unread data makes the kernel send RST, and the client would likely lose
// the 413/400 we just wrote.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kLingerMaxBytes = 1u << 20;
// Bytes one read for a closed connection may take while a handler works (see WatchForClose).
constexpr size_t kWatchBytes = 512;
// Beast's default (8 KiB) is too small for long TraceQL queries in the target.
constexpr uint32_t kHeaderLimit = 64u << 10;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Debian's Abseil has its own absl::string_view, so its string helpers do not take
// std::string_view; these few are spelled out here instead.
char ToLowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

std::string_view ToStd(boost::beast::string_view s) { return {s.data(), s.size()}; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Malformed escapes ("%zz", a trailing "%") are kept as written rather than rejected: the
// handler sees what the client sent.
std::string PercentDecode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

// RFC 9110 token characters; anything else in a header name would corrupt the response.
bool IsValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool IsValidHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::string FormatEndpoint(const tcp::endpoint& ep) {
  beast::error_code ec;
  std::string host = ep.address().to_string(ec);
  if (ep.address().is_v6()) return th::StrCat("[", host, "]:", ep.port());
  return th::StrCat(host, ":", ep.port());
}

Result<tcp::endpoint> ParseAddress(std::string_view address, std::string_view server) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        th::StrCat("http server ", server, ": bad address \"", address, "\": ", why));
  };
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return bad("expected host:port");
  std::string_view host = address.substr(0, colon);
  std::string_view port_text = address.substr(colon + 1);
  int port = -1;
  auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
      port > 65535) {
    return bad("port must be 0..65535");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  // "localhost" is fixed to the IPv4 loopback instead of resolved, so start-up never waits on a
  // resolver and always binds the same family.
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  asio::ip::address ip = asio::ip::make_address(std::string(host), ec);
  if (ec) return bad("host must be an IP address or localhost");
  return tcp::endpoint(ip, static_cast<uint16_t>(port));
}

class Session;

// State shared by the server object and its connections. Connections hold it by shared_ptr
// because a handler may keep a Responder (and so its connection) past Server destruction; the
// io_context must outlive every socket created on it.
struct Core : std::enable_shared_from_this<Core> {
  Core(const ServerOptions& o, Handler h)
      : work(asio::make_work_guard(ioc)),
        acceptor(asio::make_strand(ioc)),
        accept_retry(acceptor.get_executor()),
        options(o),
        handler(std::move(h)),
        duration(metrics::Registry::Default().GetHistogram(
            "tracehouse_http_request_duration_seconds",
            "Time from a request read to its response written.", metrics::LatencyBuckets(),
            {{"server", o.name}})) {}

  void CountResponse(int status) {
    metrics::Registry::Default()
        .GetCounter("tracehouse_http_requests_total", "HTTP responses written, by status code.",
                    {{"server", options.name}, {"code", th::StrCat(status)}})
        ->Add();
  }

  std::vector<std::shared_ptr<Session>> LiveSessions() {
    std::vector<std::weak_ptr<Session>> weak;
    {
      absl::MutexLock lock(&mu);
      for (auto& [ptr, w] : sessions) weak.push_back(w);
    }
    std::vector<std::shared_ptr<Session>> out;
    for (auto& w : weak) {
      if (auto s = w.lock()) out.push_back(std::move(s));
    }
    return out;
  }

  asio::io_context ioc;  // first: destroyed after everything created on it
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;  // on its own strand: Stop closes it from outside
  asio::steady_timer accept_retry;
  const ServerOptions options;
  const Handler handler;
  metrics::Histogram* const duration;
  // Set when Stop begins: stop accepting, answer with Connection: close.
  std::atomic<bool> draining{false};

  absl::Mutex mu;
  // Set once Stop has given up waiting; from then on nothing is posted to ioc and no handler
  // is called, so Stop can close connections from its own thread.
  bool closed ABSL_GUARDED_BY(mu) = false;
  // Requests handed to the handler whose response is not yet written.
  int in_flight ABSL_GUARDED_BY(mu) = 0;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions ABSL_GUARDED_BY(mu);
};

// One connection. All members are touched only on strand_, except Deliver (any thread) and
// CloseForShutdown (when no thread runs the io_context). Requests on a connection are served
// one at a time: the next is read only after the previous response is written.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Core> core, Strand strand, tcp::socket&& socket)
      : core_(std::move(core)), strand_(std::move(strand)), stream_(std::move(socket)) {
    beast::error_code ec;
    tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = FormatEndpoint(remote);
  }

  ~Session() {
    absl::MutexLock lock(&core_->mu);
    core_->sessions.erase(this);
  }

  void Start() {
    {
      absl::MutexLock lock(&core_->mu);
      core_->sessions.emplace(this, weak_from_this());
    }
    asio::dispatch(strand_, [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Queues `response` for writing; safe from any thread. Dropped once the server is stopped.
  void Deliver(Response&& response) {
    absl::MutexLock lock(&core_->mu);
    if (core_->closed) return;
    asio::post(strand_, [self = shared_from_this(), r = std::move(response)]() mutable {
      self->Write(std::move(r), /*from_handler=*/true);
    });
  }

  // Requires: no thread is running the io_context.
  void CloseForShutdown() { stream_.close(); }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(static_cast<uint64_t>(core_->options.max_body_bytes));
    stream_.expires_after(kReadTimeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return FailRead(ec);
    const auto& msg = parser_->get();
    // curl sends Expect: 100-continue for bodies over 1 KiB and otherwise stalls a second.
    if (msg.version() >= 11 && !parser_->is_done() &&
        EqualsIgnoreCase(ToStd(msg[bhttp::field::expect]), "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        beast::bind_front_handler(&Session::OnContinue, shared_from_this()));
      return;
    }
    ReadBody();
  }

  void OnContinue(beast::error_code ec, size_t) {
    if (ec) return stream_.close();
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (ec) return FailRead(ec);
    Dispatch();
  }

  void FailRead(beast::error_code ec) {
    started_ = std::chrono::steady_clock::now();
    if (ec == bhttp::error::body_limit) {
      return WriteError(413, th::StrCat("request body exceeds the limit of ",
                                        core_->options.max_body_bytes, " bytes\n"));
    }
    if (ec == bhttp::error::header_limit) {
      return WriteError(
          431, th::StrCat("request header exceeds the limit of ", kHeaderLimit, " bytes\n"));
    }
    // Other parser errors mean the bytes are not HTTP/1.1; a connection that ends mid-request
    // (partial_message) or times out has nobody to answer.
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return WriteError(400, th::StrCat("malformed request: ", ec.message(), "\n"));
    }
    stream_.close();
  }

  void WriteError(int status, std::string body) {
    version_ = 11;  // the request's version may not have been parsed
    keep_alive_ = false;
    is_head_ = false;
    StartWrite(Response::Text(status, std::move(body)), /*from_handler=*/false);
  }

  void Dispatch() {
    auto& msg = parser_->get();
    Request request;
    request.method = std::string(ToStd(msg.method_string()));
    request.target = std::string(ToStd(msg.target()));
    std::string_view target = request.target;
    size_t q = target.find('?');
    request.path = PercentDecode(target.substr(0, q), /*plus_as_space=*/false);
    if (q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
    for (const auto& field : msg) {
      std::string name(ToStd(field.name_string()));
      for (char& c : name) c = ToLowerAscii(c);
      request.headers.emplace_back(std::move(name), std::string(ToStd(field.value())));
    }
    request.body = std::move(msg.body());
    request.remote_address = remote_address_;
    client_gone_ = std::make_shared<std::atomic<bool>>(false);
    request.client_gone = client_gone_;
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    is_head_ = msg.method() == bhttp::verb::head;
    parser_.reset();
    started_ = std::chrono::steady_clock::now();
    {
      absl::MutexLock lock(&core_->mu);
      if (core_->closed) return stream_.close();
      ++core_->in_flight;
    }
    auto state = std::make_shared<ResponderState>(shared_from_this());
    core_->handler(std::move(request),
                   [state = std::move(state)](Response&& r) { state->Respond(std::move(r)); });
    WatchForClose();
  }

  // While the handler works, a read on the socket tells whether the client went away (EOF or
  // reset), so the handler can stop (Request::client_gone). Bytes that arrive instead belong to
  // a pipelined next request and are kept in buffer_ for it. The raw socket is read, not the
  // tcp_stream, so the write's timeout does not apply to it.
  void WatchForClose() {
    if (watching_ || !stream_.socket().is_open()) return;
    watching_ = true;
    stream_.socket().async_read_some(
        buffer_.prepare(kWatchBytes),
        asio::bind_executor(strand_, beast::bind_front_handler(&Session::OnWatch,
                                                               shared_from_this())));
  }

  void OnWatch(beast::error_code ec, size_t n) {
    watching_ = false;
    if (!ec) {
      buffer_.commit(n);  // a pipelined request: the client is still there
    } else if (ec != asio::error::operation_aborted) {
      client_gone_->store(true, std::memory_order_relaxed);
    }
    if (resume_read_) {
      resume_read_ = false;
      ReadHeader();
    }
  }

  // Shared by all copies of one Responder: enforces "exactly once" and answers 500 when the
  // last copy is destroyed unanswered.
  class ResponderState {
   public:
    explicit ResponderState(std::shared_ptr<Session> session) : session_(std::move(session)) {}
    ResponderState(const ResponderState&) = delete;
    ResponderState& operator=(const ResponderState&) = delete;

    ~ResponderState() {
      if (called_.exchange(true)) return;
      log::Error("http handler dropped its responder without answering",
                 "server=", session_->core_->options.name, " remote=", session_->remote_address_);
      session_->Deliver(Response::Text(500, "internal error: request was not answered\n"));
    }

    void Respond(Response&& response) {
      if (called_.exchange(true)) {
        log::Error("http responder called more than once; extra response dropped",
                   "server=", session_->core_->options.name, " status=", response.status);
        return;
      }
      session_->Deliver(std::move(response));
    }

   private:
    std::shared_ptr<Session> session_;
    std::atomic<bool> called_{false};
  };

  void Write(Response&& response, bool from_handler) {
    if (from_handler && core_->draining.load()) keep_alive_ = false;
    StartWrite(std::move(response), from_handler);
  }

  void StartWrite(Response&& response, bool from_handler) {
    if (!BuildResponse(std::move(response))) {
      log::Error("http handler returned an unusable response; answering 500",
                 "server=", core_->options.name);
      BuildResponse(Response::Text(500, "internal error: invalid response\n"));
    }
    stream_.expires_after(kWriteTimeout);
    bhttp::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::OnWrite, shared_from_this(), from_handler));
  }

  // Fills response_ from `response`; false when the handler's response cannot be sent as is.
  bool BuildResponse(Response&& response) {
    // 1xx cannot be a final response; beyond 999 Beast throws.
    if (response.status < 200 || response.status > 999) return false;
    try {
      response_ = {};
      // Answering in the request's version makes keep_alive() spell the Connection header an
      // HTTP/1.0 client needs.
      response_.version(version_);
      response_.result(static_cast<unsigned>(response.status));
      for (auto& [name, value] : response.headers) {
        if (!IsValidHeaderName(name) || !IsValidHeaderValue(value)) return false;
        // Framing headers are ours to set.
        if (EqualsIgnoreCase(name, "content-length") ||
            EqualsIgnoreCase(name, "transfer-encoding") || EqualsIgnoreCase(name, "connection")) {
          continue;
        }
        response_.insert(name, value);
      }
      response_.set(bhttp::field::server, "tracehouse");
      response_.keep_alive(keep_alive_);
      // 204 must not carry Content-Length (RFC 9110 §8.6); HEAD gets the length without body.
      if (response.status == 204) {
        response.body.clear();
      } else {
        response_.content_length(response.body.size());
      }
      if (!is_head_) response_.body() = std::move(response.body);
      return true;
    } catch (const std::exception& e) {  // Beast throws on oversized header fields
      log::Error("http response rejected by beast", "server=", core_->options.name, " error=\"",
                 e.what(), "\"");
      return false;
    }
  }

  void OnWrite(bool from_handler, beast::error_code ec, size_t) {
    core_->duration->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    core_->CountResponse(response_.result_int());
    if (from_handler) {
      absl::MutexLock lock(&core_->mu);
      --core_->in_flight;
    }
    if (ec) return stream_.close();
    if (!from_handler) return Linger();
    if (!response_.keep_alive() || core_->draining.load()) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return stream_.close();
    }
    response_ = {};
    if (watching_) {
      // The watch read must finish before the next request is read; OnWatch resumes.
      resume_read_ = true;
      beast::error_code ignored;
      stream_.socket().cancel(ignored);
      return;
    }
    ReadHeader();
  }

  void Linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    stream_.async_read_some(asio::buffer(linger_buf_),
                            beast::bind_front_handler(&Session::OnLinger, shared_from_this()));
  }

  void OnLinger(beast::error_code ec, size_t n) {
    lingered_ += n;
    if (ec || lingered_ > kLingerMaxBytes) return stream_.close();
    stream_.async_read_some(asio::buffer(linger_buf_),
                            beast::bind_front_handler(&Session::OnLinger, shared_from_this()));
  }

  const std::shared_ptr<Core> core_;  // first: the io_context outlives stream_
  const Strand strand_;
  beast::tcp_stream stream_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool is_head_ = false;
  std::chrono::steady_clock::time_point started_;
  std::array<char, 4096> linger_buf_;
  size_t lingered_ = 0;
  std::shared_ptr<std::atomic<bool>> client_gone_;  // of the request being handled
  bool watching_ = false;     // a WatchForClose read is pending
  bool resume_read_ = false;  // read the next request once that read ends
};

// Accept handlers hold a raw Core*: they only run while the io_context, owned by Core, exists.
void Accept(Core* core) {
  Strand strand = asio::make_strand(core->ioc);
  core->acceptor.async_accept(
      strand, [core, strand](beast::error_code ec, tcp::socket socket) mutable {
        if (ec == asio::error::operation_aborted || !core->acceptor.is_open()) return;
        if (ec) {
          // Typically EMFILE; retrying at once would spin.
          log::Warn("http accept failed", "server=", core->options.name, " error=\"", ec.message(),
                    "\"");
          core->accept_retry.expires_after(std::chrono::milliseconds(100));
          core->accept_retry.async_wait([core](beast::error_code wait_ec) {
            if (!wait_ec) Accept(core);
          });
          return;
        }
        if (core->draining.load()) {
          beast::error_code ignored;
          socket.close(ignored);
          return;
        }
        auto session = std::make_shared<Session>(core->shared_from_this(), std::move(strand),
                                                 std::move(socket));
        session->Start();
        Accept(core);
      });
}

class ServerImpl final : public Server {
 public:
  ServerImpl(std::shared_ptr<Core> core, int port) : core_(std::move(core)), port_(port) {
    int n = std::max(1, core_->options.threads);
    threads_.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([core = core_.get()] { core->ioc.run(); });
    }
  }

  ~ServerImpl() override { Stop(/*grace_ms=*/5000); }  // the header's default

  int port() const override { return port_; }

  void Stop(int grace_ms) override {
    if (stopped_) return;
    stopped_ = true;
    Core* core = core_.get();
    core->draining.store(true);
    asio::post(core->acceptor.get_executor(), [core] {
      beast::error_code ignored;
      core->acceptor.close(ignored);
      core->accept_retry.cancel();
    });
    {
      absl::MutexLock lock(&core->mu);
      core->mu.AwaitWithTimeout(absl::Condition(
                                    +[](int* n) { return *n == 0; }, &core->in_flight),
                                absl::Milliseconds(std::max(grace_ms, 0)));
      if (core->in_flight > 0) {
        log::Warn("http server stopping with requests unanswered", "server=", core->options.name,
                  " in_flight=", core->in_flight);
      }
      core->closed = true;
    }
    core->work.reset();
    core->ioc.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    // No thread runs the io_context now, so connections can be closed from here.
    beast::error_code ignored;
    core->acceptor.close(ignored);
    core->accept_retry.cancel();
    for (auto& session : core->LiveSessions()) session->CloseForShutdown();
    // Queued completions hold their connections (and so Core, which owns the io_context): run
    // them once against the closed sockets so they finish and release it. With `closed` set
    // they start no new work and call no handler.
    core->ioc.restart();
    core->ioc.poll();
    log::Info("http server stopped", "server=", core->options.name);
  }

 private:
  const std::shared_ptr<Core> core_;
  const int port_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

bool Request::QueryParam(std::string_view name, std::string* value) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (PercentDecode(key, /*plus_as_space=*/true) != name) continue;
    if (value != nullptr) {
      *value = eq == std::string_view::npos
                   ? std::string()
                   : PercentDecode(pair.substr(eq + 1), /*plus_as_space=*/true);
    }
    return true;
  }
  if (value != nullptr) value->clear();
  return false;
}

Response Response::Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Handler handler) {
  if (!handler) {
    return absl::InvalidArgumentError(th::StrCat("http server ", options.name, ": no handler"));
  }
  ASSIGN_OR_RETURN(tcp::endpoint endpoint, ParseAddress(options.address, options.name));
  auto core = std::make_shared<Core>(options, std::move(handler));
  auto fail = [&](std::string_view what, const beast::error_code& ec) {
    return absl::UnavailableError(th::StrCat("http server ", options.name, ": cannot ", what, " ",
                                             options.address, ": ", ec.message()));
  };
  beast::error_code ec;
  core->acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open socket for", ec);
  // Lets a restarted process bind while old connections sit in TIME_WAIT; a live listener on
  // the port still makes bind fail.
  core->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on", ec);
  core->acceptor.bind(endpoint, ec);
  if (ec) return fail("bind", ec);
  core->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on", ec);
  tcp::endpoint bound = core->acceptor.local_endpoint(ec);
  if (ec) return fail("read bound port of", ec);
  Accept(core.get());
  log::Info("http server listening", "server=", options.name, " address=", FormatEndpoint(bound),
            " threads=", std::max(1, options.threads));
  return std::unique_ptr<Server>(new ServerImpl(std::move(core), bound.port()));
}

}  // namespace th::http

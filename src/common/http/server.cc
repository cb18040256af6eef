#include "common/http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

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
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// A whole request (headers and body) must arrive within this; it is also how long an idle
// keep-alive connection is kept.
constexpr auto kReadTimeout = std::chrono::seconds(60);
constexpr auto kWriteTimeout = std::chrono::seconds(60);
// Whole TLS handshake; like a request, it must arrive within the read timeout.
constexpr auto kHandshakeTimeout = kReadTimeout;
// A graceful TLS close sends close_notify and waits this long for the client's.
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(2);
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

absl::Status TlsError(std::string_view server, std::string_view what) {
  return absl::InvalidArgumentError(th::StrCat("http server ", server, ": tls: ", what));
}

// The text of `path`, named `field` in errors ("cert_file").
Result<std::string> ReadTlsFile(std::string_view server, std::string_view field,
                                const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return TlsError(server,
                    th::StrCat("cannot read ", field, " ", path, ": ", std::strerror(errno)));
  }
  std::string text;
  std::array<char, 8192> chunk;
  size_t n;
  while ((n = std::fread(chunk.data(), 1, chunk.size(), f)) > 0) text.append(chunk.data(), n);
  bool failed = std::ferror(f) != 0;
  int error = errno;
  std::fclose(f);
  if (failed) {
    return TlsError(server,
                    th::StrCat("cannot read ", field, " ", path, ": ", std::strerror(error)));
  }
  return text;
}

// Builds the server's TLS context from `options`: certificate chain and key (checked against
// each other), client verification when client_ca_file is set, and the minimum version.
Result<std::unique_ptr<asio::ssl::context>> MakeTlsContext(const TlsOptions& options,
                                                           std::string_view server) {
  if (options.cert_file.empty() || options.key_file.empty()) {
    return TlsError(server, "cert_file and key_file are both required");
  }
  int min_version;
  if (options.min_version.empty() || options.min_version == "1.2") {
    min_version = TLS1_2_VERSION;
  } else if (options.min_version == "1.3") {
    min_version = TLS1_3_VERSION;
  } else {
    return TlsError(server, th::StrCat("min_version \"", options.min_version,
                                       "\" is not supported (use 1.2 or 1.3)"));
  }
  ASSIGN_OR_RETURN(std::string cert, ReadTlsFile(server, "cert_file", options.cert_file));
  ASSIGN_OR_RETURN(std::string key, ReadTlsFile(server, "key_file", options.key_file));

  std::unique_ptr<asio::ssl::context> ctx;
  try {  // Asio throws when OpenSSL cannot make a context
    ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  } catch (const std::exception& e) {
    return TlsError(server, th::StrCat("cannot create context: ", e.what()));
  }
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, min_version) != 1) {
    return TlsError(server, th::StrCat("cannot set min_version ", options.min_version));
  }
  // No TLS 1.2 renegotiation: besides its cost, a write that has to read would wait behind the
  // client-gone watch read (see Session::WatchForClose) until the client sends something.
  SSL_CTX_set_options(native, SSL_OP_ALL | SSL_OP_NO_RENEGOTIATION);
  beast::error_code ec;
  // Without a callback OpenSSL would prompt on the terminal for an encrypted key's passphrase;
  // an empty one makes such a key fail to load instead.
  ctx->set_password_callback(
      [](size_t, asio::ssl::context::password_purpose) { return std::string(); }, ec);
  // OpenSSL's reasons for unusable files ("PEM lib", "unsupported") say little; the common
  // mistakes are named first.
  if (cert.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return TlsError(server, th::StrCat("cannot load cert_file ", options.cert_file,
                                       ": no PEM certificate in it"));
  }
  ctx->use_certificate_chain(asio::buffer(cert), ec);
  if (ec) {
    return TlsError(server,
                    th::StrCat("cannot load cert_file ", options.cert_file, ": ", ec.message()));
  }
  if (key.find("PRIVATE KEY-----") == std::string::npos) {
    return TlsError(server, th::StrCat("cannot load key_file ", options.key_file,
                                       ": no PEM private key in it"));
  }
  if (key.find("ENCRYPTED") != std::string::npos) {
    return TlsError(server, th::StrCat("cannot load key_file ", options.key_file,
                                       ": the key is encrypted; passphrases are not supported"));
  }
  ctx->use_private_key(asio::buffer(key), asio::ssl::context::pem, ec);
  if (ec) {
    if (ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
      return TlsError(server, th::StrCat("key does not match certificate (key_file ",
                                         options.key_file, ", cert_file ", options.cert_file, ")"));
    }
    return TlsError(server,
                    th::StrCat("cannot load key_file ", options.key_file, ": ", ec.message()));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return TlsError(server, th::StrCat("key does not match certificate (key_file ",
                                       options.key_file, ", cert_file ", options.cert_file, ")"));
  }

  if (!options.client_ca_file.empty()) {
    ASSIGN_OR_RETURN(std::string cas,
                     ReadTlsFile(server, "client_ca_file", options.client_ca_file));
    ctx->add_certificate_authority(asio::buffer(cas), ec);
    if (ec) {
      return TlsError(server, th::StrCat("cannot load client_ca_file ", options.client_ca_file,
                                         " (expected PEM certificates): ", ec.message()));
    }
    // The CA names go into the certificate request, so clients holding several certificates
    // can pick the right one; only a hint, so a failure here is not an error.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.client_ca_file.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);
    }
    ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) {
      return TlsError(server, th::StrCat("cannot require client certificates: ", ec.message()));
    }
    // Session resumption with verified clients needs a session id context; without one
    // OpenSSL fails resumed handshakes.
    static constexpr unsigned char kSessionContext[] = "tracehouse-http";
    SSL_CTX_set_session_id_context(native, kSessionContext, sizeof(kSessionContext) - 1);
  }
  return ctx;
}

// What Core needs of a connection, whatever its stream type.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Requires: no thread is running the io_context.
  virtual void CloseForShutdown() = 0;
};

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

  std::vector<std::shared_ptr<SessionBase>> LiveSessions() {
    std::vector<std::weak_ptr<SessionBase>> weak;
    {
      absl::MutexLock lock(&mu);
      for (auto& [ptr, w] : sessions) weak.push_back(w);
    }
    std::vector<std::shared_ptr<SessionBase>> out;
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
  // Set when options.tls is enabled; then every connection is a TlsStream.
  std::unique_ptr<asio::ssl::context> tls;
  metrics::Histogram* const duration;
  // Set when Stop begins: stop accepting, answer with Connection: close.
  std::atomic<bool> draining{false};

  absl::Mutex mu;
  // Set once Stop has given up waiting; from then on nothing is posted to ioc and no handler
  // is called, so Stop can close connections from its own thread.
  bool closed ABSL_GUARDED_BY(mu) = false;
  // Requests handed to the handler whose response is not yet written.
  int in_flight ABSL_GUARDED_BY(mu) = 0;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions ABSL_GUARDED_BY(mu);
};

// One connection over Stream: PlainStream, or TlsStream when the server has TLS. All members are
// touched only on strand_, except Deliver (any thread) and CloseForShutdown (when no thread runs
// the io_context). Requests on a connection are served one at a time: the next is read only
// after the previous response is written.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  template <class... StreamArgs>
  Session(std::shared_ptr<Core> core, Strand strand, tcp::socket&& socket,
          StreamArgs&&... stream_args)
      : core_(std::move(core)),
        strand_(std::move(strand)),
        stream_(std::move(socket), std::forward<StreamArgs>(stream_args)...) {
    beast::error_code ec;
    tcp::endpoint remote = Tcp().socket().remote_endpoint(ec);
    if (!ec) remote_address_ = FormatEndpoint(remote);
  }

  ~Session() override {
    absl::MutexLock lock(&core_->mu);
    core_->sessions.erase(this);
  }

  void Start() {
    {
      absl::MutexLock lock(&core_->mu);
      core_->sessions.emplace(this, this->weak_from_this());
    }
    asio::dispatch(strand_, [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

  // Queues `response` for writing; safe from any thread. Dropped once the server is stopped.
  void Deliver(Response&& response) {
    absl::MutexLock lock(&core_->mu);
    if (core_->closed) return;
    asio::post(strand_, [self = this->shared_from_this(), r = std::move(response)]() mutable {
      self->Write(std::move(r), /*from_handler=*/true);
    });
  }

  void CloseForShutdown() override { Tcp().close(); }

 private:
  // What OnWatch does once the watch read has ended (it must end before the stream is read
  // again).
  enum class AfterWatch { kNothing, kReadHeader, kTlsShutdown };

  // The TCP layer, which owns the socket and the timeouts, under TLS or not.
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Handshake() {
    Tcp().expires_after(kHandshakeTimeout);
    stream_.async_handshake(
        asio::ssl::stream_base::server,
        beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      // Scanners, plaintext clients and clients without an accepted certificate end here; the
      // client sees the TLS alert, the server only a debug line.
      log::Debug("http tls handshake failed", "server=", core_->options.name,
                 " remote=", remote_address_, " error=\"", ec.message(), "\"");
      metrics::Registry::Default()
          .GetCounter("tracehouse_http_tls_handshake_failures_total",
                      "TLS handshakes that failed (bad client hello, certificate, timeout).",
                      {{"server", core_->options.name}})
          ->Add();
      return Tcp().close();
    }
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(static_cast<uint64_t>(core_->options.max_body_bytes));
    Tcp().expires_after(kReadTimeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return FailRead(ec);
    const auto& msg = parser_->get();
    // curl sends Expect: 100-continue for bodies over 1 KiB and otherwise stalls a second.
    if (msg.version() >= 11 && !parser_->is_done() &&
        EqualsIgnoreCase(ToStd(msg[bhttp::field::expect]), "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        beast::bind_front_handler(&Session::OnContinue, this->shared_from_this()));
      return;
    }
    ReadBody();
  }

  void OnContinue(beast::error_code ec, size_t) {
    if (ec) return Tcp().close();
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return Dispatch();
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnBody, this->shared_from_this()));
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
    Tcp().close();
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
      if (core_->closed) return Tcp().close();
      ++core_->in_flight;
    }
    auto state = std::make_shared<ResponderState>(this->shared_from_this());
    core_->handler(std::move(request),
                   [state = std::move(state)](Response&& r) { state->Respond(std::move(r)); });
    WatchForClose();
  }

  // While the handler works, a read tells whether the client went away (EOF or reset), so the
  // handler can stop (Request::client_gone). Bytes that arrive instead belong to a pipelined
  // next request and are kept in buffer_ for it. The read is cancelled (and awaited, see
  // AfterWatch) once the response is written.
  //
  // Plaintext reads the raw socket, not the tcp_stream, so no timeout applies to it. TLS must
  // read through the TLS stream, or the watch would swallow TLS records; it asks for real bytes
  // (a zero-length read returns at once without touching the socket), decrypted bytes land in
  // buffer_ like plaintext ones, and the tcp_stream's read timeout is switched off for it (a
  // pending read keeps its deadline; the next ReadHeader sets a new one). The response write
  // may run meanwhile: Asio's TLS stream allows one read and one write at a time.
  // Limit: a TLS 1.3 post-handshake message (KeyUpdate) arriving exactly while the response is
  // written can make the watch read write too, past the cancel; that connection then waits for
  // the client's next bytes or close (renegotiation, the other such case, is disabled).
  void WatchForClose() {
    if (watching_ || !Tcp().socket().is_open()) return;
    watching_ = true;
    if constexpr (kTls) {
      Tcp().expires_never();
      stream_.async_read_some(
          buffer_.prepare(kWatchBytes),
          beast::bind_front_handler(&Session::OnWatch, this->shared_from_this()));
    } else {
      Tcp().socket().async_read_some(
          buffer_.prepare(kWatchBytes),
          asio::bind_executor(
              strand_, beast::bind_front_handler(&Session::OnWatch, this->shared_from_this())));
    }
  }

  void OnWatch(beast::error_code ec, size_t n) {
    watching_ = false;
    if (!ec) {
      buffer_.commit(n);  // a pipelined request: the client is still there
    } else if (ec != asio::error::operation_aborted) {
      client_gone_->store(true, std::memory_order_relaxed);
    }
    AfterWatch next = after_watch_;
    after_watch_ = AfterWatch::kNothing;
    switch (next) {
      case AfterWatch::kNothing:
        return;
      case AfterWatch::kReadHeader:
        return ReadHeader();
      case AfterWatch::kTlsShutdown:
        return ShutdownTls();
    }
  }

  // Ends the watch read, then does `next`.
  void CancelWatch(AfterWatch next) {
    after_watch_ = next;
    beast::error_code ignored;
    Tcp().socket().cancel(ignored);
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
    Tcp().expires_after(kWriteTimeout);
    bhttp::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::OnWrite, this->shared_from_this(), from_handler));
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
    if (ec) return Tcp().close();
    if (!from_handler) return Linger();
    if (!response_.keep_alive() || core_->draining.load()) {
      if constexpr (kTls) {
        if (watching_) return CancelWatch(AfterWatch::kTlsShutdown);
        return ShutdownTls();
      } else {
        beast::error_code ignored;
        Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
        return Tcp().close();
      }
    }
    response_ = {};
    // The watch read must finish before the next request is read; OnWatch resumes.
    if (watching_) return CancelWatch(AfterWatch::kReadHeader);
    ReadHeader();
  }

  // Sends close_notify and waits (briefly) for the client's, so the client can tell the end of
  // the connection from a truncation. Whatever the outcome, the socket is closed afterwards.
  void ShutdownTls() {
    if constexpr (kTls) {
      Tcp().expires_after(kTlsShutdownTimeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->Tcp().close(); });
    }
  }

  // After an error response: discard what the client still sends for a while, then close. With
  // TLS the discarded bytes are read (and decrypted) through the TLS stream; no close_notify is
  // sent, as Asio's TLS shutdown cannot run beside the reads.
  void Linger() {
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Tcp().expires_after(kLingerTimeout);
    stream_.async_read_some(
        asio::buffer(linger_buf_),
        beast::bind_front_handler(&Session::OnLinger, this->shared_from_this()));
  }

  void OnLinger(beast::error_code ec, size_t n) {
    lingered_ += n;
    if (ec || lingered_ > kLingerMaxBytes) return Tcp().close();
    stream_.async_read_some(
        asio::buffer(linger_buf_),
        beast::bind_front_handler(&Session::OnLinger, this->shared_from_this()));
  }

  const std::shared_ptr<Core> core_;  // first: the io_context outlives stream_
  const Strand strand_;
  Stream stream_;
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
  bool watching_ = false;                           // a WatchForClose read is pending
  AfterWatch after_watch_ = AfterWatch::kNothing;   // what OnWatch does next
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
        if (core->tls) {
          std::make_shared<Session<TlsStream>>(core->shared_from_this(), std::move(strand),
                                               std::move(socket), *core->tls)
              ->Start();
        } else {
          std::make_shared<Session<PlainStream>>(core->shared_from_this(), std::move(strand),
                                                 std::move(socket))
              ->Start();
        }
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

bool TlsOptions::enabled() const {
  return !cert_file.empty() || !key_file.empty() || !client_ca_file.empty();
}

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
  std::unique_ptr<asio::ssl::context> tls;
  if (options.tls.enabled()) {
    ASSIGN_OR_RETURN(tls, MakeTlsContext(options.tls, options.name));
  }
  auto core = std::make_shared<Core>(options, std::move(handler));
  core->tls = std::move(tls);
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
  log::Info(
      "http server listening", "server=", options.name, " address=", FormatEndpoint(bound),
      " threads=", std::max(1, options.threads), " tls=", core->tls ? "on" : "off",
      core->tls && !options.tls.client_ca_file.empty() ? " client_certificates=required" : "");
  return std::unique_ptr<Server>(new ServerImpl(std::move(core), bound.port()));
}

}  // namespace th::http

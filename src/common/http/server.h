// HTTP/1.1 server for the OTLP/HTTP receiver and the query API, on Boost.Beast/Asio (kept out of
// this header: Beast is heavy and only server.cc includes it).
//
// Execution model: `threads` network threads run the connections. A Handler is called on a
// network thread with the whole request (body read, up to `max_body_bytes`; larger bodies are
// answered 413 by the server without calling the handler). The handler must not block: it either
// answers at once or keeps the Responder and calls it later from any thread (for example once a
// write-ahead log commit completes). The Responder must be called exactly once; a Responder
// dropped without being called answers 500. Keep-alive is honoured.
//
// With ServerOptions::tls every connection is HTTPS (TLS 1.2 or 1.3, optionally requiring client
// certificates); the handler sees the same requests. Plaintext and TLS never share a port.
//
// Thread-safety: Start/Stop from one thread; handlers run concurrently on network threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <atomic>
#include <memory>
#include <vector>

#include "common/status.h"

namespace th::http {

struct Request {
  std::string method;                                        // "GET", "POST", …
  std::string target;                                        // as sent: path and query string
  std::string path;                                          // target before '?', percent-decoded
  std::string query;                                         // target after '?', raw
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;
  // Becomes true when the client closes the connection before the response is written (the
  // server watches the socket while the handler works), so long work can stop early. Never
  // null for requests the server dispatches.
  std::shared_ptr<const std::atomic<bool>> client_gone;

  // Value of the first header named `name` (lower case), or empty.
  std::string_view Header(std::string_view name) const;
  // Value of query parameter `name`, percent-decoded ('+' as space); nullopt-like empty string
  // and false when absent.
  bool QueryParam(std::string_view name, std::string* value) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static Response Text(int status, std::string body);  // text/plain; charset=utf-8
  static Response Json(int status, std::string body);  // application/json
};

using Responder = std::function<void(Response&&)>;
using Handler = std::function<void(Request&&, Responder)>;

// HTTPS, configured as the OpenTelemetry Collector's server `tls` settings. Files are PEM.
struct TlsOptions {
  std::string cert_file;  // the server's certificate, then any intermediates
  std::string key_file;   // its private key, unencrypted
  // When set, every client must present a certificate issued by one of the CAs in this file
  // (mutual TLS); connections without one are refused during the handshake.
  std::string client_ca_file;
  std::string min_version = "1.2";  // "1.2" or "1.3"; empty means "1.2"

  // True when any file is set. Server::Start then requires cert_file and key_file, so a
  // half-configured TLS section fails instead of silently serving plaintext.
  bool enabled() const;
};

struct ServerOptions {
  std::string address = "0.0.0.0:3200";  // host:port; port 0 picks a free port
  int threads = 1;
  size_t max_body_bytes = 20u << 20;  // larger bodies: 413
  std::string name = "http";          // for logs and metrics
  TlsOptions tls;                     // plaintext unless tls.enabled()
};

class Server {
 public:
  virtual ~Server() = default;

  // Binds and starts serving. Errors: bad address, bind failure (message names the address);
  // with TLS, InvalidArgument when a file cannot be read or parsed (message names the file and
  // the reason), the key does not match the certificate, or min_version is unsupported.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options, Handler handler);

  // The bound port (useful with port 0).
  virtual int port() const = 0;

  // Stops accepting, lets in-flight requests finish for up to `grace_ms`, closes connections
  // and joins the threads. Idempotent. Responders called after Stop are ignored.
  // Requires: not called from a handler or other network-thread code (it joins those threads).
  virtual void Stop(int grace_ms = 5000) = 0;
};

}  // namespace th::http

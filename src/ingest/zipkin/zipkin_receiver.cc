#include "ingest/zipkin/zipkin_receiver.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "common/gzip.h"
#include "common/http/headers.h"
#include "common/http/server.h"
#include "common/log.h"
#include "common/status_codes.h"
#include "common/strings.h"
#include "ingest/zipkin/zipkin_decode.h"
#include "pipeline/receiver_counters.h"

namespace th::ingest::zipkin {
namespace {

constexpr std::string_view kSpansPath = "/api/v2/spans";
constexpr int kHttpThreads = 2;

// What a request may see of the receiver's configuration and metrics; shared with responders
// that may run after the receiver is gone (a consumer answering late).
struct Shared {
  ZipkinReceiverConfig config;
  DecodeOptions decode;
  pipeline::ReceiverCounters counters;
};

class Handler {
 public:
  explicit Handler(std::shared_ptr<const Shared> shared, pipeline::TracesConsumer* next)
      : shared_(std::move(shared)), next_(next) {}

  void operator()(http::Request&& req, http::Responder respond) const {
    // Every answer carries the configured headers and, for an allowed browser origin, CORS.
    const std::string origin(req.Header("origin"));
    const bool cors_ok =
        !origin.empty() && http::OriginAllowed(origin, shared_->config.cors.allowed_origins);
    auto send = [shared = shared_, origin, cors_ok, respond = std::move(respond)](
                    http::Response&& r) {
      for (const auto& [k, v] : shared->config.response_headers) r.headers.emplace_back(k, v);
      if (cors_ok) {
        r.headers.emplace_back("Access-Control-Allow-Origin", origin);
        r.headers.emplace_back("Access-Control-Allow-Credentials", "true");
        r.headers.emplace_back("Vary", "Origin");
      }
      respond(std::move(r));
    };

    std::string_view path = req.path;
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    if (path != kSpansPath) {
      std::string msg = th::StrCat("404 page not found: ", req.path);
      if (path == "/api/v1/spans") {
        msg = "zipkin v1 is not supported: send zipkin v2 spans to /api/v2/spans";
      }
      send(http::Response::Text(404, std::move(msg)));
      return;
    }
    if (req.method == "OPTIONS" && !shared_->config.cors.allowed_origins.empty()) {
      send(Preflight(req, cors_ok));
      return;
    }
    if (req.method != "POST") {
      http::Response r = http::Response::Text(
          405, th::StrCat("method ", req.method, " not allowed, supported: [POST]"));
      r.headers.emplace_back("Allow", "POST");
      send(std::move(r));
      return;
    }

    const std::string media = http::MediaType(req.Header("content-type"));
    bool proto;
    if (media == "application/x-protobuf" || media == "application/protobuf") {
      proto = true;
    } else if (media == "application/json" || media.empty()) {
      // The Collector reads anything that is not protobuf as JSON; we keep that for a missing
      // header only.
      proto = false;
    } else {
      send(http::Response::Text(
          415, th::StrCat("unsupported content type \"", req.Header("content-type"),
                          "\", supported: [application/json, application/x-protobuf]")));
      return;
    }

    const size_t max_body = shared_->config.max_request_body_size;
    Result<std::string> body =
        DecodeContentEncoding(req.Header("content-encoding"), std::move(req.body), max_body);
    if (!body.ok()) {
      // An unknown encoding is 415 (the body's media cannot be read), a bad body 400.
      const int status = absl::IsResourceExhausted(body.status())  ? 413
                         : absl::IsUnimplemented(body.status()) ? 415
                                                                 : 400;
      send(http::Response::Text(status, std::string(Message(body.status()))));
      return;
    }

    std::string_view tenant = req.Header("x-scope-orgid");
    if (tenant.empty()) tenant = model::kDefaultTenant;
    Result<std::unique_ptr<model::SpanBatch>> batch =
        proto ? DecodeZipkinProto(std::move(*body), tenant, shared_->decode)
              : DecodeZipkinJson(*body, tenant, shared_->decode);
    if (!batch.ok()) {
      log::Debug("refused zipkin request", "error=\"", Message(batch.status()), "\"");
      send(http::Response::Text(400, std::string(Message(batch.status()))));
      return;
    }
    if ((*batch)->span_count() == 0) {
      send(http::Response{202, {}, {}});
      return;
    }
    pipeline::ConsumeCounted(
        next_, shared_->counters, std::move(batch).value(),
        [send = std::move(send)](const Status& s) mutable {
          if (s.ok()) {
            send(http::Response{202, {}, {}});
            return;
          }
          http::Response r = http::Response::Text(HttpStatusFor(s), std::string(Message(s)));
          if (IsRetryable(s)) r.headers.emplace_back("Retry-After", "1");
          send(std::move(r));
        });
  }

 private:
  // A CORS preflight. A disallowed origin or header gets 204 without CORS headers, so the
  // browser refuses the real request (rs/cors, which the Collector uses, does the same).
  http::Response Preflight(const http::Request& req, bool origin_ok) const {
    http::Response r{204, {}, {}};
    if (!origin_ok) return r;
    const CorsConfig& cors = shared_->config.cors;
    std::string_view requested = req.Header("access-control-request-headers");
    bool any = std::find(cors.allowed_headers.begin(), cors.allowed_headers.end(), "*") !=
               cors.allowed_headers.end();
    while (!requested.empty() && !any) {
      size_t comma = requested.find(',');
      std::string name = AsciiLower(TrimBlanks(requested.substr(0, comma)));
      requested = comma == std::string_view::npos ? "" : requested.substr(comma + 1);
      if (name.empty()) continue;
      static constexpr std::string_view kSafe[] = {"accept", "accept-language",
                                                   "content-language", "content-type",
                                                   "x-requested-with"};
      bool ok = std::find(std::begin(kSafe), std::end(kSafe), name) != std::end(kSafe);
      for (const std::string& h : cors.allowed_headers) ok = ok || AsciiLower(h) == name;
      if (!ok) return http::Response{204, {}, {}};
    }
    r.headers.emplace_back("Access-Control-Allow-Methods", "POST");
    if (std::string_view h = req.Header("access-control-request-headers"); !h.empty()) {
      r.headers.emplace_back("Access-Control-Allow-Headers", std::string(h));
    }
    if (cors.max_age > 0) {
      r.headers.emplace_back("Access-Control-Max-Age", th::StrCat(cors.max_age));
    }
    return r;
  }

  std::shared_ptr<const Shared> shared_;
  pipeline::TracesConsumer* next_;
};

class ZipkinReceiverImpl : public ZipkinReceiver {
 public:
  ZipkinReceiverImpl(const ZipkinReceiverConfig& config, std::string id,
                     metrics::Registry* metrics, pipeline::TracesConsumer* next)
      : id_(std::move(id)), next_(next) {
    auto shared = std::make_shared<Shared>();
    shared->config = config;
    shared->decode.parse_string_tags = config.parse_string_tags;
    const metrics::Labels labels = {{"receiver", id_}, {"transport", "http"}};
    shared->counters = pipeline::ReceiverCounters::Make(metrics, labels);
    shared_ = std::move(shared);
  }

  ~ZipkinReceiverImpl() override { Shutdown(std::chrono::steady_clock::now()); }

  Status Start() override {
    if (server_ != nullptr) {
      return absl::FailedPreconditionError(th::StrCat("receiver ", id_, ": already started"));
    }
    http::ServerOptions options;
    options.address = shared_->config.endpoint;
    options.threads = kHttpThreads;
    options.max_body_bytes = shared_->config.max_request_body_size;
    options.name = id_;
    options.tls = shared_->config.tls;
    Result<std::unique_ptr<http::Server>> server =
        http::Server::Start(options, Handler(shared_, next_));
    if (!server.ok()) {
      return absl::Status(server.status().code(),
                          th::StrCat("receiver ", id_, ": ", Message(server.status())));
    }
    server_ = std::move(server).value();
    port_.store(server_->port());
    return absl::OkStatus();
  }

  void Shutdown(std::chrono::steady_clock::time_point deadline) override {
    if (server_ == nullptr) return;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    server_->Stop(static_cast<int>(std::max<int64_t>(0, left.count())));
    server_.reset();
    port_.store(0);
  }

  int port() const override { return port_.load(); }

 private:
  std::string id_;
  pipeline::TracesConsumer* next_;
  std::shared_ptr<const Shared> shared_;
  std::unique_ptr<http::Server> server_;
  std::atomic<int> port_{0};
};

}  // namespace

std::unique_ptr<ZipkinReceiver> NewZipkinReceiver(const ZipkinReceiverConfig& config,
                                                  std::string id, metrics::Registry* metrics,
                                                  pipeline::TracesConsumer* next) {
  return std::make_unique<ZipkinReceiverImpl>(config, std::move(id), metrics, next);
}

}  // namespace th::ingest::zipkin

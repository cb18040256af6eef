#include "ingest/otlp/otlp_receiver.h"

#include "common/http/server.h"
#include "common/log.h"
#include "common/strings.h"
#include "ingest/otlp/internal/grpc_receiver.h"
#include "ingest/otlp/internal/http_receiver.h"

namespace th::ingest::otlp {
namespace {

class OtlpReceiverImpl final : public OtlpReceiver {
 public:
  int grpc_port() const override { return grpc_ ? grpc_->port() : 0; }
  int http_port() const override { return http_ ? http_->port() : 0; }

  void Shutdown(int grace_ms) override {
    if (http_) http_->Stop(grace_ms);
    if (grpc_) grpc_->Shutdown(grace_ms);
  }

  ~OtlpReceiverImpl() override { Shutdown(0); }

  std::unique_ptr<GrpcTraceServer> grpc_;
  std::unique_ptr<http::Server> http_;
};

}  // namespace

Result<std::unique_ptr<OtlpReceiver>> OtlpReceiver::Start(const OtlpReceiverOptions& options,
                                                          pipeline::TracesConsumer* consumer,
                                                          pipeline::LogsConsumer* logs) {
  auto receiver = std::make_unique<OtlpReceiverImpl>();
  if (!options.grpc_endpoint.empty()) {
    ASSIGN_OR_RETURN(
        receiver->grpc_,
        GrpcTraceServer::Start(options.grpc_endpoint, options.max_recv_msg_size_mib,
                               options.grpc_tls, consumer, logs));
    log::Info("listening", "component=otlp_grpc endpoint=", options.grpc_endpoint,
              " port=", receiver->grpc_->port());
  }
  if (!options.http_endpoint.empty()) {
    http::ServerOptions http_options;
    http_options.address = options.http_endpoint;
    http_options.threads = options.http_threads;
    // The compressed body can be no larger than the decompressed limit in practice.
    http_options.max_body_bytes = options.max_request_body_bytes;
    http_options.name = "otlp_http";
    http_options.tls = options.http_tls;
    http::Handler handler =
        MakeOtlpHttpHandler(consumer, logs, options.max_request_body_bytes,
                            options.traces_url_path, options.logs_url_path);
    if (!options.cors_allowed_origins.empty()) {
      handler = WithCors(std::move(handler), options.cors_allowed_origins,
                         options.cors_allowed_headers, options.cors_max_age_seconds);
    }
    ASSIGN_OR_RETURN(receiver->http_, http::Server::Start(http_options, std::move(handler)));
    log::Info("listening", "component=otlp_http endpoint=", options.http_endpoint,
              " port=", receiver->http_->port());
  }
  return std::unique_ptr<OtlpReceiver>(std::move(receiver));
}

}  // namespace th::ingest::otlp

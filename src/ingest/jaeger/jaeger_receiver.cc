#include "ingest/jaeger/jaeger_receiver.h"

#include <algorithm>

#include "common/config/node.h"
#include "common/http/server.h"
#include "common/log.h"
#include "common/strings.h"
#include "ingest/jaeger/internal/grpc_collector.h"
#include "ingest/jaeger/internal/http_handler.h"
#include "ingest/jaeger/internal/receiver_config.h"
#include "ingest/jaeger/internal/submit.h"
#include "ingest/jaeger/internal/udp_server.h"

namespace th::ingest::jaeger {
namespace {

class JaegerReceiverImpl final : public JaegerReceiver {
 public:
  JaegerReceiverImpl(const pipeline::CreateSettings& settings, ReceiverConfig config,
                     pipeline::TracesConsumer* next)
      : id_(settings.id.ToString()),
        registry_(settings.host != nullptr ? settings.host->metrics
                                           : &metrics::Registry::Default()),
        config_(std::move(config)),
        next_(next) {}

  ~JaegerReceiverImpl() override { Shutdown(std::chrono::steady_clock::now()); }

  Status Start() override {
    Status s = StartAll();
    if (!s.ok()) Shutdown(std::chrono::steady_clock::now());
    return s;
  }

  void Shutdown(std::chrono::steady_clock::time_point deadline) override {
    if (http_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      http_->Stop(static_cast<int>(std::max<int64_t>(0, left.count())));
      http_.reset();
    }
    if (grpc_) {
      grpc_->Shutdown(deadline);
      grpc_.reset();
    }
    for (auto* udp : {&compact_, &binary_}) {
      if (*udp) {
        (*udp)->Stop(deadline);
        udp->reset();
      }
    }
    if (!in_flight_->WaitIdle(deadline)) {
      log::Warn("jaeger receiver: shutdown deadline passed with requests in flight",
                "receiver=", id_);
    }
  }

  int port(Transport t) const override {
    switch (t) {
      case Transport::kGrpc: return grpc_ ? grpc_->port() : 0;
      case Transport::kThriftHttp: return http_ ? http_->port() : 0;
      case Transport::kUdpThriftCompact: return compact_ ? compact_->port() : 0;
      case Transport::kUdpThriftBinary: return binary_ ? binary_->port() : 0;
    }
    return 0;
  }

 private:
  Status StartAll() {
    if (config_.grpc) {
      ASSIGN_OR_RETURN(grpc_, GrpcCollectorServer::Start(
                                  *config_.grpc, next_,
                                  TransportCounters(registry_, id_, "grpc"), in_flight_));
      log::Info("listening", "receiver=", id_, " transport=grpc endpoint=",
                config_.grpc->endpoint, " port=", grpc_->port());
    }
    if (config_.thrift_http) {
      http::ServerOptions o;
      o.address = config_.thrift_http->endpoint;
      o.threads = 2;
      o.max_body_bytes = config_.thrift_http->max_request_body_size;
      o.name = "jaeger_thrift_http";
      o.tls = config_.thrift_http->tls;
      ASSIGN_OR_RETURN(http_, http::Server::Start(
                                  o, MakeThriftHttpHandler(
                                         next_, TransportCounters(registry_, id_, "thrift_http"),
                                         in_flight_, config_.thrift_http->max_request_body_size)));
      log::Info("listening", "receiver=", id_,
                " transport=thrift_http endpoint=", config_.thrift_http->endpoint,
                " port=", http_->port());
    }
    if (config_.thrift_compact) {
      ASSIGN_OR_RETURN(compact_, StartUdp(*config_.thrift_compact, ThriftProtocol::kCompact,
                                          "udp_thrift_compact"));
    }
    if (config_.thrift_binary) {
      ASSIGN_OR_RETURN(binary_, StartUdp(*config_.thrift_binary, ThriftProtocol::kBinary,
                                         "udp_thrift_binary"));
    }
    return absl::OkStatus();
  }

  Result<std::unique_ptr<UdpServer>> StartUdp(const UdpSettings& s, ThriftProtocol protocol,
                                              const char* transport) {
    UdpServerOptions o;
    o.endpoint = s.endpoint;
    o.queue_size = s.queue_size;
    o.max_packet_size = s.max_packet_size;
    o.workers = s.workers;
    o.socket_buffer_size = s.socket_buffer_size;
    auto dropped = [&](const char* reason) {
      return registry_->GetCounter(
          "otelcol_receiver_dropped_packets",
          "UDP datagrams a receiver dropped before decoding them.",
          {{"receiver", id_}, {"transport", transport}, {"reason", reason}});
    };
    o.dropped_queue_full = dropped("queue_full");
    o.dropped_too_large = dropped("too_large");
    metrics::Counter* invalid = dropped("invalid");
    pipeline::ReceiverCounters m = TransportCounters(registry_, id_, transport);
    pipeline::TracesConsumer* next = next_;
    std::shared_ptr<InFlight> in_flight = in_flight_;
    std::string id = id_;
    ASSIGN_OR_RETURN(
        std::unique_ptr<UdpServer> server,
        UdpServer::Start(o, [=](std::string&& packet) {
          Result<DecodedSpans> decoded =
              DecodeAgentEmitBatch(std::move(packet), protocol, model::kDefaultTenant);
          if (!decoded.ok()) {
            invalid->Add();
            log::Debug("jaeger receiver dropped a datagram", "receiver=", id,
                       " transport=", transport, " error=\"", decoded.status().message(), "\"");
            return;
          }
          Submit(std::move(decoded), m, next, in_flight, [](const Status&) {});
        }));
    log::Info("listening", "receiver=", id_, " transport=", transport, " endpoint=", s.endpoint,
              " port=", server->port());
    return server;
  }

  const std::string id_;
  metrics::Registry* registry_;
  const ReceiverConfig config_;
  pipeline::TracesConsumer* next_;
  std::shared_ptr<InFlight> in_flight_ = std::make_shared<InFlight>();
  std::unique_ptr<GrpcCollectorServer> grpc_;
  std::unique_ptr<http::Server> http_;
  std::unique_ptr<UdpServer> compact_;
  std::unique_ptr<UdpServer> binary_;
};

}  // namespace

pipeline::ReceiverFactory MakeJaegerReceiverFactory() {
  return [](const pipeline::CreateSettings& settings, const config::Node& config,
            pipeline::TracesConsumer* next) -> Result<std::unique_ptr<pipeline::Receiver>> {
    ASSIGN_OR_RETURN(ReceiverConfig parsed, ParseReceiverConfig(config));
    return std::unique_ptr<pipeline::Receiver>(
        std::make_unique<JaegerReceiverImpl>(settings, std::move(parsed), next));
  };
}

}  // namespace th::ingest::jaeger

// The request arrives as raw bytes (a raw callback method over grpc::ByteBuffer), so the
// hand-written api_v2 decoder is the only parse. The reactor is finished from the consumer's
// callback.
#include "ingest/jaeger/internal/grpc_collector.h"

#include "common/grpc/server_call.h"
#include "common/grpc/server_credentials.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include "common/status_codes.h"
#include "common/strings.h"
#include "jaeger/api_v2/collector.grpc.pb.h"

namespace th::ingest::jaeger {
namespace {

using CollectorService = ::jaeger::api_v2::CollectorService;

using grpc_util::Flatten;
using grpc_util::TenantOf;

class PostSpansService final
    : public CollectorService::WithRawCallbackMethod_PostSpans<CollectorService::Service> {
 public:
  PostSpansService(pipeline::TracesConsumer* consumer, pipeline::ReceiverCounters metrics,
                   std::shared_ptr<InFlight> in_flight)
      : consumer_(consumer), metrics_(metrics), in_flight_(std::move(in_flight)) {}

  grpc::ServerUnaryReactor* PostSpans(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    Submit(DecodeApiV2PostSpans(Flatten(*request), TenantOf(context)), metrics_, consumer_,
           in_flight_, [reactor, response](const Status& s) {
             if (!s.ok()) {
               // Bad input is INVALID_ARGUMENT; every "retry later" answer is UNAVAILABLE.
               auto code = s.code() == absl::StatusCode::kInvalidArgument
                               ? grpc::StatusCode::INVALID_ARGUMENT
                               : static_cast<grpc::StatusCode>(GrpcCodeFor(s));
               reactor->Finish(grpc::Status(code, std::string(Message(s))));
               return;
             }
             grpc::Slice empty;  // PostSpansResponse{} encodes to no bytes
             *response = grpc::ByteBuffer(&empty, 1);
             reactor->Finish(grpc::Status::OK);
           });
    return reactor;
  }

 private:
  pipeline::TracesConsumer* consumer_;
  pipeline::ReceiverCounters metrics_;
  std::shared_ptr<InFlight> in_flight_;
};

class GrpcCollectorServerImpl final : public GrpcCollectorServer {
 public:
  GrpcCollectorServerImpl(pipeline::TracesConsumer* consumer,
                          const pipeline::ReceiverCounters& metrics,
                          std::shared_ptr<InFlight> in_flight)
      : service_(consumer, metrics, std::move(in_flight)) {}

  Status Start(const GrpcSettings& settings) {
    ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                     grpc_util::ServerCredentialsFor(settings.tls));
    grpc::ServerBuilder builder;
    builder.AddListeningPort(settings.endpoint, credentials, &port_);
    builder.RegisterService(&service_);
    builder.SetMaxReceiveMessageSize(settings.max_recv_msg_size_mib * 1024 * 1024);
    if (settings.max_concurrent_streams > 0) {
      builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                                 settings.max_concurrent_streams);
    }
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || port_ == 0) {
      return absl::UnavailableError(
          th::StrCat("jaeger grpc receiver: cannot listen on ", settings.endpoint));
    }
    return absl::OkStatus();
  }

  int port() const override { return port_; }

  void Shutdown(std::chrono::steady_clock::time_point deadline) override {
    if (server_ == nullptr) return;
    auto left = deadline - std::chrono::steady_clock::now();
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::duration_cast<std::chrono::system_clock::duration>(left));
    server_->Wait();
    server_.reset();
  }

  ~GrpcCollectorServerImpl() override { Shutdown(std::chrono::steady_clock::now()); }

 private:
  PostSpansService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace

Result<std::unique_ptr<GrpcCollectorServer>> GrpcCollectorServer::Start(
    const GrpcSettings& settings, pipeline::TracesConsumer* consumer,
    const pipeline::ReceiverCounters& metrics, std::shared_ptr<InFlight> in_flight) {
  auto server =
      std::make_unique<GrpcCollectorServerImpl>(consumer, metrics, std::move(in_flight));
  RETURN_IF_ERROR(server->Start(settings));
  return std::unique_ptr<GrpcCollectorServer>(std::move(server));
}

}  // namespace th::ingest::jaeger

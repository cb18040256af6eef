// The gRPC side takes the request as raw bytes (a raw callback method over grpc::ByteBuffer), so
// the hand-written decoder is the only parse: nothing is decoded twice. The reactor is finished
// from the consumer's callback — on the WAL's writer thread once the spans are durable.
#include "ingest/otlp/internal/grpc_receiver.h"

#include <chrono>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include "common/grpc/server_call.h"
#include "common/grpc/server_credentials.h"
#include "common/log.h"
#include "common/status_codes.h"
#include "common/strings.h"
#include "ingest/otlp/internal/export_handler.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace th::ingest::otlp {
namespace {

using TraceService = opentelemetry::proto::collector::trace::v1::TraceService;
using LogsService = opentelemetry::proto::collector::logs::v1::LogsService;

using grpc_util::Flatten;
using grpc_util::TenantOf;

// Finishes a unary call with the export's outcome.
void FinishExport(grpc::ServerUnaryReactor* reactor, grpc::ByteBuffer* response,
                  ExportOutcome&& outcome) {
  if (!outcome.status.ok()) {
    reactor->Finish(grpc::Status(static_cast<grpc::StatusCode>(GrpcCodeFor(outcome.status)),
                                 std::string(outcome.status.message())));
    return;
  }
  std::string body = EncodeExportResponse(Encoding::kProto, outcome);
  grpc::Slice slice(body);
  *response = grpc::ByteBuffer(&slice, 1);
  reactor->Finish(grpc::Status::OK);
}

class ExportService final
    : public TraceService::WithRawCallbackMethod_Export<TraceService::Service> {
 public:
  explicit ExportService(pipeline::TracesConsumer* consumer) : consumer_(consumer) {}

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    HandleTraceExport(Flatten(*request), Encoding::kProto, TenantOf(context), "grpc", consumer_,
                      [reactor, response](ExportOutcome&& outcome) {
                        FinishExport(reactor, response, std::move(outcome));
                      });
    return reactor;
  }

 private:
  pipeline::TracesConsumer* consumer_;
};

class LogsExportService final
    : public LogsService::WithRawCallbackMethod_Export<LogsService::Service> {
 public:
  explicit LogsExportService(pipeline::LogsConsumer* consumer) : consumer_(consumer) {}

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    HandleLogsExport(Flatten(*request), Encoding::kProto, TenantOf(context), "grpc", consumer_,
                     [reactor, response](ExportOutcome&& outcome) {
                       FinishExport(reactor, response, std::move(outcome));
                     });
    return reactor;
  }

 private:
  pipeline::LogsConsumer* consumer_;
};

class GrpcTraceServerImpl final : public GrpcTraceServer {
 public:
  GrpcTraceServerImpl(pipeline::TracesConsumer* traces, pipeline::LogsConsumer* logs)
      : service_(traces), logs_service_(logs), traces_(traces != nullptr), logs_(logs != nullptr) {}

  Status Start(const std::string& endpoint, int max_recv_msg_size_mib,
               const http::TlsOptions& tls) {
    ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                     grpc_util::ServerCredentialsFor(tls));
    grpc::ServerBuilder builder;
    builder.AddListeningPort(endpoint, credentials, &port_);
    if (traces_) builder.RegisterService(&service_);
    if (logs_) builder.RegisterService(&logs_service_);
    builder.SetMaxReceiveMessageSize(max_recv_msg_size_mib * 1024 * 1024);
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || port_ == 0) {
      return absl::UnavailableError(th::StrCat("otlp grpc receiver: cannot listen on ", endpoint));
    }
    return absl::OkStatus();
  }

  int port() const override { return port_; }

  void Shutdown(int grace_ms) override {
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(grace_ms));
    server_->Wait();
    server_.reset();
  }

  ~GrpcTraceServerImpl() override { Shutdown(0); }

 private:
  ExportService service_;
  LogsExportService logs_service_;
  bool traces_, logs_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace

Result<std::unique_ptr<GrpcTraceServer>> GrpcTraceServer::Start(
    const std::string& endpoint, int max_recv_msg_size_mib, const http::TlsOptions& tls,
    pipeline::TracesConsumer* traces, pipeline::LogsConsumer* logs) {
  auto server = std::make_unique<GrpcTraceServerImpl>(traces, logs);
  RETURN_IF_ERROR(server->Start(endpoint, max_recv_msg_size_mib, tls));
  return std::unique_ptr<GrpcTraceServer>(std::move(server));
}

}  // namespace th::ingest::otlp

#include "export/otlp/otlp_exporter.h"

#include <fstream>
#include <sstream>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/synchronization/notification.h"
#include "common/log.h"
#include "common/strings.h"
#include "export/helper/grpc_outcome.h"
#include "export/helper/queued_exporter.h"
#include "export/helper/sender.h"
#include "export/otlp/config.h"
#include "model/otlp_encode.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace th::exporter::otlp {
namespace {

// What differs between the signals: the method, the request bytes and the response's partial
// success.
struct TracesRpc {
  using Batch = model::SpanBatch;
  static constexpr char kMethod[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
  static constexpr std::string_view kItems = "spans";

  static std::string_view Body(const Batch& batch, std::string* scratch) {
    if (!batch.otlp_encoding.empty()) return batch.otlp_encoding;
    model::EncodeOtlpTraces(batch, scratch);
    return *scratch;
  }
  static uint64_t Items(const Batch& batch) { return batch.span_count(); }
  // False when the response has no partial success to report.
  static bool PartialSuccess(const std::string& response, int64_t* rejected,
                             std::string* message) {
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse parsed;
    if (!parsed.ParseFromString(response) || !parsed.has_partial_success()) return false;
    *rejected = parsed.partial_success().rejected_spans();
    *message = parsed.partial_success().error_message();
    return true;
  }
};

struct LogsRpc {
  using Batch = model::LogsBatch;
  static constexpr char kMethod[] = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
  static constexpr std::string_view kItems = "log_records";

  static std::string_view Body(const Batch& batch, std::string*) { return batch.otlp; }
  static uint64_t Items(const Batch& batch) { return batch.record_count; }
  static bool PartialSuccess(const std::string& response, int64_t* rejected,
                             std::string* message) {
    opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse parsed;
    if (!parsed.ParseFromString(response) || !parsed.has_partial_success()) return false;
    *rejected = parsed.partial_success().rejected_log_records();
    *message = parsed.partial_success().error_message();
    return true;
  }
};

Result<std::string> ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(th::StrCat("cannot read tls.", what, " \"", path, "\""));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Ms(std::chrono::nanoseconds d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return static_cast<int>(std::clamp<int64_t>(ms, 1, INT32_MAX));
}

template <typename Rpc>
class OtlpGrpcSender final : public helper::BasicSender<typename Rpc::Batch> {
 public:
  using Batch = typename Rpc::Batch;

  OtlpGrpcSender(std::string id, OtlpGrpcConfig config)
      : id_(std::move(id)), config_(std::move(config)) {}

  Status Start() override {
    ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> creds, Credentials());
    grpc::ChannelArguments args;
    if (!config_.balancer_name.empty()) args.SetLoadBalancingPolicyName(config_.balancer_name);
    if (config_.keepalive.time.count() > 0) {
      args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, Ms(config_.keepalive.time));
    }
    if (config_.keepalive.timeout.count() > 0) {
      args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Ms(config_.keepalive.timeout));
    }
    if (config_.keepalive.permit_without_stream) {
      args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    }
    if (!config_.authority.empty()) args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, config_.authority);
    if (!config_.tls.server_name_override.empty()) {
      args.SetSslTargetNameOverride(config_.tls.server_name_override);
    }
    // Reconnect on the same schedule as our retries: gRPC's own default (1 s growing to 120 s)
    // would keep failing fast for up to two minutes after the endpoint came back.
    const helper::RetrySettings& retry = config_.helper.retry;
    if (retry.enabled) {
      args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, Ms(retry.initial_interval));
      args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, Ms(retry.initial_interval));
      args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, Ms(retry.max_interval));
    }
    // Our own size limit is the server's business; do not refuse large batches client-side.
    args.SetMaxSendMessageSize(-1);
    args.SetMaxReceiveMessageSize(64 << 20);
    channel_ = grpc::CreateCustomChannel(config_.endpoint, creds, args);
    stub_ = std::make_unique<grpc::GenericStub>(channel_);
    log::Info("otlp exporter ready", "exporter=", id_, " endpoint=", config_.endpoint,
              " tls=", !config_.tls.insecure, " compression=", config_.gzip ? "gzip" : "none");
    return absl::OkStatus();
  }

  Status Send(const Batch& batch, helper::SendContext& context) override {
    std::string encoded;
    std::string_view body = Rpc::Body(batch, &encoded);
    grpc::ClientContext ctx;
    auto remaining = context.deadline - std::chrono::steady_clock::now();
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::duration_cast<std::chrono::system_clock::duration>(remaining));
    if (config_.gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    if (config_.wait_for_ready) ctx.set_wait_for_ready(true);
    for (const auto& [k, v] : config_.headers) {
      if (k == "x-scope-orgid" && batch.tenant != model::kDefaultTenant) continue;
      ctx.AddMetadata(k, v);
    }
    if (!batch.tenant.empty() && batch.tenant != model::kDefaultTenant) {
      ctx.AddMetadata("x-scope-orgid", batch.tenant);
    }

    grpc::Slice slice(body.data(), body.size());
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::Status status;
    absl::Notification finished;
    stub_->UnaryCall(&ctx, Rpc::kMethod, grpc::StubOptions(), &request, &response,
                     [&status, &finished](grpc::Status s) {
                       status = std::move(s);
                       finished.Notify();
                     });
    finished.WaitForNotification();
    if (!status.ok()) {
      return helper::OutcomeOfGrpcStatus(static_cast<int>(status.error_code()),
                                         status.error_message(), status.error_details(),
                                         config_.endpoint);
    }
    ReadPartialSuccess(response, Rpc::Items(batch), &context);
    return absl::OkStatus();
  }

 private:
  Result<std::shared_ptr<grpc::ChannelCredentials>> Credentials() const {
    const TlsSettings& tls = config_.tls;
    if (tls.insecure) return grpc::InsecureChannelCredentials();
    std::string ca, cert, key;
    if (!tls.ca_file.empty()) {
      ASSIGN_OR_RETURN(ca, ReadFile(tls.ca_file, "ca_file"));
    }
    if (!tls.cert_file.empty()) {
      ASSIGN_OR_RETURN(cert, ReadFile(tls.cert_file, "cert_file"));
    }
    if (!tls.key_file.empty()) {
      ASSIGN_OR_RETURN(key, ReadFile(tls.key_file, "key_file"));
    }
    if (!tls.insecure_skip_verify) {
      grpc::SslCredentialsOptions options;
      options.pem_root_certs = ca;
      options.pem_private_key = key;
      options.pem_cert_chain = cert;
      return grpc::SslCredentials(options);
    }
    log::Warn("otlp exporter: tls.insecure_skip_verify is set; the server's certificate is not "
              "checked",
              "exporter=", id_);
    grpc::experimental::TlsChannelCredentialsOptions options;
    std::vector<grpc::experimental::IdentityKeyCertPair> identity;
    if (!cert.empty()) identity.push_back({key, cert});
    if (!ca.empty() || !identity.empty()) {
      options.set_certificate_provider(
          std::make_shared<grpc::experimental::StaticDataCertificateProvider>(ca, identity));
      if (!ca.empty()) options.watch_root_certs();
      if (!identity.empty()) options.watch_identity_key_cert_pairs();
    }
    options.set_verify_server_certs(false);
    options.set_check_call_host(false);
    options.set_certificate_verifier(
        std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::experimental::TlsCredentials(options);
    if (creds == nullptr) return absl::InvalidArgumentError("cannot set up tls credentials");
    return creds;
  }

  void ReadPartialSuccess(const grpc::ByteBuffer& response, uint64_t items,
                          helper::SendContext* context) const {
    std::vector<grpc::Slice> slices;
    if (!response.Dump(&slices).ok()) return;
    std::string bytes;
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    int64_t rejected = 0;
    std::string message;
    if (!Rpc::PartialSuccess(bytes, &rejected, &message)) return;
    if (rejected == 0 && message.empty()) return;
    log::Warn("Partial success response", "exporter=", id_, " message=\"", message,
              "\" dropped_", Rpc::kItems, "=", rejected, " sent_", Rpc::kItems, "=", items);
    context->rejected_items = rejected;
  }

  const std::string id_;
  const OtlpGrpcConfig config_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::GenericStub> stub_;
};

}  // namespace

pipeline::ExporterFactory MakeOtlpGrpcExporterFactory() {
  return [](const pipeline::CreateSettings& create,
            const config::Node& node) -> Result<std::unique_ptr<pipeline::Exporter>> {
    const std::string data_dir = create.host != nullptr ? create.host->data_dir : "";
    ASSIGN_OR_RETURN(OtlpGrpcConfig config, ParseOtlpGrpcConfig(node, data_dir));
    helper::HelperSettings helper = config.helper;
    return helper::NewQueuedExporter(
        create, helper,
        std::make_unique<OtlpGrpcSender<TracesRpc>>(create.id.ToString(), std::move(config)));
  };
}

pipeline::LogsExporterFactory MakeOtlpGrpcLogsExporterFactory() {
  return [](const pipeline::CreateSettings& create,
            const config::Node& node) -> Result<std::unique_ptr<pipeline::LogsExporter>> {
    const std::string data_dir = create.host != nullptr ? create.host->data_dir : "";
    ASSIGN_OR_RETURN(OtlpGrpcConfig config, ParseOtlpGrpcConfig(node, data_dir));
    helper::HelperSettings helper = config.helper;
    return helper::NewQueuedLogsExporter(
        create, helper,
        std::make_unique<OtlpGrpcSender<LogsRpc>>(create.id.ToString(), std::move(config)));
  };
}

}  // namespace th::exporter::otlp

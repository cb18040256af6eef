#include "export/jaeger/jaeger_exporter.h"

#include <fstream>
#include <sstream>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "common/config/node.h"
#include "common/log.h"
#include "common/strings.h"
#include "export/helper/grpc_outcome.h"
#include "export/helper/queued_exporter.h"
#include "export/helper/sender.h"
#include "export/jaeger/internal/exporter_config.h"
#include "export/jaeger/internal/to_api_v2.h"
#include "jaeger/api_v2/collector.grpc.pb.h"

namespace th::exporter::jaeger {
namespace {

namespace pb = ::jaeger::api_v2;
using Clock = std::chrono::steady_clock;

Result<std::string> ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(th::StrCat("jaeger exporter: cannot read tls.", what,
                                                           " \"", path, "\""));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One attempt at one batch: a PostSpans call per resource. Calls the collector accepted are
// recorded in SendContext::requests_done, so a retry sends only the rest.
class JaegerSender final : public helper::Sender {
 public:
  JaegerSender(std::string id, ExporterConfig config)
      : id_(std::move(id)), config_(std::move(config)) {}

  Status Start() override {
    std::shared_ptr<grpc::ChannelCredentials> creds;
    const TlsSettings& tls = config_.tls;
    if (tls.insecure) {
      creds = grpc::InsecureChannelCredentials();
    } else if (tls.insecure_skip_verify) {
      grpc::experimental::TlsChannelCredentialsOptions o;
      o.set_verify_server_certs(false);
      o.set_check_call_host(false);
      o.set_certificate_verifier(
          std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
      if (!tls.cert_file.empty()) {
        ASSIGN_OR_RETURN(std::string cert, ReadFile(tls.cert_file, "cert_file"));
        ASSIGN_OR_RETURN(std::string key, ReadFile(tls.key_file, "key_file"));
        o.set_certificate_provider(
            std::make_shared<grpc::experimental::StaticDataCertificateProvider>(
                std::vector<grpc::experimental::IdentityKeyCertPair>{{key, cert}}));
        o.watch_identity_key_cert_pairs();
      }
      creds = grpc::experimental::TlsCredentials(o);
    } else {
      grpc::SslCredentialsOptions o;
      if (!tls.ca_file.empty()) {
        ASSIGN_OR_RETURN(o.pem_root_certs, ReadFile(tls.ca_file, "ca_file"));
      }
      if (!tls.cert_file.empty()) {
        ASSIGN_OR_RETURN(o.pem_cert_chain, ReadFile(tls.cert_file, "cert_file"));
        ASSIGN_OR_RETURN(o.pem_private_key, ReadFile(tls.key_file, "key_file"));
      }
      creds = grpc::SslCredentials(o);
    }
    if (creds == nullptr) {
      return absl::FailedPreconditionError(
          th::StrCat("jaeger exporter ", id_, ": cannot build TLS credentials"));
    }
    grpc::ChannelArguments args;
    if (!tls.server_name_override.empty()) {
      args.SetSslTargetNameOverride(tls.server_name_override);
    }
    // Resolution and connection happen in the background: an unresolvable endpoint only makes
    // exports fail (and be retried), it never fails Start.
    channel_ = grpc::CreateCustomChannel(config_.endpoint, creds, args);
    stub_ = pb::CollectorService::NewStub(channel_);
    log::Info("exporter started", "exporter=", id_, " endpoint=", config_.endpoint,
              " tls=", !tls.insecure);
    return absl::OkStatus();
  }

  Status Send(const model::SpanBatch& batch, helper::SendContext& context) override {
    std::vector<pb::PostSpansRequest> requests = ToApiV2(batch);
    // `timeout` bounds the whole attempt, as the Collector's did its pushTraces loop.
    const auto deadline = std::chrono::system_clock::now() +
                          std::chrono::duration_cast<std::chrono::system_clock::duration>(
                              context.deadline - Clock::now());
    for (; context.requests_done < requests.size(); ++context.requests_done) {
      grpc::ClientContext ctx;
      ctx.set_deadline(deadline);
      for (const auto& [k, v] : config_.headers) ctx.AddMetadata(k, v);
      if (config_.gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
      pb::PostSpansResponse response;
      grpc::Status s = stub_->PostSpans(&ctx, requests[context.requests_done], &response);
      if (!s.ok()) {
        return helper::OutcomeOfGrpcStatus(static_cast<int>(s.error_code()), s.error_message(),
                                           s.error_details(), config_.endpoint);
      }
    }
    return absl::OkStatus();
  }

 private:
  const std::string id_;
  const ExporterConfig config_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::CollectorService::Stub> stub_;
};

}  // namespace

pipeline::ExporterFactory MakeJaegerExporterFactory() {
  return [](const pipeline::CreateSettings& create,
            const config::Node& node) -> Result<std::unique_ptr<pipeline::Exporter>> {
    const std::string data_dir = create.host != nullptr ? create.host->data_dir : "";
    ASSIGN_OR_RETURN(ExporterConfig config, ParseExporterConfig(node, data_dir));
    helper::HelperSettings helper = config.helper;
    return helper::NewQueuedExporter(
        create, helper, std::make_unique<JaegerSender>(create.id.ToString(), std::move(config)));
  };
}

}  // namespace th::exporter::jaeger

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
#include "export/jaeger/internal/exporter_config.h"
#include "export/jaeger/internal/sending_queue.h"
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

// The gRPC codes the Collector's exporterhelper retries (RESOURCE_EXHAUSTED included: a Jaeger
// collector answers it when its own queue is full).
Retryable RetryableCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return Retryable::kYes;
    default:
      return Retryable::kNo;
  }
}

struct SendState {
  std::vector<pb::PostSpansRequest> requests;
  size_t next = 0;  // requests before it were accepted; retries resume here
};

class JaegerExporterImpl final : public pipeline::Exporter {
 public:
  JaegerExporterImpl(const pipeline::CreateSettings& settings, ExporterConfig config)
      : id_(settings.id.ToString()), config_(std::move(config)) {
    metrics::Registry* r =
        settings.host != nullptr ? settings.host->metrics : &metrics::Registry::Default();
    metrics::Labels labels = {{"exporter", id_}};
    enqueue_failed_ = r->GetCounter("otelcol_exporter_enqueue_failed_spans",
                                    "Spans an exporter could not queue.", labels);
    QueueMetrics qm;
    qm.sent_spans = r->GetCounter("otelcol_exporter_sent_spans",
                                  "Spans an exporter sent successfully.", labels);
    qm.send_failed_spans = r->GetCounter("otelcol_exporter_send_failed_spans",
                                         "Spans an exporter failed to send.", labels);
    qm.queue_size = r->GetGauge("otelcol_exporter_queue_size",
                                "Batches waiting in an exporter's sending queue.", labels);
    r->GetGauge("otelcol_exporter_queue_capacity", "Capacity of an exporter's sending queue.",
                labels)
        ->Set(config_.queue.enabled ? config_.queue.queue_size : 0);
    queue_ = std::make_unique<SendingQueue>(
        config_.queue, config_.retry, qm, id_,
        [this](SendingQueue::Item& item, const std::function<void(SendingQueue::Cancel)>& c) {
          return Export(item, c);
        });
  }

  ~JaegerExporterImpl() override { Shutdown(Clock::now()); }

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
    queue_->Start();
    log::Info("exporter started", "exporter=", id_, " endpoint=", config_.endpoint,
              " tls=", !tls.insecure);
    return absl::OkStatus();
  }

  void Shutdown(Clock::time_point deadline) override { queue_->Shutdown(deadline); }

  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    size_t spans = batch->span_count();
    if (spans == 0) {
      done(absl::OkStatus());
      return;
    }
    SendingQueue::Item item;
    item.batch = std::move(batch);
    item.spans = spans;
    if (!config_.queue.enabled) item.done = done;
    if (!queue_->Enqueue(item)) {
      enqueue_failed_->Add(spans);
      log::Warn("Dropping data because sending_queue is full", "exporter=", id_, " spans=", spans);
      done(absl::UnavailableError(th::StrCat("jaeger exporter ", id_, ": sending queue is full")));
      return;
    }
    if (config_.queue.enabled) done(absl::OkStatus());
  }

 private:
  SendingQueue::Attempt Export(SendingQueue::Item& item,
                               const std::function<void(SendingQueue::Cancel)>& on_cancel) {
    if (item.state == nullptr) {
      auto state = std::make_shared<SendState>();
      state->requests = ToApiV2(*item.batch);
      item.state = state;
    }
    auto* state = static_cast<SendState*>(item.state.get());
    for (; state->next < state->requests.size(); ++state->next) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::system_clock::duration>(
                           config_.timeout));
      for (const auto& [k, v] : config_.headers) ctx.AddMetadata(k, v);
      if (config_.gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
      on_cancel([&ctx] { ctx.TryCancel(); });
      pb::PostSpansResponse response;
      grpc::Status s = stub_->PostSpans(&ctx, state->requests[state->next], &response);
      on_cancel(nullptr);
      if (!s.ok()) {
        return {absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                             th::StrCat("jaeger export to ", config_.endpoint, ": ",
                                        s.error_message())),
                RetryableCode(s.error_code())};
      }
    }
    return {absl::OkStatus(), Retryable::kNo};
  }

  const std::string id_;
  const ExporterConfig config_;
  metrics::Counter* enqueue_failed_ = nullptr;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::CollectorService::Stub> stub_;
  std::unique_ptr<SendingQueue> queue_;
};

}  // namespace

pipeline::ExporterFactory MakeJaegerExporterFactory() {
  return [](const pipeline::CreateSettings& settings,
            const config::Node& config) -> Result<std::unique_ptr<pipeline::Exporter>> {
    ASSIGN_OR_RETURN(ExporterConfig parsed, ParseExporterConfig(config));
    return std::unique_ptr<pipeline::Exporter>(
        std::make_unique<JaegerExporterImpl>(settings, std::move(parsed)));
  };
}

}  // namespace th::exporter::jaeger

#include "ingest/otlp/otlp_receiver_factory.h"

#include <atomic>

#include "common/config/node.h"
#include "common/http/tls_config.h"
#include "common/strings.h"
#include "ingest/otlp/otlp_receiver.h"
#include "pipeline/receiver_counters.h"

namespace th::ingest::otlp {
namespace {

Status RefuseUnsupported(const config::Node& protocol, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (protocol[key].IsPresent()) {
      return protocol[key].Error(th::StrCat(
          key, " is not supported by this receiver yet; terminate it in front of Tracehouse"));
    }
  }
  return absl::OkStatus();
}

Result<OtlpReceiverOptions> ParseOptions(const config::Node& c) {
  OtlpReceiverOptions o;
  RETURN_IF_ERROR(c.CheckKeys({"protocols"}));
  config::Node protocols = c["protocols"];
  RETURN_IF_ERROR(protocols.CheckKeys({"grpc", "http"}));
  if (!protocols["grpc"].IsPresent() && !protocols["http"].IsPresent()) {
    return (protocols.IsPresent() ? protocols : c)
        .Error("must specify at least one protocol (grpc or http) when using the otlp receiver");
  }
  config::Node grpc = protocols["grpc"];
  if (!grpc.IsPresent()) {
    o.grpc_endpoint.clear();
  } else {
    RETURN_IF_ERROR(grpc.CheckKeys({"endpoint", "transport", "max_recv_msg_size_mib",
                                    "max_concurrent_streams", "read_buffer_size",
                                    "write_buffer_size", "keepalive", "include_metadata", "tls",
                                    "auth"}));
    RETURN_IF_ERROR(RefuseUnsupported(grpc, {"auth"}));
    RETURN_IF_ERROR(http::ReadTlsServerSettings(grpc["tls"], &o.grpc_tls));
    std::string transport = "tcp";
    RETURN_IF_ERROR(grpc.GetString("transport", &transport));
    if (transport != "tcp") return grpc["transport"].Error("only tcp is supported");
    // The Collector's default when `endpoint` is left out: loopback only (serve's own defaults
    // name 0.0.0.0 explicitly).
    o.grpc_endpoint = "127.0.0.1:4317";
    RETURN_IF_ERROR(grpc.GetString("endpoint", &o.grpc_endpoint));
    uint64_t mib = static_cast<uint64_t>(o.max_recv_msg_size_mib);
    RETURN_IF_ERROR(grpc.GetUint("max_recv_msg_size_mib", &mib));
    if (mib == 0 || mib > 2047) return grpc["max_recv_msg_size_mib"].Error("must be 1 to 2047");
    o.max_recv_msg_size_mib = static_cast<int>(mib);
    bool include_metadata = false;
    RETURN_IF_ERROR(grpc.GetBool("include_metadata", &include_metadata));
  }
  config::Node http = protocols["http"];
  if (!http.IsPresent()) {
    o.http_endpoint.clear();
  } else {
    RETURN_IF_ERROR(http.CheckKeys({"endpoint", "traces_url_path", "logs_url_path",
                                    "metrics_url_path", "max_request_body_size", "include_metadata",
                                    "cors", "tls", "auth", "response_headers", "compression_algorithms",
                                    "read_timeout", "read_header_timeout", "write_timeout",
                                    "idle_timeout", "keep_alives_enabled"}));
    RETURN_IF_ERROR(RefuseUnsupported(http, {"auth"}));
    RETURN_IF_ERROR(http::ReadTlsServerSettings(http["tls"], &o.http_tls));
    o.http_endpoint = "127.0.0.1:4318";
    RETURN_IF_ERROR(http.GetString("endpoint", &o.http_endpoint));
    RETURN_IF_ERROR(http.GetString("traces_url_path", &o.traces_url_path));
    if (o.traces_url_path.empty() || o.traces_url_path[0] != '/') {
      return http["traces_url_path"].Error("must start with '/'");
    }
    RETURN_IF_ERROR(http.GetString("logs_url_path", &o.logs_url_path));
    if (o.logs_url_path.empty() || o.logs_url_path[0] != '/') {
      return http["logs_url_path"].Error("must start with '/'");
    }
    if (o.logs_url_path == o.traces_url_path) {
      return http["logs_url_path"].Error("must differ from traces_url_path");
    }
    uint64_t body = o.max_request_body_bytes;
    RETURN_IF_ERROR(http.GetUint("max_request_body_size", &body));
    if (body > 0) o.max_request_body_bytes = body;
    bool include_metadata = false;
    RETURN_IF_ERROR(http.GetBool("include_metadata", &include_metadata));
    config::Node cors = http["cors"];
    // exposed_headers: our answers carry no headers a browser script needs to read.
    RETURN_IF_ERROR(cors.CheckKeys({"allowed_origins", "allowed_headers", "exposed_headers",
                                    "max_age"}));
    RETURN_IF_ERROR(cors.GetStringList("allowed_origins", &o.cors_allowed_origins));
    RETURN_IF_ERROR(cors.GetStringList("allowed_headers", &o.cors_allowed_headers));
    int64_t max_age = 0;
    RETURN_IF_ERROR(cors.GetInt("max_age", &max_age));
    o.cors_max_age_seconds = static_cast<int>(max_age);
  }
  return o;
}

class OtlpReceiverComponent final : public pipeline::Receiver {
 public:
  OtlpReceiverComponent(const pipeline::CreateSettings& s, OtlpReceiverOptions options,
                        const pipeline::Consumers& next)
      : options_(std::move(options)),
        counting_(pipeline::ReceiverCounters::Make(s.host->metrics,
                                                   {{"receiver", s.id.ToString()}}),
                  next.traces),
        counting_logs_(s.host->metrics, {{"receiver", s.id.ToString()}}, next.logs),
        traces_(next.traces != nullptr),
        logs_(next.logs != nullptr) {}

  Status Start() override {
    ASSIGN_OR_RETURN(receiver_, OtlpReceiver::Start(options_, traces_ ? &counting_ : nullptr,
                                                    logs_ ? &counting_logs_ : nullptr));
    return absl::OkStatus();
  }

  void Shutdown(std::chrono::steady_clock::time_point deadline) override {
    if (!receiver_) return;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    receiver_->Shutdown(static_cast<int>(std::max<int64_t>(0, left.count())));
    receiver_.reset();
  }

 private:
  OtlpReceiverOptions options_;
  pipeline::CountingConsumer counting_;
  pipeline::CountingLogsConsumer counting_logs_;
  bool traces_, logs_;
  std::unique_ptr<OtlpReceiver> receiver_;
};

}  // namespace

pipeline::MultiSignalReceiverFactory MakeOtlpReceiverFactory() {
  return [](const pipeline::CreateSettings& settings, const config::Node& config,
            const pipeline::Consumers& next) -> Result<std::unique_ptr<pipeline::Receiver>> {
    ASSIGN_OR_RETURN(OtlpReceiverOptions options, ParseOptions(config));
    return std::unique_ptr<pipeline::Receiver>(
        new OtlpReceiverComponent(settings, std::move(options), next));
  };
}

}  // namespace th::ingest::otlp

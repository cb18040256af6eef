#include "extension/health_check/health_check.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/node.h"
#include "common/http/server.h"
#include "common/http/tls_config.h"
#include "common/log.h"
#include "common/strings.h"

namespace th::extension {
namespace {

struct HealthCheckOptions {
  std::string endpoint = "127.0.0.1:13133";  // the Collector's default: loopback
  std::string path = "/";
  std::string healthy_body;    // empty: the Collector's JSON
  std::string unhealthy_body;
  http::TlsOptions tls;
};

Result<HealthCheckOptions> ParseOptions(const config::Node& c) {
  HealthCheckOptions o;
  RETURN_IF_ERROR(c.CheckKeys({"endpoint", "path", "response_body", "check_collector_pipeline",
                               "tls"}));
  RETURN_IF_ERROR(http::ReadTlsServerSettings(c["tls"], &o.tls));
  RETURN_IF_ERROR(c.GetString("endpoint", &o.endpoint));
  RETURN_IF_ERROR(c.GetString("path", &o.path));
  if (o.path.empty() || o.path[0] != '/') return c["path"].Error("must start with '/'");
  config::Node body = c["response_body"];
  RETURN_IF_ERROR(body.CheckKeys({"healthy", "unhealthy"}));
  RETURN_IF_ERROR(body.GetString("healthy", &o.healthy_body));
  RETURN_IF_ERROR(body.GetString("unhealthy", &o.unhealthy_body));
  config::Node pipeline = c["check_collector_pipeline"];
  RETURN_IF_ERROR(pipeline.CheckKeys({"enabled", "interval", "exporter_failure_threshold"}));
  return o;
}

class HealthCheck final : public pipeline::Extension {
 public:
  HealthCheck(HealthCheckOptions options, std::function<bool()> ready)
      : options_(std::move(options)), ready_(std::move(ready)) {}

  Status Start() override {
    up_since_ = absl::Now();
    http::ServerOptions server_options;
    server_options.address = options_.endpoint;
    server_options.name = "health_check";
    server_options.tls = options_.tls;
    ASSIGN_OR_RETURN(server_, http::Server::Start(server_options, [this](http::Request&& req,
                                                                         http::Responder respond) {
      Handle(req, std::move(respond));
    }));
    log::Info("listening", "component=health_check endpoint=", options_.endpoint,
              " port=", server_->port());
    return absl::OkStatus();
  }

  void Shutdown(std::chrono::steady_clock::time_point) override {
    if (server_) server_->Stop(0);
    server_.reset();
  }

 private:
  void Handle(const http::Request& req, http::Responder respond) {
    if (req.path != options_.path) {
      respond(http::Response::Text(404, "404 page not found\n"));
      return;
    }
    bool ok = ready_();
    const std::string& custom = ok ? options_.healthy_body : options_.unhealthy_body;
    if (!custom.empty()) {
      respond(http::Response::Text(ok ? 200 : 503, custom));
      return;
    }
    absl::Duration uptime = absl::Now() - up_since_;
    respond(http::Response::Json(
        ok ? 200 : 503,
        th::StrCat("{\"status\":\"", ok ? "Server available" : "Server not available",
                   "\",\"upSince\":\"",
                   absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", up_since_, absl::UTCTimeZone()),
                   "\",\"uptime\":\"", absl::FormatDuration(uptime), "\"}")));
  }

  HealthCheckOptions options_;
  std::function<bool()> ready_;
  absl::Time up_since_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace

pipeline::ExtensionFactory MakeHealthCheckFactory() {
  return [](const pipeline::CreateSettings& settings,
            const config::Node& config) -> Result<std::unique_ptr<pipeline::Extension>> {
    ASSIGN_OR_RETURN(HealthCheckOptions options, ParseOptions(config));
    return std::unique_ptr<pipeline::Extension>(new HealthCheck(options, settings.host->ready));
  };
}

}  // namespace th::extension

#include "app/collector_command.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "app/components.h"
#include "app/config/serve_config.h"
#include "app/pipeline_config.h"
#include "common/flags.h"
#include "common/http/server.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"

namespace th::app {
namespace {

void SetLogLevel(const std::string& level) {
  if (level == "debug") log::SetLevel(log::Level::kDebug);
  if (level == "warn") log::SetLevel(log::Level::kWarn);
  if (level == "error") log::SetLevel(log::Level::kError);
}

}  // namespace

int RunCollector(const std::vector<std::string>& args) {
  Flags flags("collector",
              "Runs an OpenTelemetry Collector pipeline (receivers → processors → exporters) "
              "without a store: an agent or gateway in front of another backend.");
  flags.Add("config", "", "the Collector config file (required)");
  flags.Add("data-dir", "", "where persistent sending queues keep their files");
  flags.Add("shutdown-grace", "10", "seconds exporters get to drain their queues on shutdown");
  if (std::optional<int> exit_code = flags.ParseCommandLine(args)) return *exit_code;
  if (flags.Get("config").empty()) {
    std::fprintf(stderr, "collector: --config is required\n");
    return 2;
  }
  Result<config::Node> root = LoadConfigNode(flags.Get("config"));
  Status checked = root.ok() ? CheckCollectorTopLevelKeys(*root) : root.status();
  if (!checked.ok()) {
    std::fprintf(stderr, "collector: %s\n", std::string(Message(checked)).c_str());
    return 2;
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::atomic<bool> ready{false};
  pipeline::Registry registry = BuildRegistry({});
  pipeline::Host host;
  host.data_dir = flags.Get("data-dir");
  host.ready = [&ready] { return ready.load(); };
  auto service = pipeline::Service::Build(*root, registry, host);
  if (!service.ok()) {
    std::fprintf(stderr, "collector: %s\n", std::string(Message(service.status())).c_str());
    return 2;
  }
  SetLogLevel((*service)->telemetry().log_level);

  std::unique_ptr<http::Server> metrics_server;
  if (!(*service)->telemetry().metrics_address.empty()) {
    http::ServerOptions options;
    options.address = (*service)->telemetry().metrics_address;
    options.name = "telemetry";
    auto server = http::Server::Start(options, [](http::Request&& req, http::Responder respond) {
      if (req.path != "/metrics") {
        respond(http::Response::Text(404, "404 page not found"));
        return;
      }
      http::Response r;
      r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      r.body = metrics::Registry::Default().Render();
      respond(std::move(r));
    });
    if (!server.ok()) {
      log::Error("cannot serve /metrics", "error=\"", server.status().message(), "\"");
      return 1;
    }
    metrics_server = std::move(server).value();
    log::Info("listening", "component=telemetry endpoint=", options.address,
              " port=", metrics_server->port());
  }

  Status started = (*service)->Start();
  if (!started.ok()) {
    log::Error("cannot start the pipeline", "error=\"", started.message(), "\"");
    return 1;
  }
  ready = true;
  log::Info("tracehouse collector is ready", "components=", (*service)->ComponentIds().size());

  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("shutting down", "signal=", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  ready = false;
  int grace_ms = std::clamp(std::atoi(flags.Get("shutdown-grace").c_str()), 0, 3600) * 1000;
  (*service)->Shutdown(std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms));
  if (metrics_server) metrics_server->Stop(0);
  log::Info("stopped cleanly");
  return 0;
}

int RunValidate(const std::vector<std::string>& args) {
  Flags flags("validate",
              "Checks a config file without starting anything: every section, component and "
              "pipeline. Exit 0 when valid, 1 with the first problem (FILE:LINE:COL: key: what).");
  flags.Add("config", "", "the config file (required)");
  flags.Add("collector", "false", "check it as a `tracehouse collector` config (no store)", true);
  flags.Add("data-dir", "./data", "the data directory the config will run with");
  if (std::optional<int> exit_code = flags.ParseCommandLine(args)) return *exit_code;
  const std::string path = flags.Get("config");
  if (path.empty()) {
    std::fprintf(stderr, "validate: --config is required\n");
    return 2;
  }
  const bool collector = flags.Get("collector") == "true";
  Result<config::Node> root = LoadConfigNode(path);
  Status status = root.status();
  if (status.ok()) {
    status = collector ? CheckCollectorTopLevelKeys(*root) : ReadServeConfig(*root).status();
  }
  Result<std::unique_ptr<pipeline::Service>> service = absl::UnknownError("not built");
  pipeline::Host host;
  // Nothing is written while validating; a directory only has to be named for components that
  // keep state (persistent sending queues).
  host.data_dir = flags.Get("data-dir");
  if (status.ok()) {
    service = collector ? pipeline::Service::Build(*root, BuildRegistry({}), host)
                        : BuildServePipeline(*root, BuildRegistry({.validate_only = true}), host,
                                             DefaultReceiverAddresses{});
    status = service.status();
  }
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(Message(status)).c_str());
    return 1;
  }
  std::string ids;
  for (const std::string& id : (*service)->ComponentIds()) {
    th::StrAppend(&ids, ids.empty() ? "" : ", ", id);
  }
  std::printf("%s: valid (%s config; components: %s)\n", path.c_str(),
              collector ? "collector" : "serve", ids.c_str());
  return 0;
}

}  // namespace th::app

// Wiring of `serve`, and the shutdown order: stop receivers (in-flight requests finish, each
// answered once its spans are durable), stop the query API, then close the store (the WAL
// commits anything queued and syncs).
#include "app/serve.h"

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "api/http/query_api.h"
#include "app/components.h"
#include "app/config/serve_config.h"
#include "app/pipeline_config.h"
#include "common/flags.h"
#include "common/http/server.h"
#include "common/log.h"
#include "pipeline/service.h"
#include "store/block/page_cache.h"
#include "store/store.h"

#include <pthread.h>
#include <signal.h>

namespace th::app {

int RunServe(const std::vector<std::string>& args) {
  Flags flags("serve",
              "Receives traces (OTLP, Jaeger, Zipkin), runs them through the configured pipeline, "
              "stores them durably under the data directory and serves Grafana Tempo's query API.");
  const ServeConfig defaults;
  const DefaultReceiverAddresses receiver_defaults;
  flags.Add("config", "",
            "YAML config: the OpenTelemetry Collector's sections plus server and storage (flags "
            "given override it)");
  flags.Add("data-dir", defaults.data_dir, "where the write-ahead log lives");
  flags.Add("http-listen-address", defaults.http_listen_address, "query API, /metrics and /ready");
  // Addresses of the receivers serve runs when the config defines none; empty leaves one out.
  flags.Add("otlp-grpc-address", receiver_defaults.otlp_grpc, "OTLP/gRPC receiver");
  flags.Add("otlp-http-address", receiver_defaults.otlp_http, "OTLP/HTTP receiver");
  flags.Add("otlp-max-recv-msg-size-mib", std::to_string(receiver_defaults.otlp_max_recv_msg_size_mib),
            "largest OTLP/gRPC message accepted");
  flags.Add("jaeger-thrift-http-address", receiver_defaults.jaeger_thrift_http,
            "Jaeger thrift over HTTP (POST /api/traces)");
  flags.Add("jaeger-grpc-address", receiver_defaults.jaeger_grpc, "Jaeger api_v2 gRPC collector");
  flags.Add("jaeger-thrift-compact-address", receiver_defaults.jaeger_thrift_compact,
            "Jaeger agent UDP, compact thrift");
  flags.Add("jaeger-thrift-binary-address", receiver_defaults.jaeger_thrift_binary,
            "Jaeger agent UDP, binary thrift");
  flags.Add("zipkin-address", receiver_defaults.zipkin, "Zipkin v2 (POST /api/v2/spans)");
  flags.Add("shutdown-grace", "10", "seconds in-flight requests get to finish on shutdown");
  if (std::optional<int> exit_code = flags.ParseCommandLine(args)) return *exit_code;
  // The whole file is checked before anything starts: Tracehouse's sections here, every pipeline
  // component below (before the store opens, so a bad config touches no data).
  Result<config::Node> root = LoadConfigNode(flags.Get("config"));
  Result<ServeConfig> loaded = root.ok() ? ReadServeConfig(*root) : root.status();
  if (!loaded.ok()) {
    std::fprintf(stderr, "serve: %s\n", std::string(Message(loaded.status())).c_str());
    return 2;
  }
  ServeConfig config = std::move(loaded).value();
  // Flags given on the command line win over the file; unset flags keep the file's values
  // (which default to the same values as the flags).
  if (flags.IsSet("data-dir")) config.data_dir = flags.Get("data-dir");
  if (flags.IsSet("http-listen-address")) {
    config.http_listen_address = flags.Get("http-listen-address");
  }
  DefaultReceiverAddresses addresses;
  addresses.otlp_grpc = flags.Get("otlp-grpc-address");
  addresses.otlp_http = flags.Get("otlp-http-address");
  addresses.otlp_max_recv_msg_size_mib =
      std::max(1, std::atoi(flags.Get("otlp-max-recv-msg-size-mib").c_str()));
  addresses.jaeger_thrift_http = flags.Get("jaeger-thrift-http-address");
  addresses.jaeger_grpc = flags.Get("jaeger-grpc-address");
  addresses.jaeger_thrift_compact = flags.Get("jaeger-thrift-compact-address");
  addresses.jaeger_thrift_binary = flags.Get("jaeger-thrift-binary-address");
  addresses.zipkin = flags.Get("zipkin-address");

  {
    pipeline::Host check_host;
    check_host.data_dir = config.data_dir;
    auto check = BuildServePipeline(*root, BuildRegistry({.validate_only = true}), check_host,
                                    addresses);
    if (!check.ok()) {
      std::fprintf(stderr, "serve: %s\n", std::string(Message(check.status())).c_str());
      return 2;
    }
  }

  // Signals are taken synchronously by the main thread; every thread started from here on
  // inherits the mask, so none of them is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  store::StoreOptions store_options;
  store_options.data_dir = config.data_dir;
  store_options.wal.segment_bytes = config.wal_segment_bytes;
  store_options.wal.max_pending_bytes = config.wal_max_pending_bytes;
  store_options.max_block_bytes = config.max_block_bytes;
  store_options.max_block_duration = config.max_block_duration;
  store_options.target_spans_per_row_group = config.row_group_spans;
  store_options.compactor = std::make_shared<store::CompactorOptions>(config.compaction);
  store_options.compacted_grace = config.compacted_block_retention;
  // The block readers' caches are process-wide (store/block/page_cache.h).
  store::block::PageCache::Default()->SetCapacity(config.page_cache_bytes);
  store::block::PageCache::Columns()->SetCapacity(config.column_cache_bytes);
  if (config.backend == "s3") {
    auto s3 = store::backend::s3::S3Backend::Open(config.s3);
    if (!s3.ok()) {
      log::Error("cannot set up the s3 backend", "error=\"", s3.status().message(), "\"");
      return 1;
    }
    store_options.backend = std::move(s3).value();
    log::Info("block backend", "backend=s3 endpoint=", config.s3.endpoint,
              " bucket=", config.s3.bucket);
  }
  auto store = store::Store::Open(store_options);
  if (!store.ok()) {
    log::Error("cannot open the store", "data_dir=", store_options.data_dir, " error=\"",
               store.status().message(), "\"");
    return 1;
  }
  std::atomic<bool> ready{false};
  pipeline::Registry registry = BuildRegistry({.store = store->get()});
  pipeline::Host host;
  host.data_dir = config.data_dir;
  host.ready = [&ready] { return ready.load(); };
  auto service = BuildServePipeline(*root, registry, host, addresses);
  if (!service.ok()) {
    std::fprintf(stderr, "serve: %s\n", std::string(Message(service.status())).c_str());
    return 2;
  }
  if (!(*service)->ComponentIds().empty() && !(*service)->Find("exporter:store")) {
    log::Warn("no pipeline ends in the store exporter: spans are forwarded, not stored");
  }

  http::ServerOptions api_options;
  api_options.address = config.http_listen_address;
  api_options.name = "api";
  api_options.threads =
      4;  // trace lookups decode records; keep one slow lookup from blocking the rest
  api::QueryApiOptions query_options;
  query_options.ready = [&ready] { return ready.load(); };
  auto api =
      http::Server::Start(api_options, api::MakeQueryApiHandler(store->get(), query_options));
  if (!api.ok()) {
    log::Error("cannot start the query API", "error=\"", api.status().message(), "\"");
    return 1;
  }
  log::Info("listening", "component=api endpoint=", api_options.address, " port=", (*api)->port());

  Status started = (*service)->Start();
  if (!started.ok()) {
    log::Error("cannot start the pipeline", "error=\"", started.message(), "\"");
    (*api)->Stop(0);
    return 1;
  }
  ready = true;
  log::Info("tracehouse serve is ready", "data_dir=", store_options.data_dir);

  int sig = 0;
  sigwait(&signals, &sig);
  log::Info("shutting down", "signal=", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  ready = false;
  int grace_ms = std::clamp(std::atoi(flags.Get("shutdown-grace").c_str()), 0, 3600) * 1000;
  (*service)->Shutdown(std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms));
  (*api)->Stop(grace_ms);
  Status closed = (*store)->Close();
  if (!closed.ok()) {
    log::Error("closing the store failed", "error=\"", closed.message(), "\"");
    return 1;
  }
  log::Info("stopped cleanly");
  return 0;
}

}  // namespace th::app

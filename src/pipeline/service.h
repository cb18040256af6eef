// Service: the component graph a Collector-style config describes — `receivers`, `processors`,
// `exporters`, `extensions` (each keyed by `type` or `type/name`) and `service.pipelines` — built
// from a Registry of factories, as the OpenTelemetry Collector builds it:
//
//   - every component defined in a section must have a known type (error lists the known ones),
//     but only components some pipeline (or service.extensions) uses are created;
//   - a pipeline needs at least one receiver and one exporter; names it uses must be defined;
//   - a receiver or exporter used by several pipelines is one instance (receivers fan out to every
//     pipeline they feed, cloning the batch); each pipeline gets its own processor instances;
//   - a processor's output fans out to all exporters of its pipeline.
//
// Build() only creates (no sockets, no threads), which is what `tracehouse validate` runs. Start()
// starts consumers before producers; Shutdown() stops producers first, so every batch in flight
// reaches a running consumer. Every error names FILE:LINE:COL and the key.
//
// `traces` and `logs` pipelines carry data; a component in a pipeline must handle its signal
// (an error says which does not). `metrics` pipelines are refused with a message saying so.
// Thread-safety: Build/Start/Shutdown from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/config/node.h"
#include "common/status.h"
#include "pipeline/component.h"
#include "pipeline/registry.h"

namespace th::pipeline {

struct TelemetrySettings {
  // service.telemetry.metrics.address: where `tracehouse collector` serves /metrics (the
  // Collector's default, loopback port 8888); empty when metrics level is `none`.
  std::string metrics_address = "127.0.0.1:8888";
  std::string log_level = "info";
};

// How `tracehouse serve` runs a config that has no `service` section (or no file at all): one
// traces pipeline from every receiver the file defines — or, when it defines none, those of
// `default_receivers` (a `receivers:` mapping) — to `exporter`, without processors.
struct ImplicitPipeline {
  config::Node default_receivers;
  std::string exporter;  // e.g. "store"; created with an empty config unless the file defines it
};

class Service {
 public:
  ~Service();

  // `root` is the whole config file. Sections other than the Collector's (Tracehouse's own
  // `server`, `storage`, …) are the caller's to check. With `implicit`, a missing `service`
  // section means the implicit pipeline instead of an error.
  static Result<std::unique_ptr<Service>> Build(const config::Node& root, const Registry& registry,
                                                const Host& host,
                                                const ImplicitPipeline* implicit = nullptr);

  // Starts every component; on failure, stops what was started and returns the error.
  Status Start();
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  const TelemetrySettings& telemetry() const { return telemetry_; }
  // For tests and logs: the created components in start order, as "kind:id"
  // ("exporter:otlp", "processor:batch/fast@traces", "receiver:otlp", "extension:health_check").
  std::vector<std::string> ComponentIds() const;
  // The created component with this "kind:id", or null.
  Component* Find(const std::string& id) const;

  // The top-level keys a Collector config may have (for the caller's unknown-key check).
  static const std::vector<std::string>& CollectorSections();

 private:
  struct Entry;
  Service();

  std::vector<std::unique_ptr<TracesConsumer>> glue_;  // fan-outs and observers
  std::vector<std::unique_ptr<LogsConsumer>> logs_glue_;
  std::vector<Entry> started_order_;
  size_t started_ = 0;
  TelemetrySettings telemetry_;
};

}  // namespace th::pipeline

// Pipeline components as the OpenTelemetry Collector has them: receivers, processors, exporters
// and extensions, each created by a factory from its own section of the config (the subtree under
// its id, e.g. `processors.batch/fast`), wired by pipeline::Service.
//
// Lifecycle: a factory only reads its config and builds the object — no sockets, threads or
// files — so `tracehouse validate` can build the whole graph without starting anything. Start()
// then binds and spawns; consumers are started before their producers (exporters, processors
// back to front, receivers) and shut down after them (receivers first), so no batch ever meets
// a stopped consumer.
//
// Acknowledgement: a batch's `done` (pipeline/consumer.h) travels back to the receiver, which
// answers its sender with it. Exporters with a sending queue call it once the batch is queued
// (the Collector's semantics); the `store` exporter once the spans are in the WAL. `batch` always
// passes the downstream outcome back (so a full queue reaches senders as the retryable error);
// `tail_sampling` answers on accepting spans unless the pipeline ends in an exporter that
// acknowledges durably (`Exporter::AcknowledgesDurably`; CreateSettings::ack_through).
//
// Thread-safety: Start and Shutdown from one thread; ConsumeTraces from any number of threads.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/metrics.h"
#include "common/status.h"
#include "pipeline/consumer.h"

namespace th::config {
class Node;
}

namespace th::pipeline {

// `type` or `type/name`, as written in the config.
struct ComponentId {
  std::string type;
  std::string name;

  std::string ToString() const { return name.empty() ? type : type + "/" + name; }
  // Errors: empty type, empty name after '/', more than one '/'.
  static Result<ComponentId> Parse(std::string_view text);
  friend bool operator==(const ComponentId&, const ComponentId&) = default;
};

class Component {
 public:
  virtual ~Component() = default;
  // Binds sockets and starts threads. A failure stops the whole service from starting.
  virtual Status Start() { return absl::OkStatus(); }
  // Processors that hold data (batch, tail_sampling) hand on what they hold and stop holding:
  // called on every processor before any receiver stops, so requests in flight — whose senders
  // wait for processors that answer only once downstream has — finish at once.
  virtual void Drain() {}
  // Receivers stop accepting and wait for in-flight requests; processors hand on what they hold;
  // exporters drain their queues. All of it by `deadline`; nothing arrives after Shutdown.
  virtual void Shutdown(std::chrono::steady_clock::time_point deadline) { (void)deadline; }
};

class Receiver : public Component {};

class Processor : public Component, public TracesConsumer {};

class Exporter : public Component, public TracesConsumer {
 public:
  // True when `done` means "durable" (the store's WAL), so processors upstream must not answer
  // before it (see the file comment).
  virtual bool AcknowledgesDurably() const { return false; }
};

class Extension : public Component {};

// Components of `logs` pipelines. Logs travel as encoded OTLP (model::LogsBatch); a type that
// handles both signals registers a factory for each, and gets one instance per signal (as the
// Collector builds them), except receivers: one receiver instance serves every signal it feeds.
class LogsProcessor : public Component, public LogsConsumer {};

class LogsExporter : public Component, public LogsConsumer {};

// Where a receiver hands on what it receives; null for a signal no pipeline takes from it.
struct Consumers {
  TracesConsumer* traces = nullptr;
  LogsConsumer* logs = nullptr;
};

// What the process offers every component besides its own config.
struct Host {
  metrics::Registry* metrics = &metrics::Registry::Default();
  // Where components keep state on disk (persistent sending queues, tail sampling spill);
  // empty means "no disk state" and such options are config errors.
  std::string data_dir;
  // True once every component has started and until shutdown begins (health_check).
  std::function<bool()> ready = [] { return true; };
};

struct CreateSettings {
  ComponentId id;
  const Host* host = nullptr;
  // The pipeline a processor is built for ("traces", "traces/2"); receivers and exporters are
  // shared between pipelines and get "".
  std::string pipeline;
  // See the file comment: processors that hold spans answer only when downstream has.
  bool ack_through = false;
};

using ReceiverFactory = std::function<Result<std::unique_ptr<Receiver>>(
    const CreateSettings&, const config::Node& config, TracesConsumer* next)>;
using ProcessorFactory = std::function<Result<std::unique_ptr<Processor>>(
    const CreateSettings&, const config::Node& config, TracesConsumer* next)>;
using ExporterFactory = std::function<Result<std::unique_ptr<Exporter>>(const CreateSettings&,
                                                                        const config::Node& config)>;
// A receiver that serves several signals (otlp). `next` has a consumer for each signal some
// pipeline takes from it.
using MultiSignalReceiverFactory = std::function<Result<std::unique_ptr<Receiver>>(
    const CreateSettings&, const config::Node& config, const Consumers& next)>;
using LogsProcessorFactory = std::function<Result<std::unique_ptr<LogsProcessor>>(
    const CreateSettings&, const config::Node& config, LogsConsumer* next)>;
using LogsExporterFactory = std::function<Result<std::unique_ptr<LogsExporter>>(
    const CreateSettings&, const config::Node& config)>;
using ExtensionFactory = std::function<Result<std::unique_ptr<Extension>>(
    const CreateSettings&, const config::Node& config)>;

}  // namespace th::pipeline

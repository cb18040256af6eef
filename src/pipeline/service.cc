#include "pipeline/service.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/strings.h"
#include "pipeline/fanout.h"

namespace th::pipeline {

Result<ComponentId> ComponentId::Parse(std::string_view text) {
  ComponentId id;
  size_t slash = text.find('/');
  id.type = std::string(text.substr(0, slash));
  if (slash != std::string_view::npos) {
    id.name = std::string(text.substr(slash + 1));
    if (id.name.empty()) return absl::InvalidArgumentError("name must not be empty after '/'");
    if (id.name.find('/') != std::string::npos) {
      return absl::InvalidArgumentError("a component id has at most one '/'");
    }
  }
  if (id.type.empty()) return absl::InvalidArgumentError("the type must not be empty");
  for (char c : id.type) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_';
    if (!ok) {
      return absl::InvalidArgumentError(
          th::StrCat("invalid character '", std::string(1, c), "' in type \"", id.type, "\""));
    }
  }
  return id;
}

namespace {

// Counts spans passing a point of the pipeline (the Collector's processor item counters).
class ItemCounter final : public TracesConsumer {
 public:
  ItemCounter(metrics::Counter* counter, TracesConsumer* next) : counter_(counter), next_(next) {}
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    counter_->Add(batch->span_count());
    next_->ConsumeTraces(std::move(batch), std::move(done));
  }

 private:
  metrics::Counter* counter_;
  TracesConsumer* next_;
};

std::string KnownList(const std::vector<std::string>& types) {
  std::string out;
  for (const std::string& t : types) th::StrAppend(&out, out.empty() ? "" : ", ", t);
  return out.empty() ? "none" : out;
}

// One section (`receivers`, …): id → its config node; checks the ids and their types.
struct Section {
  std::string name;
  std::map<std::string, std::pair<ComponentId, config::Node>> entries;
};

Result<Section> ReadSection(const config::Node& node, const std::string& name,
                            const std::vector<std::string>& known_types) {
  Section section{name, {}};
  if (node.IsNull()) return section;
  if (!node.IsMap()) return node.Error("expected a mapping of component ids to their settings");
  RETURN_IF_ERROR(node.CheckNoDuplicateKeys());
  for (const auto& [key, child] : node.Entries()) {
    Result<ComponentId> id = ComponentId::Parse(key);
    if (!id.ok()) return child.Error(th::StrCat("invalid component id: ", Message(id.status())));
    if (std::find(known_types.begin(), known_types.end(), id->type) == known_types.end()) {
      return child.Error(th::StrCat("unknown type \"", id->type, "\" (known: ",
                                    KnownList(known_types), ")"));
    }
    section.entries.emplace(key, std::make_pair(*id, child));
  }
  return section;
}

// The ids a pipeline lists under `key`, each checked against its section.
Result<std::vector<std::string>> ReadIdList(const config::Node& pipeline, const char* key,
                                            const Section& section) {
  config::Node list = pipeline[key];
  std::vector<std::string> ids;
  if (list.IsNull()) return ids;
  if (!list.IsSequence()) return list.Error("expected a list of component ids");
  std::set<std::string> seen;
  for (const config::Node& item : list.Items()) {
    std::string id = item.Scalar();
    if (!item.IsScalar() || id.empty()) return item.Error("expected a component id");
    if (!section.entries.count(id)) {
      return item.Error(th::StrCat("references ", section.name, " \"", id,
                                   "\", which is not defined in the top-level `", section.name,
                                   "` section"));
    }
    if (!seen.insert(id).second) {
      return item.Error(th::StrCat("\"", id, "\" is listed twice"));
    }
    ids.push_back(id);
  }
  return ids;
}

Status ReadTelemetry(const config::Node& telemetry, TelemetrySettings* out) {
  RETURN_IF_ERROR(telemetry.CheckKeys({"logs", "metrics", "traces", "resource"}));
  config::Node logs = telemetry["logs"];
  RETURN_IF_ERROR(logs.CheckKeys({"level", "encoding", "development", "output_paths",
                                  "error_output_paths", "initial_fields", "sampling",
                                  "disable_caller", "disable_stacktrace", "processors"}));
  RETURN_IF_ERROR(logs.GetString("level", &out->log_level));
  std::string level = out->log_level;
  std::transform(level.begin(), level.end(), level.begin(), ::tolower);
  if (level != "debug" && level != "info" && level != "warn" && level != "error") {
    return logs["level"].Error("expected one of debug, info, warn, error");
  }
  config::Node metrics = telemetry["metrics"];
  RETURN_IF_ERROR(metrics.CheckKeys({"level", "address", "readers", "views"}));
  std::string metrics_level = "normal";
  RETURN_IF_ERROR(metrics.GetString("level", &metrics_level));
  if (metrics_level != "none" && metrics_level != "basic" && metrics_level != "normal" &&
      metrics_level != "detailed") {
    return metrics["level"].Error("expected one of none, basic, normal, detailed");
  }
  RETURN_IF_ERROR(metrics.GetString("address", &out->metrics_address));
  // The Collector's newer form: readers: [{pull: {exporter: {prometheus: {host, port}}}}].
  for (const config::Node& reader : metrics["readers"].Items()) {
    config::Node prom = reader["pull"]["exporter"]["prometheus"];
    if (!prom.IsPresent()) continue;
    std::string host = "127.0.0.1";
    int64_t port = 8888;
    RETURN_IF_ERROR(prom.GetString("host", &host));
    RETURN_IF_ERROR(prom.GetInt("port", &port));
    out->metrics_address = th::StrCat(host, ":", port);
  }
  if (metrics_level == "none") out->metrics_address.clear();
  return absl::OkStatus();
}

}  // namespace

struct Service::Entry {
  std::string id;
  std::unique_ptr<Component> component;
};

Service::Service() = default;

Service::~Service() { Shutdown(std::chrono::steady_clock::now()); }

const std::vector<std::string>& Service::CollectorSections() {
  static const std::vector<std::string> sections = {"receivers", "processors", "exporters",
                                                    "extensions", "connectors", "service"};
  return sections;
}

Result<std::unique_ptr<Service>> Service::Build(const config::Node& root, const Registry& registry,
                                                const Host& host, const ImplicitPipeline* implicit) {
  std::unique_ptr<Service> service(new Service());
  const bool use_implicit = implicit && !root["service"].IsPresent();
  config::Node receivers_node = root["receivers"];
  if (use_implicit && (receivers_node.IsNull() || receivers_node.Entries().empty())) {
    receivers_node = implicit->default_receivers;
  }
  ASSIGN_OR_RETURN(Section receivers,
                   ReadSection(receivers_node, "receivers", registry.ReceiverTypes()));
  ASSIGN_OR_RETURN(Section processors,
                   ReadSection(root["processors"], "processors", registry.ProcessorTypes()));
  ASSIGN_OR_RETURN(Section exporters,
                   ReadSection(root["exporters"], "exporters", registry.ExporterTypes()));
  ASSIGN_OR_RETURN(Section extensions,
                   ReadSection(root["extensions"], "extensions", registry.ExtensionTypes()));
  config::Node connectors = root["connectors"];
  if (connectors.IsMap() && !connectors.Entries().empty()) {
    return connectors.Entries().front().second.Error(
        "connectors are not supported yet (Tracehouse derives span metrics and the service graph "
        "itself)");
  }

  config::Node svc = root["service"];
  struct PipelinePlan {
    std::string id;
    std::vector<std::string> receivers, processors, exporters;
    bool logs = false;
  };
  std::vector<PipelinePlan> plans;
  if (use_implicit) {
    if (!exporters.entries.count(implicit->exporter)) {
      exporters.entries.emplace(implicit->exporter,
                                std::make_pair(ComponentId{implicit->exporter, ""}, config::Node()));
    }
    PipelinePlan plan{"traces", {}, {}, {implicit->exporter}, false};
    for (const auto& [id, entry] : receivers.entries) plan.receivers.push_back(id);
    // No receivers at all (every default address turned off): a query-only server.
    if (!plan.receivers.empty()) plans.push_back(std::move(plan));
  } else if (!svc.IsPresent()) {
    return root.Error("missing the `service` section (service.pipelines)");
  }
  RETURN_IF_ERROR(svc.CheckKeys({"pipelines", "extensions", "telemetry"}));
  RETURN_IF_ERROR(ReadTelemetry(svc["telemetry"], &service->telemetry_));
  config::Node pipelines = svc["pipelines"];
  if (!use_implicit && (!pipelines.IsMap() || pipelines.Entries().empty())) {
    return (pipelines.IsPresent() ? pipelines : svc).Error("expected at least one pipeline");
  }
  RETURN_IF_ERROR(pipelines.CheckNoDuplicateKeys());
  for (const auto& [key, p] : pipelines.Entries()) {
    Result<ComponentId> pid = ComponentId::Parse(key);
    if (!pid.ok()) return p.Error(th::StrCat("invalid pipeline id: ", Message(pid.status())));
    if (pid->type == "metrics") {
      return p.Error(
          "metrics pipelines are not supported; Tracehouse pipelines carry traces and logs (it "
          "derives span metrics and the service graph itself)");
    }
    if (pid->type != "traces" && pid->type != "logs") {
      return p.Error(th::StrCat("unknown signal \"", pid->type,
                                "\" (a pipeline id is traces[/name] or logs[/name])"));
    }
    RETURN_IF_ERROR(p.CheckKeys({"receivers", "processors", "exporters"}));
    PipelinePlan plan{key, {}, {}, {}, pid->type == "logs"};
    ASSIGN_OR_RETURN(plan.receivers, ReadIdList(p, "receivers", receivers));
    ASSIGN_OR_RETURN(plan.processors, ReadIdList(p, "processors", processors));
    ASSIGN_OR_RETURN(plan.exporters, ReadIdList(p, "exporters", exporters));
    if (plan.receivers.empty()) return p.Error("a pipeline needs at least one receiver");
    if (plan.exporters.empty()) return p.Error("a pipeline needs at least one exporter");
    // Every component must handle the pipeline's signal.
    const char* signal = plan.logs ? "logs" : "traces";
    for (size_t i = 0; i < plan.receivers.size(); ++i) {
      const Registry::ReceiverEntry* r =
          registry.Receiver(receivers.entries.at(plan.receivers[i]).first.type);
      if (!(plan.logs ? r->logs : r->traces)) {
        return p["receivers"].Items()[i].Error(
            th::StrCat("receiver \"", plan.receivers[i], "\" does not handle ", signal));
      }
    }
    for (size_t i = 0; i < plan.processors.size(); ++i) {
      const std::string& type = processors.entries.at(plan.processors[i]).first.type;
      if (plan.logs ? !registry.LogsProcessor(type) : !registry.Processor(type)) {
        return p["processors"].Items()[i].Error(
            th::StrCat("processor \"", plan.processors[i], "\" does not handle ", signal));
      }
    }
    for (size_t i = 0; i < plan.exporters.size(); ++i) {
      const std::string& type = exporters.entries.at(plan.exporters[i]).first.type;
      if (plan.logs ? !registry.LogsExporter(type) : !registry.Exporter(type)) {
        return p["exporters"].Items()[i].Error(
            th::StrCat("exporter \"", plan.exporters[i], "\" does not handle ", signal));
      }
    }
    plans.push_back(std::move(plan));
  }

  // Components in start order: extensions, exporters, processors (back to front), receivers.
  std::vector<Entry>& order = service->started_order_;
  auto settings_for = [&host](const ComponentId& id, std::string pipeline) {
    CreateSettings s;
    s.id = id;
    s.host = &host;
    s.pipeline = std::move(pipeline);
    return s;
  };

  std::vector<std::string> extension_ids;
  {
    config::Node list = svc["extensions"];
    if (!list.IsNull() && !list.IsSequence()) return list.Error("expected a list of extension ids");
    std::set<std::string> listed;
    for (const config::Node& item : list.Items()) {
      std::string id = item.Scalar();
      if (!listed.insert(id).second) return item.Error(th::StrCat("\"", id, "\" is listed twice"));
      if (!extensions.entries.count(id)) {
        return item.Error(th::StrCat("references extension \"", id,
                                     "\", which is not defined in the top-level `extensions` "
                                     "section"));
      }
      const auto& [cid, node] = extensions.entries.at(id);
      Result<std::unique_ptr<Extension>> ext =
          (*registry.Extension(cid.type))(settings_for(cid, ""), node);
      if (!ext.ok()) return ext.status();
      order.push_back({"extension:" + id, std::move(ext).value()});
    }
  }

  // Exporters: one instance per id and signal.
  std::map<std::string, Exporter*> exporter_objects;
  std::map<std::string, LogsExporter*> logs_exporter_objects;
  for (const PipelinePlan& plan : plans) {
    for (const std::string& id : plan.exporters) {
      const auto& [cid, node] = exporters.entries.at(id);
      if (plan.logs) {
        if (logs_exporter_objects.count(id)) continue;
        Result<std::unique_ptr<LogsExporter>> exp =
            (*registry.LogsExporter(cid.type))(settings_for(cid, ""), node);
        if (!exp.ok()) return exp.status();
        logs_exporter_objects[id] = exp->get();
        order.push_back({th::StrCat("exporter:", id, "[logs]"), std::move(exp).value()});
        continue;
      }
      if (exporter_objects.count(id)) continue;
      Result<std::unique_ptr<Exporter>> exp =
          (*registry.Exporter(cid.type))(settings_for(cid, ""), node);
      if (!exp.ok()) return exp.status();
      exporter_objects[id] = exp->get();
      order.push_back({"exporter:" + id, std::move(exp).value()});
    }
  }

  // Processors, back to front, each pipeline its own; what each receiver feeds.
  std::map<std::string, std::vector<TracesConsumer*>> receiver_targets;
  std::map<std::string, std::vector<LogsConsumer*>> receiver_logs_targets;
  for (const PipelinePlan& plan : plans) {
    if (plan.logs) {
      std::vector<LogsConsumer*> outs;
      for (const std::string& id : plan.exporters) outs.push_back(logs_exporter_objects[id]);
      LogsConsumer* next = outs.front();
      if (outs.size() > 1) {
        service->logs_glue_.push_back(std::make_unique<LogsFanout>(outs));
        next = service->logs_glue_.back().get();
      }
      for (auto it = plan.processors.rbegin(); it != plan.processors.rend(); ++it) {
        const auto& [cid, node] = processors.entries.at(*it);
        Result<std::unique_ptr<LogsProcessor>> proc =
            (*registry.LogsProcessor(cid.type))(settings_for(cid, plan.id), node, next);
        if (!proc.ok()) return proc.status();
        next = proc->get();
        order.push_back({th::StrCat("processor:", *it, "@", plan.id), std::move(proc).value()});
      }
      for (const std::string& id : plan.receivers) receiver_logs_targets[id].push_back(next);
      continue;
    }
    std::vector<TracesConsumer*> outs;
    bool ack_through = false;
    for (const std::string& id : plan.exporters) {
      outs.push_back(exporter_objects[id]);
      ack_through = ack_through || exporter_objects[id]->AcknowledgesDurably();
    }
    TracesConsumer* next = outs.front();
    if (outs.size() > 1) {
      service->glue_.push_back(std::make_unique<Fanout>(outs));
      next = service->glue_.back().get();
    }
    for (auto it = plan.processors.rbegin(); it != plan.processors.rend(); ++it) {
      const auto& [cid, node] = processors.entries.at(*it);
      metrics::Labels labels = {{"processor", *it}, {"otel_signal", "traces"}};
      service->glue_.push_back(std::make_unique<ItemCounter>(
          host.metrics->GetCounter("otelcol_processor_outgoing_items",
                                   "Spans a processor passed on.", labels),
          next));
      next = service->glue_.back().get();
      CreateSettings settings = settings_for(cid, plan.id);
      settings.ack_through = ack_through;
      Result<std::unique_ptr<Processor>> proc =
          (*registry.Processor(cid.type))(settings, node, next);
      if (!proc.ok()) return proc.status();
      service->glue_.push_back(std::make_unique<ItemCounter>(
          host.metrics->GetCounter("otelcol_processor_incoming_items",
                                   "Spans a processor was given.", labels),
          proc->get()));
      next = service->glue_.back().get();
      order.push_back({th::StrCat("processor:", *it, "@", plan.id), std::move(proc).value()});
    }
    for (const std::string& id : plan.receivers) receiver_targets[id].push_back(next);
  }

  // Receivers, one instance each whatever the signals it feeds, in the order pipelines first
  // name them.
  std::vector<std::string> receiver_order;
  for (const PipelinePlan& plan : plans) {
    for (const std::string& id : plan.receivers) {
      if (std::find(receiver_order.begin(), receiver_order.end(), id) == receiver_order.end()) {
        receiver_order.push_back(id);
      }
    }
  }
  for (const std::string& id : receiver_order) {
    Consumers next;
    if (std::vector<TracesConsumer*>& t = receiver_targets[id]; !t.empty()) {
      next.traces = t.front();
      if (t.size() > 1) {
        service->glue_.push_back(std::make_unique<Fanout>(t));
        next.traces = service->glue_.back().get();
      }
    }
    if (std::vector<LogsConsumer*>& l = receiver_logs_targets[id]; !l.empty()) {
      next.logs = l.front();
      if (l.size() > 1) {
        service->logs_glue_.push_back(std::make_unique<LogsFanout>(l));
        next.logs = service->logs_glue_.back().get();
      }
    }
    const auto& [cid, node] = receivers.entries.at(id);
    Result<std::unique_ptr<Receiver>> rec =
        registry.Receiver(cid.type)->create(settings_for(cid, ""), node, next);
    if (!rec.ok()) return rec.status();
    order.push_back({"receiver:" + id, std::move(rec).value()});
  }
  return service;
}

Status Service::Start() {
  while (started_ < started_order_.size()) {
    Entry& e = started_order_[started_];
    Status s = e.component->Start();
    if (!s.ok()) {
      Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
      return absl::Status(s.code(), th::StrCat(e.id, ": ", Message(s)));
    }
    ++started_;
  }
  return absl::OkStatus();
}

void Service::Shutdown(std::chrono::steady_clock::time_point deadline) {
  for (size_t i = 0; i < started_; ++i) {
    if (started_order_[i].id.rfind("processor:", 0) == 0) started_order_[i].component->Drain();
  }
  while (started_ > 0) {
    --started_;
    started_order_[started_].component->Shutdown(deadline);
  }
}

std::vector<std::string> Service::ComponentIds() const {
  std::vector<std::string> ids;
  for (const Entry& e : started_order_) ids.push_back(e.id);
  return ids;
}

Component* Service::Find(const std::string& id) const {
  for (const Entry& e : started_order_) {
    if (e.id == id) return e.component.get();
  }
  return nullptr;
}

}  // namespace th::pipeline

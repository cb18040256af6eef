// Registry: component type name → factory (STYLE.md §9), as the Collector's builder has it. The
// app fills one at start-up (app/components.cc is the only file that names concrete components);
// pipeline::Service looks types up here and lists the known ones when a config names an unknown
// type. Aliases (`otlp_grpc` for `otlp`) are just a second registration. A type may have a traces
// factory, a logs factory or both; receivers say which signals their one instance serves.
// Thread-safety: fill it before use; lookups are const.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/component.h"

namespace th::pipeline {

class Registry {
 public:
  struct ReceiverEntry {
    MultiSignalReceiverFactory create;
    bool traces = false;
    bool logs = false;
  };

  // Registering a type twice for one signal is a programming error: the process stops at start-up
  // saying which (STYLE.md §9), rather than one factory silently replacing another.

  // A traces-only receiver.
  void AddReceiver(std::string type, ReceiverFactory f) {
    Put(receivers_, std::move(type),
        ReceiverEntry{[f = std::move(f)](const CreateSettings& s, const config::Node& c,
                                         const Consumers& next) { return f(s, c, next.traces); },
                      true, false});
  }
  void AddReceiver(std::string type, MultiSignalReceiverFactory f, bool traces, bool logs) {
    Put(receivers_, std::move(type), ReceiverEntry{std::move(f), traces, logs});
  }
  void AddProcessor(std::string type, ProcessorFactory f) {
    Put(processors_, std::move(type), std::move(f));
  }
  void AddExporter(std::string type, ExporterFactory f) {
    Put(exporters_, std::move(type), std::move(f));
  }
  void AddLogsProcessor(std::string type, LogsProcessorFactory f) {
    Put(logs_processors_, std::move(type), std::move(f));
  }
  void AddLogsExporter(std::string type, LogsExporterFactory f) {
    Put(logs_exporters_, std::move(type), std::move(f));
  }
  void AddExtension(std::string type, ExtensionFactory f) {
    Put(extensions_, std::move(type), std::move(f));
  }

  // nullptr when the type is unknown (for that signal).
  const ReceiverEntry* Receiver(std::string_view type) const { return Find(receivers_, type); }
  const ProcessorFactory* Processor(std::string_view type) const { return Find(processors_, type); }
  const ExporterFactory* Exporter(std::string_view type) const { return Find(exporters_, type); }
  const LogsProcessorFactory* LogsProcessor(std::string_view type) const {
    return Find(logs_processors_, type);
  }
  const LogsExporterFactory* LogsExporter(std::string_view type) const {
    return Find(logs_exporters_, type);
  }
  const ExtensionFactory* Extension(std::string_view type) const {
    return Find(extensions_, type);
  }

  // Sorted type names of every signal, for "unknown type (known: …)" messages.
  std::vector<std::string> ReceiverTypes() const { return Keys(receivers_); }
  std::vector<std::string> ProcessorTypes() const { return Keys(processors_, logs_processors_); }
  std::vector<std::string> ExporterTypes() const { return Keys(exporters_, logs_exporters_); }
  std::vector<std::string> ExtensionTypes() const { return Keys(extensions_); }

 private:
  template <typename F>
  static void Put(std::map<std::string, F, std::less<>>& m, std::string type, F f) {
    if (m.count(type)) {
      std::fprintf(stderr, "pipeline::Registry: component type \"%s\" registered twice\n",
                   type.c_str());
      std::abort();
    }
    m.emplace(std::move(type), std::move(f));
  }
  template <typename F>
  static const F* Find(const std::map<std::string, F, std::less<>>& m, std::string_view type) {
    auto it = m.find(type);
    return it == m.end() ? nullptr : &it->second;
  }
  template <typename... M>
  static std::vector<std::string> Keys(const M&... maps) {
    std::set<std::string> keys;
    (..., [&] {
      for (const auto& [k, v] : maps) keys.insert(k);
    }());
    return {keys.begin(), keys.end()};
  }

  std::map<std::string, ReceiverEntry, std::less<>> receivers_;
  std::map<std::string, ProcessorFactory, std::less<>> processors_;
  std::map<std::string, ExporterFactory, std::less<>> exporters_;
  std::map<std::string, LogsProcessorFactory, std::less<>> logs_processors_;
  std::map<std::string, LogsExporterFactory, std::less<>> logs_exporters_;
  std::map<std::string, ExtensionFactory, std::less<>> extensions_;
};

}  // namespace th::pipeline

// Registry: component type name → factory (STYLE.md §9), as the Collector's builder has it. The
// app fills one at start-up (app/components.cc is the only file that names concrete components);
// pipeline::Service looks types up here and lists the known ones when a config names an unknown
// type. Aliases (`otlp_grpc` for `otlp`) are just a second registration.
// Thread-safety: fill it before use; lookups are const.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/component.h"

namespace th::pipeline {

class Registry {
 public:
  void AddReceiver(std::string type, ReceiverFactory f) { receivers_[std::move(type)] = std::move(f); }
  void AddProcessor(std::string type, ProcessorFactory f) {
    processors_[std::move(type)] = std::move(f);
  }
  void AddExporter(std::string type, ExporterFactory f) { exporters_[std::move(type)] = std::move(f); }
  void AddExtension(std::string type, ExtensionFactory f) {
    extensions_[std::move(type)] = std::move(f);
  }

  // nullptr when the type is unknown.
  const ReceiverFactory* Receiver(std::string_view type) const { return Find(receivers_, type); }
  const ProcessorFactory* Processor(std::string_view type) const { return Find(processors_, type); }
  const ExporterFactory* Exporter(std::string_view type) const { return Find(exporters_, type); }
  const ExtensionFactory* Extension(std::string_view type) const {
    return Find(extensions_, type);
  }

  // Sorted type names, for "unknown type (known: …)" messages.
  std::vector<std::string> ReceiverTypes() const { return Keys(receivers_); }
  std::vector<std::string> ProcessorTypes() const { return Keys(processors_); }
  std::vector<std::string> ExporterTypes() const { return Keys(exporters_); }
  std::vector<std::string> ExtensionTypes() const { return Keys(extensions_); }

 private:
  template <typename F>
  static const F* Find(const std::map<std::string, F, std::less<>>& m, std::string_view type) {
    auto it = m.find(type);
    return it == m.end() ? nullptr : &it->second;
  }
  template <typename F>
  static std::vector<std::string> Keys(const std::map<std::string, F, std::less<>>& m) {
    std::vector<std::string> out;
    for (const auto& [k, v] : m) out.push_back(k);
    return out;
  }

  std::map<std::string, ReceiverFactory, std::less<>> receivers_;
  std::map<std::string, ProcessorFactory, std::less<>> processors_;
  std::map<std::string, ExporterFactory, std::less<>> exporters_;
  std::map<std::string, ExtensionFactory, std::less<>> extensions_;
};

}  // namespace th::pipeline

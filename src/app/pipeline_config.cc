#include "app/pipeline_config.h"

#include "common/strings.h"
#include "pipeline/service.h"

namespace th::app {

Result<config::Node> LoadConfigNode(const std::string& path) {
  if (path.empty()) return config::Node::Parse("", "(no config file)");
  return config::Node::Load(path);
}

Status CheckCollectorTopLevelKeys(const config::Node& root) {
  if (root.IsNull()) return absl::OkStatus();
  if (!root.IsMap()) return root.Error("expected a mapping");
  for (const auto& [key, node] : root.Entries()) {
    if (key == "server" || key == "storage") {
      return node.Error(th::StrCat("`", key,
                                   "` configures `tracehouse serve`; `tracehouse collector` runs "
                                   "the pipeline alone"));
    }
  }
  return root.CheckKeys(pipeline::Service::CollectorSections());
}

Result<config::Node> DefaultReceivers(const DefaultReceiverAddresses& a,
                                      const std::function<bool(const std::string&)>& has_type) {
  std::string yaml;
  auto protocol = [](std::string* out, const char* name, const std::string& endpoint,
                     const std::string& extra = "") {
    if (endpoint.empty()) return;
    th::StrAppend(out, "      ", name, ": {endpoint: \"", endpoint, "\"", extra, "}\n");
  };
  std::string otlp;
  protocol(&otlp, "grpc", a.otlp_grpc,
           th::StrCat(", max_recv_msg_size_mib: ", a.otlp_max_recv_msg_size_mib));
  protocol(&otlp, "http", a.otlp_http);
  if (!otlp.empty() && has_type("otlp")) th::StrAppend(&yaml, "otlp:\n  protocols:\n", otlp);
  std::string jaeger;
  protocol(&jaeger, "thrift_http", a.jaeger_thrift_http);
  protocol(&jaeger, "grpc", a.jaeger_grpc);
  protocol(&jaeger, "thrift_compact", a.jaeger_thrift_compact);
  protocol(&jaeger, "thrift_binary", a.jaeger_thrift_binary);
  if (!jaeger.empty() && has_type("jaeger")) {
    th::StrAppend(&yaml, "jaeger:\n  protocols:\n", jaeger);
  }
  if (!a.zipkin.empty() && has_type("zipkin")) {
    th::StrAppend(&yaml, "zipkin: {endpoint: \"", a.zipkin, "\"}\n");
  }
  return config::Node::Parse(yaml, "(default receivers)");
}

Result<std::unique_ptr<pipeline::Service>> BuildServePipeline(
    const config::Node& root, const pipeline::Registry& registry, const pipeline::Host& host,
    const DefaultReceiverAddresses& addresses) {
  ASSIGN_OR_RETURN(config::Node receivers,
                   DefaultReceivers(addresses, [&registry](const std::string& type) {
                     return registry.Receiver(type) != nullptr;
                   }));
  pipeline::ImplicitPipeline implicit{receivers, "store"};
  return pipeline::Service::Build(root, registry, host, &implicit);
}

}  // namespace th::app

// Loading the Collector part of a config file for `serve`, `collector` and `validate`: the file
// as a config::Node, the top-level key check for each mode, and the receivers `serve` runs when
// the file defines none (from its flags).
#pragma once

#include <string>

#include "common/config/node.h"
#include "common/status.h"
#include "pipeline/service.h"

namespace th::app {

// The file at `path`, or an empty document when `path` is empty.
Result<config::Node> LoadConfigNode(const std::string& path);

// `collector` accepts only the Collector's sections (serve's own are checked by ReadServeConfig).
Status CheckCollectorTopLevelKeys(const config::Node& root);

struct DefaultReceiverAddresses {
  std::string otlp_grpc = "0.0.0.0:4317";
  std::string otlp_http = "0.0.0.0:4318";
  std::string jaeger_thrift_http = "0.0.0.0:14268";
  std::string jaeger_grpc = "0.0.0.0:14250";
  std::string jaeger_thrift_compact = "0.0.0.0:6831";
  std::string jaeger_thrift_binary = "0.0.0.0:6832";
  std::string zipkin = "0.0.0.0:9411";
  int otlp_max_recv_msg_size_mib = 4;
};

// A `receivers:` mapping with otlp, jaeger and zipkin on the given addresses (an empty address
// leaves that protocol out; a receiver with no protocol left is left out). Types the registry
// lacks are left out too (`has_type`).
Result<config::Node> DefaultReceivers(const DefaultReceiverAddresses& a,
                                      const std::function<bool(const std::string&)>& has_type);

// The pipeline `serve` runs for `root`: the file's own `service` section, or else every receiver it
// defines (the defaults at `addresses` if none) into the `store` exporter.
Result<std::unique_ptr<pipeline::Service>> BuildServePipeline(
    const config::Node& root, const pipeline::Registry& registry, const pipeline::Host& host,
    const DefaultReceiverAddresses& addresses);

}  // namespace th::app

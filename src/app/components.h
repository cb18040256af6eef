// The one place that names concrete pipeline components (STYLE.md §9): every receiver, processor,
// exporter and extension type `serve`, `collector` and `validate` know, by the Collector's type
// names (with its aliases: otlp_grpc, otlp_http).
#pragma once

#include "pipeline/registry.h"

namespace th::store {
class Store;
}

namespace th::app {

struct ComponentOptions {
  // The store behind the `store` exporter (serve); null in `collector`.
  store::Store* store = nullptr;
  // `validate` of a serve config: the `store` exporter is accepted without a store.
  bool validate_only = false;
};

pipeline::Registry BuildRegistry(const ComponentOptions& options);

}  // namespace th::app

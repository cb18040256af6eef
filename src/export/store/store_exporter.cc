#include "export/store/store_exporter.h"

#include "common/config/node.h"

namespace th::exporter {

pipeline::ExporterFactory MakeStoreExporterFactory(store::Store* store, bool validate_only) {
  return [store, validate_only](const pipeline::CreateSettings&,
                 const config::Node& config) -> Result<std::unique_ptr<pipeline::Exporter>> {
    RETURN_IF_ERROR(config.CheckKeys(std::vector<std::string>{}));
    if (!store && !validate_only) {
      return config.Error(
          "the store exporter writes into Tracehouse's own store, which only `tracehouse serve` "
          "runs");
    }
    return std::unique_ptr<pipeline::Exporter>(new StoreExporter(store));
  };
}

}  // namespace th::exporter

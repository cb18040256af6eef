// The `zipkin` receiver factory: config section → ZipkinReceiver, nothing bound until Start().
#include "ingest/zipkin/zipkin_receiver.h"

#include "common/config/node.h"
#include "common/strings.h"

namespace th::ingest::zipkin {

pipeline::ReceiverFactory MakeZipkinReceiverFactory() {
  return [](const pipeline::CreateSettings& settings, const config::Node& node,
            pipeline::TracesConsumer* next) -> Result<std::unique_ptr<pipeline::Receiver>> {
    if (next == nullptr) {
      return absl::InvalidArgumentError(
          th::StrCat("receiver ", settings.id.ToString(), ": no next consumer"));
    }
    ASSIGN_OR_RETURN(ZipkinReceiverConfig config, ZipkinReceiverConfig::Parse(node));
    metrics::Registry* metrics = settings.host != nullptr && settings.host->metrics != nullptr
                                     ? settings.host->metrics
                                     : &metrics::Registry::Default();
    std::string id = settings.id.ToString();
    if (id.empty()) id = "zipkin";
    return std::unique_ptr<pipeline::Receiver>(
        NewZipkinReceiver(config, std::move(id), metrics, next));
  };
}

}  // namespace th::ingest::zipkin

#include "app/components.h"

#include "export/store/store_exporter.h"
#include "extension/health_check/health_check.h"
#include "ingest/otlp/otlp_receiver_factory.h"
#include "pipeline/processor/batch/batch_processor.h"
#include "pipeline/processor/memory_limiter/memory_limiter.h"

namespace th::app {

pipeline::Registry BuildRegistry(const ComponentOptions& options) {
  pipeline::Registry r;
  r.AddReceiver("otlp", ingest::otlp::MakeOtlpReceiverFactory());

  r.AddProcessor("batch", pipeline::MakeBatchProcessorFactory());
  r.AddProcessor("memory_limiter", pipeline::MakeMemoryLimiterFactory());

  r.AddExporter("store", exporter::MakeStoreExporterFactory(options.store, options.validate_only));

  r.AddExtension("health_check", extension::MakeHealthCheckFactory());
  return r;
}

}  // namespace th::app

#include "app/components.h"

#include "export/store/store_exporter.h"
#include "extension/health_check/health_check.h"
#include "ingest/otlp/otlp_receiver_factory.h"
#include "ingest/zipkin/zipkin_receiver.h"
#include "pipeline/processor/batch/batch_processor.h"
#include "pipeline/processor/memory_limiter/memory_limiter.h"
#include "pipeline/processor/probabilistic_sampler/probabilistic_sampler.h"
#include "pipeline/processor/tail_sampling/tail_sampling_processor.h"
#include "export/nop/nop_exporter.h"

namespace th::app {

pipeline::Registry BuildRegistry(const ComponentOptions& options) {
  pipeline::Registry r;
  r.AddReceiver("otlp", ingest::otlp::MakeOtlpReceiverFactory());
  r.AddReceiver("zipkin", ingest::zipkin::MakeZipkinReceiverFactory());

  r.AddProcessor("batch", pipeline::MakeBatchProcessorFactory());
  r.AddProcessor("memory_limiter", pipeline::MakeMemoryLimiterFactory());
  r.AddProcessor("probabilistic_sampler", pipeline::MakeProbabilisticSamplerFactory());
  r.AddProcessor("tail_sampling", pipeline::MakeTailSamplingFactory());

  r.AddExporter("nop", exporter::MakeNopExporterFactory());
  r.AddExporter("store", exporter::MakeStoreExporterFactory(options.store, options.validate_only));

  r.AddExtension("health_check", extension::MakeHealthCheckFactory());
  return r;
}

}  // namespace th::app

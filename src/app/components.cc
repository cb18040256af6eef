#include "app/components.h"

#include "export/debug/debug_exporter.h"
#include "export/file/file_exporter.h"
#include "export/jaeger/jaeger_exporter.h"
#include "export/otlp/otlp_exporter.h"
#include "export/otlphttp/otlphttp_exporter.h"
#include "export/store/store_exporter.h"
#include "ingest/jaeger/jaeger_receiver.h"
#include "extension/health_check/health_check.h"
#include "ingest/otlp/otlp_receiver_factory.h"
#include "ingest/zipkin/zipkin_receiver.h"
#include "pipeline/processor/attributes/attributes_processor.h"
#include "pipeline/processor/batch/batch_processor.h"
#include "pipeline/processor/filter/filter_processor.h"
#include "pipeline/processor/resource/resource_processor.h"
#include "pipeline/processor/memory_limiter/memory_limiter.h"
#include "pipeline/processor/probabilistic_sampler/probabilistic_sampler.h"
#include "pipeline/processor/tail_sampling/tail_sampling_processor.h"
#include "export/nop/nop_exporter.h"

namespace th::app {

pipeline::Registry BuildRegistry(const ComponentOptions& options) {
  pipeline::Registry r;
  r.AddReceiver("otlp", ingest::otlp::MakeOtlpReceiverFactory(), /*traces=*/true, /*logs=*/true);
  r.AddReceiver("jaeger", ingest::jaeger::MakeJaegerReceiverFactory());
  r.AddReceiver("zipkin", ingest::zipkin::MakeZipkinReceiverFactory());

  r.AddProcessor("batch", pipeline::MakeBatchProcessorFactory());
  r.AddProcessor("filter", pipeline::MakeFilterProcessorFactory());
  r.AddProcessor("attributes", pipeline::MakeAttributesProcessorFactory());
  r.AddProcessor("resource", pipeline::MakeResourceProcessorFactory());
  r.AddProcessor("memory_limiter", pipeline::MakeMemoryLimiterFactory());
  r.AddLogsProcessor("batch", pipeline::MakeBatchLogsProcessorFactory());
  r.AddLogsProcessor("memory_limiter", pipeline::MakeMemoryLimiterLogsFactory());
  r.AddProcessor("probabilistic_sampler", pipeline::MakeProbabilisticSamplerFactory());
  r.AddProcessor("tail_sampling", pipeline::MakeTailSamplingFactory());

  r.AddExporter("otlp", exporter::otlp::MakeOtlpGrpcExporterFactory());
  r.AddExporter("otlp_grpc", exporter::otlp::MakeOtlpGrpcExporterFactory());
  r.AddExporter("otlphttp", exporter::otlphttp::MakeOtlpHttpExporterFactory());
  r.AddExporter("otlp_http", exporter::otlphttp::MakeOtlpHttpExporterFactory());
  // The Collector removed its jaeger exporter; the seed's config uses it, so it stays here.
  r.AddExporter("jaeger", exporter::jaeger::MakeJaegerExporterFactory());
  r.AddExporter("debug", exporter::debug::MakeDebugExporterFactory());
  r.AddExporter("logging", exporter::debug::MakeDebugExporterFactory());
  r.AddExporter("file", exporter::file::MakeFileExporterFactory());
  r.AddExporter("nop", exporter::MakeNopExporterFactory());

  r.AddLogsExporter("otlp", exporter::otlp::MakeOtlpGrpcLogsExporterFactory());
  r.AddLogsExporter("otlp_grpc", exporter::otlp::MakeOtlpGrpcLogsExporterFactory());
  r.AddLogsExporter("otlphttp", exporter::otlphttp::MakeOtlpHttpLogsExporterFactory());
  r.AddLogsExporter("otlp_http", exporter::otlphttp::MakeOtlpHttpLogsExporterFactory());
  r.AddLogsExporter("debug", exporter::debug::MakeDebugLogsExporterFactory());
  r.AddLogsExporter("logging", exporter::debug::MakeDebugLogsExporterFactory());
  r.AddLogsExporter("file", exporter::file::MakeFileLogsExporterFactory());
  r.AddLogsExporter("nop", exporter::MakeNopLogsExporterFactory());
  r.AddExporter("store", exporter::MakeStoreExporterFactory(options.store, options.validate_only));

  r.AddExtension("health_check", extension::MakeHealthCheckFactory());
  return r;
}

}  // namespace th::app

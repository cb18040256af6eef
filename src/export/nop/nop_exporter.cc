#include "export/nop/nop_exporter.h"

#include "common/config/node.h"

namespace th::exporter {
namespace {

class NopExporter final : public pipeline::Exporter {
 public:
  explicit NopExporter(const pipeline::CreateSettings& s)
      : sent_(s.host->metrics->GetCounter("otelcol_exporter_sent_spans", "Spans sent.",
                                          {{"exporter", s.id.ToString()}})) {}
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    sent_->Add(batch->span_count());
    batch.reset();
    done(absl::OkStatus());
  }

 private:
  metrics::Counter* sent_;
};

class NopLogsExporter final : public pipeline::LogsExporter {
 public:
  explicit NopLogsExporter(const pipeline::CreateSettings& s)
      : sent_(s.host->metrics->GetCounter("otelcol_exporter_sent_log_records",
                                          "Log records sent.", {{"exporter", s.id.ToString()}})) {}
  void ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, pipeline::Done done) override {
    sent_->Add(batch->record_count);
    batch.reset();
    done(absl::OkStatus());
  }

 private:
  metrics::Counter* sent_;
};

}  // namespace

pipeline::ExporterFactory MakeNopExporterFactory() {
  return [](const pipeline::CreateSettings& settings,
            const config::Node& config) -> Result<std::unique_ptr<pipeline::Exporter>> {
    RETURN_IF_ERROR(config.CheckKeys(std::vector<std::string>{}));
    return std::unique_ptr<pipeline::Exporter>(new NopExporter(settings));
  };
}

pipeline::LogsExporterFactory MakeNopLogsExporterFactory() {
  return [](const pipeline::CreateSettings& settings,
            const config::Node& config) -> Result<std::unique_ptr<pipeline::LogsExporter>> {
    RETURN_IF_ERROR(config.CheckKeys(std::vector<std::string>{}));
    return std::unique_ptr<pipeline::LogsExporter>(new NopLogsExporter(settings));
  };
}

}  // namespace th::exporter

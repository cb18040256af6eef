#include "export/helper/queued_exporter.h"

#include "export/helper/internal/queue_engine.h"
#include "model/otlp_decode.h"
#include "model/otlp_encode.h"

namespace th::exporter::helper {
namespace {

struct TracesSignal {
  using Batch = model::SpanBatch;
  static constexpr std::string_view kItems = "spans";
  static constexpr std::string_view kItemsText = "spans";
  // The traces queue gauges keep the labels they have always had (exporter only).
  static constexpr std::string_view kQueueDataType = "";
  static constexpr internal::QueueSignal kQueueSignal = internal::QueueSignal::kTraces;

  static uint64_t Items(const Batch& b) { return b.span_count(); }
  static uint64_t Bytes(const Batch& b) {
    return b.otlp_encoding.empty() ? b.MemoryUsage() : b.otlp_encoding.size();
  }
  static std::string_view Payload(const Batch& b, std::string* scratch) {
    if (!b.otlp_encoding.empty()) return b.otlp_encoding;
    model::EncodeOtlpTraces(b, scratch);
    return *scratch;
  }
  static Result<std::unique_ptr<Batch>> FromStored(internal::StoredBatch&& stored) {
    ASSIGN_OR_RETURN(model::DecodedTraces decoded,
                     model::DecodeOtlpTracesProto(std::move(stored.payload), stored.tenant));
    return std::move(decoded.batch);
  }
};

struct LogsSignal {
  using Batch = model::LogsBatch;
  static constexpr std::string_view kItems = "log_records";
  static constexpr std::string_view kItemsText = "log records";
  // An exporter id in a traces and a logs pipeline has two queues; the Collector tells their
  // gauges apart by data_type (opentelemetry-collector#9943).
  static constexpr std::string_view kQueueDataType = "logs";
  static constexpr internal::QueueSignal kQueueSignal = internal::QueueSignal::kLogs;

  static uint64_t Items(const Batch& b) { return b.record_count; }
  static uint64_t Bytes(const Batch& b) { return b.otlp.size(); }
  static std::string_view Payload(const Batch& b, std::string*) { return b.otlp; }
  static Result<std::unique_ptr<Batch>> FromStored(internal::StoredBatch&& stored) {
    auto b = std::make_unique<model::LogsBatch>();
    b->tenant = std::move(stored.tenant);
    b->otlp = std::move(stored.payload);
    b->record_count = stored.items;
    return b;
  }
};

class QueuedTracesExporter final : public pipeline::Exporter {
 public:
  QueuedTracesExporter(std::string id, const pipeline::Host& host, const HelperSettings& settings,
                       std::unique_ptr<Sender> sender)
      : engine_(std::move(id), host, settings, std::move(sender)) {}

  bool AcknowledgesDurably() const override { return engine_.AcknowledgesDurably(); }
  Status Start() override { return engine_.Start(); }
  void Shutdown(std::chrono::steady_clock::time_point deadline) override {
    engine_.Shutdown(deadline);
  }
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    engine_.Consume(std::move(batch), std::move(done));
  }

 private:
  internal::QueueEngine<TracesSignal> engine_;
};

class QueuedLogsExporter final : public pipeline::LogsExporter {
 public:
  QueuedLogsExporter(std::string id, const pipeline::Host& host, const HelperSettings& settings,
                     std::unique_ptr<LogsSender> sender)
      : engine_(std::move(id), host, settings, std::move(sender)) {}

  Status Start() override { return engine_.Start(); }
  void Shutdown(std::chrono::steady_clock::time_point deadline) override {
    engine_.Shutdown(deadline);
  }
  void ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, pipeline::Done done) override {
    engine_.Consume(std::move(batch), std::move(done));
  }

 private:
  internal::QueueEngine<LogsSignal> engine_;
};

Status CheckArgs(const pipeline::CreateSettings& create, const HelperSettings& settings,
                 bool has_sender) {
  if (create.host == nullptr || !has_sender) {
    return absl::InvalidArgumentError("queued exporter: host and sender are required");
  }
  if (settings.queue.enabled && !settings.queue.storage.empty() && create.host->data_dir.empty()) {
    return absl::InvalidArgumentError(th::StrCat(
        "exporter ", create.id.ToString(), ": a persistent queue needs a data directory"));
  }
  return absl::OkStatus();
}

}  // namespace

Result<std::unique_ptr<pipeline::Exporter>> NewQueuedExporter(
    const pipeline::CreateSettings& create, const HelperSettings& settings,
    std::unique_ptr<Sender> sender) {
  RETURN_IF_ERROR(CheckArgs(create, settings, sender != nullptr));
  return std::unique_ptr<pipeline::Exporter>(std::make_unique<QueuedTracesExporter>(
      create.id.ToString(), *create.host, settings, std::move(sender)));
}

Result<std::unique_ptr<pipeline::LogsExporter>> NewQueuedLogsExporter(
    const pipeline::CreateSettings& create, const HelperSettings& settings,
    std::unique_ptr<LogsSender> sender) {
  RETURN_IF_ERROR(CheckArgs(create, settings, sender != nullptr));
  return std::unique_ptr<pipeline::LogsExporter>(std::make_unique<QueuedLogsExporter>(
      create.id.ToString(), *create.host, settings, std::move(sender)));
}

}  // namespace th::exporter::helper

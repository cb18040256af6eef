// StoreExporter: the `store` exporter — the end of a `serve` pipeline, writing batches into the
// local trace store. Its `done` callback runs once the spans are durable in the WAL and indexed,
// which is what lets receivers acknowledge only durable spans (AcknowledgesDurably: processors
// that hold spans answer their senders only after it).
// Thread-safety: ConsumeTraces may be called concurrently.
#pragma once

#include "pipeline/component.h"
#include "store/store.h"

namespace th::exporter {

class StoreExporter final : public pipeline::Exporter {
 public:
  // `store` must outlive the exporter.
  explicit StoreExporter(store::Store* store) : store_(store) {}

  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    store_->Append(std::move(batch), std::move(done));
  }
  bool AcknowledgesDurably() const override { return true; }

 private:
  store::Store* store_;
};

// The factory for `exporters: {store: }`; the store's own settings live under `storage`, so the
// exporter takes no keys. Without a store (`tracehouse collector`) the type is refused with a
// message saying it needs `serve`, unless `validate_only` (checking a serve config: the exporter
// is built but never used).
pipeline::ExporterFactory MakeStoreExporterFactory(store::Store* store, bool validate_only = false);

}  // namespace th::exporter

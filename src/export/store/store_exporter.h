// StoreExporter: the `store` exporter — the end of a `serve` pipeline, writing batches into the
// local trace store. Its `done` callback runs once the spans are durable in the WAL and indexed,
// which is what lets receivers acknowledge only durable spans.
// Thread-safety: ConsumeTraces may be called concurrently.
#pragma once

#include "pipeline/consumer.h"
#include "store/store.h"

namespace th::exporter {

class StoreExporter final : public pipeline::TracesConsumer {
 public:
  // `store` must outlive the exporter.
  explicit StoreExporter(store::Store* store) : store_(store) {}

  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    store_->Append(std::move(batch), std::move(done));
  }

 private:
  store::Store* store_;
};

}  // namespace th::exporter

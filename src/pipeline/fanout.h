// Fanout: hands each batch to several consumers — a receiver feeding several pipelines, or a
// pipeline feeding several exporters. Every consumer but the last gets a deep copy (consumers may
// change their batch). `done` is called once, after all consumers answered: OK if all did, else
// the first error (the sender retries, as with the Collector's fan-out).
// Thread-safety: ConsumeTraces from any thread; the consumers must outlive the fan-out.
#pragma once

#include <vector>

#include "pipeline/consumer.h"

namespace th::pipeline {

class Fanout final : public TracesConsumer {
 public:
  explicit Fanout(std::vector<TracesConsumer*> consumers) : consumers_(std::move(consumers)) {}

  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override;

 private:
  std::vector<TracesConsumer*> consumers_;
};

// The same for logs: every consumer but the last gets a copy of the encoded batch.
class LogsFanout final : public LogsConsumer {
 public:
  explicit LogsFanout(std::vector<LogsConsumer*> consumers) : consumers_(std::move(consumers)) {}

  void ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, Done done) override;

 private:
  std::vector<LogsConsumer*> consumers_;
};

}  // namespace th::pipeline

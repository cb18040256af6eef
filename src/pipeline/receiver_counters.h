// The Collector's receiver span counters, kept the same way by every receiver:
// otelcol_receiver_accepted_spans (spans the pipeline accepted) and otelcol_receiver_refused_spans
// (spans the pipeline refused, or the receiver's decoder dropped).
//
// Ownership: the counters belong to the metrics registry and outlive every receiver, so a
// consumer's late answer may count after the receiver is gone; nothing here refers back to the
// caller. Thread-safety: thread-safe (counters are atomic).
#pragma once

#include <cstdint>
#include <memory>

#include "common/metrics.h"
#include "common/status.h"
#include "model/span_batch.h"
#include "pipeline/consumer.h"

namespace th::pipeline {

struct ReceiverCounters {
  metrics::Counter* accepted = nullptr;
  metrics::Counter* refused = nullptr;

  // The two counters in `registry` with `labels` (receiver=<id>, plus transport=<name> where a
  // receiver has several). Requires: registry != nullptr.
  static ReceiverCounters Make(metrics::Registry* registry, const metrics::Labels& labels);
};

// Hands `batch` to `next`; when `next` answers, counts the batch's spans as accepted (OK) or
// refused (any error), then calls `done` with the answer.
void ConsumeCounted(TracesConsumer* next, const ReceiverCounters& counters,
                    std::unique_ptr<model::SpanBatch>&& batch, Done done);

// A TracesConsumer that counts with ConsumeCounted in front of `next`, for receivers that hand
// their consumer to code that knows nothing of metrics. Requires: `next` outlives it.
class CountingConsumer final : public TracesConsumer {
 public:
  CountingConsumer(const ReceiverCounters& counters, TracesConsumer* next)
      : counters_(counters), next_(next) {}
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    ConsumeCounted(next_, counters_, std::move(batch), std::move(done));
  }

 private:
  const ReceiverCounters counters_;
  TracesConsumer* const next_;
};

// The logs twin: otelcol_receiver_accepted_log_records / otelcol_receiver_refused_log_records.
class CountingLogsConsumer final : public LogsConsumer {
 public:
  CountingLogsConsumer(metrics::Registry* registry, const metrics::Labels& labels,
                       LogsConsumer* next);
  void ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, Done done) override;

 private:
  metrics::Counter* accepted_;
  metrics::Counter* refused_;
  LogsConsumer* const next_;
};

}  // namespace th::pipeline

#include "pipeline/receiver_counters.h"

namespace th::pipeline {

ReceiverCounters ReceiverCounters::Make(metrics::Registry* registry,
                                        const metrics::Labels& labels) {
  ReceiverCounters c;
  c.accepted = registry->GetCounter("otelcol_receiver_accepted_spans",
                                    "Number of spans successfully pushed into the pipeline.",
                                    labels);
  c.refused = registry->GetCounter("otelcol_receiver_refused_spans",
                                   "Number of spans that could not be pushed into the pipeline.",
                                   labels);
  return c;
}

void ConsumeCounted(TracesConsumer* next, const ReceiverCounters& counters,
                    std::unique_ptr<model::SpanBatch>&& batch, Done done) {
  const uint64_t spans = batch->span_count();
  next->ConsumeTraces(std::move(batch),
                      [counters, spans, done = std::move(done)](const Status& s) {
                        (s.ok() ? counters.accepted : counters.refused)->Add(spans);
                        done(s);
                      });
}

CountingLogsConsumer::CountingLogsConsumer(metrics::Registry* registry,
                                           const metrics::Labels& labels, LogsConsumer* next)
    : accepted_(registry->GetCounter("otelcol_receiver_accepted_log_records",
                                     "Number of log records successfully pushed into the pipeline.",
                                     labels)),
      refused_(registry->GetCounter("otelcol_receiver_refused_log_records",
                                    "Number of log records that could not be pushed into the "
                                    "pipeline.",
                                    labels)),
      next_(next) {}

void CountingLogsConsumer::ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, Done done) {
  uint64_t n = batch->record_count;
  next_->ConsumeLogs(std::move(batch), [accepted = accepted_, refused = refused_, n,
                                        done = std::move(done)](const Status& s) {
    (s.ok() ? accepted : refused)->Add(n);
    done(s);
  });
}

}  // namespace th::pipeline

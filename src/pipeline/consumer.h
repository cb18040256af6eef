// TracesConsumer and LogsConsumer: the hand-off between pipeline stages (receiver → processors → exporters).
//
// Execution model: a stage passes each batch on by rvalue (it gives up the batch) together with
// a completion callback. The consumer calls `done` exactly once, from any thread, with OK once the
// batch is safely handled (for the store: durable in the write-ahead log), or with the error
// that the receiver must answer. ResourceExhausted and Unavailable mean "retry later" to OTLP
// clients; InvalidArgument means the data itself is bad. Consumers must not block the caller.
#pragma once

#include <functional>
#include <memory>

#include "common/status.h"
#include "model/logs_batch.h"
#include "model/span_batch.h"

namespace th::pipeline {

using Done = std::function<void(const Status&)>;

class TracesConsumer {
 public:
  virtual ~TracesConsumer() = default;
  virtual void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) = 0;
};

// The same contract for `logs` pipelines.
class LogsConsumer {
 public:
  virtual ~LogsConsumer() = default;
  virtual void ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, Done done) = 0;
};

}  // namespace th::pipeline

// Sender: what a concrete exporter implements — one attempt at delivering one batch downstream.
// The queued exporter (export/helper/queued_exporter.h) owns the queue, the workers, the retries,
// the persistence and the metrics around it, so a new exporter is a Sender and a factory.
// `Sender` carries traces (model::SpanBatch), `LogsSender` logs (model::LogsBatch); both are
// BasicSender, and everything below holds for either ("items" are spans or log records).
//
// Outcome of Send, as the Collector's exporterhelper reads it:
//   OK                      delivered (downstream may still have rejected some items: report
//                           their number in SendContext::rejected_items);
//   Permanent(status)       never retried, the batch is dropped and counted (bad data, a
//                           rejected request: OTLP INVALID_ARGUMENT, HTTP 400);
//   any other error         retried with back-off until retry_on_failure.max_elapsed_time;
//                           WithRetryAfter(status, delay) asks for at least `delay` before the
//                           next attempt (gRPC RetryInfo, HTTP Retry-After).
//
// Thread-safety: Send is called concurrently from `sending_queue.num_consumers` workers; Start
// and Shutdown from one thread, Start before any Send and Shutdown after the last.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/status.h"
#include "model/logs_batch.h"
#include "model/span_batch.h"

namespace th::exporter::helper {

struct SendContext {
  // The attempt must end by then (the exporter's `timeout`, cut short by a shutdown deadline).
  std::chrono::steady_clock::time_point deadline;
  // Set by the sender when downstream accepted the request but rejected this many items (spans,
  // log records: OTLP partial success); they are counted as failed, the rest as sent.
  int64_t rejected_items = 0;
  // Kept across the attempts of one batch (0 before the first; 0 again for a batch read back
  // from the persistent queue after a restart). A sender that delivers a batch in several
  // requests (jaeger: one per resource) records how many were accepted, so a retry resumes after
  // them instead of sending them again.
  size_t requests_done = 0;
};

template <typename Batch>
class BasicSender {
 public:
  virtual ~BasicSender() = default;
  // Opens what the sender needs (channels, files). An unreachable downstream is not an error
  // here: it shows as failed, retried sends. Errors stop the service from starting.
  virtual Status Start() { return absl::OkStatus(); }
  // One attempt; see the file comment for the meaning of the result.
  virtual Status Send(const Batch& batch, SendContext& context) = 0;
  // Closes what Start opened (flushes files). No Send runs during or after it.
  virtual void Shutdown() {}
};

using Sender = BasicSender<model::SpanBatch>;
using LogsSender = BasicSender<model::LogsBatch>;

// Marks `status` as permanent: the queued exporter will not retry it.
Status Permanent(Status status);
// True for statuses marked by Permanent.
bool IsPermanent(const Status& status);

// Marks a retryable `status` with the delay downstream asked for before the next attempt.
Status WithRetryAfter(Status status, std::chrono::nanoseconds delay);
// The delay WithRetryAfter attached, if any.
std::optional<std::chrono::nanoseconds> RetryAfterOf(const Status& status);

}  // namespace th::exporter::helper

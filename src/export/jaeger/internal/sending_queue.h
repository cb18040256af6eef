// A bounded sending queue with consumer threads and retry with exponential back-off: the part
// of the Collector's exporterhelper the jaeger exporter needs. Kept free of anything
// Jaeger-specific (the export is a callback) so it can give way to the shared helper in
// src/export/helper/ once that exists.
//
// Semantics: Enqueue() refuses when `queue_size` batches wait (the caller answers "sending queue
// is full"). Each consumer takes one batch at a time and calls the export function until it
// succeeds, fails permanently, or the retry budget (max_elapsed_time) is spent. Shutdown stops
// accepting, lets consumers work through the queue until the deadline (no back-off sleeps past
// it), cancels what is still running and reports the rest as failed.
//
// Thread-safety: Enqueue from any thread; Start/Shutdown from one.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics.h"
#include "common/status.h"
#include "model/span_batch.h"
#include "pipeline/consumer.h"

namespace th::exporter::jaeger {

struct QueueSettings {
  bool enabled = true;
  int num_consumers = 10;
  int queue_size = 1000;  // batches
};

struct RetrySettings {
  bool enabled = true;
  std::chrono::nanoseconds initial_interval = std::chrono::seconds(5);
  std::chrono::nanoseconds max_interval = std::chrono::seconds(30);
  std::chrono::nanoseconds max_elapsed_time = std::chrono::seconds(300);  // 0: forever
  double multiplier = 1.5;
  double randomization_factor = 0.5;
};

// Whether a failed attempt may be retried (gRPC UNAVAILABLE and friends) or not (bad data).
enum class Retryable { kYes, kNo };

struct QueueMetrics {
  metrics::Counter* sent_spans = nullptr;
  metrics::Counter* send_failed_spans = nullptr;
  metrics::Gauge* queue_size = nullptr;
};

class SendingQueue {
 public:
  struct Item {
    std::unique_ptr<model::SpanBatch> batch;
    pipeline::Done done;  // called with the export's outcome (nullptr: nobody waits)
    size_t spans = 0;
    // Export-specific state kept across attempts (for example the requests already sent).
    std::shared_ptr<void> state;
  };
  // One attempt. `cancel_token` is set by the queue before the call; the export registers a
  // cancel function with it so Shutdown can interrupt a running attempt.
  using Cancel = std::function<void()>;
  struct Attempt {
    Status status;
    Retryable retryable = Retryable::kYes;
  };
  using ExportFn = std::function<Attempt(Item& item, const std::function<void(Cancel)>& on_cancel)>;

  SendingQueue(QueueSettings queue, RetrySettings retry, QueueMetrics metrics, std::string name,
               ExportFn fn);
  ~SendingQueue();

  void Start();
  // False when the queue is full or shut down; `item` is left untouched then.
  bool Enqueue(Item& item);
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  size_t size() const;

 private:
  void Consume();
  // Sleeps up to `d`; false when shutdown's deadline cut it short.
  bool Backoff(std::chrono::nanoseconds d);
  void Finish(Item& item, const Status& status);

  const QueueSettings queue_settings_;
  const RetrySettings retry_;
  const QueueMetrics metrics_;
  const std::string name_;
  const ExportFn fn_;

  mutable absl::Mutex mu_;
  std::deque<Item> items_ ABSL_GUARDED_BY(mu_);
  bool accepting_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool past_deadline_ ABSL_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point deadline_ ABSL_GUARDED_BY(mu_);
  std::vector<Cancel*> running_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_){0x6a61656765720000ull};
  std::vector<std::thread> threads_;
};

}  // namespace th::exporter::jaeger

#include "export/jaeger/internal/sending_queue.h"

#include <algorithm>

#include "common/log.h"

namespace th::exporter::jaeger {

using Clock = std::chrono::steady_clock;

SendingQueue::SendingQueue(QueueSettings queue, RetrySettings retry, QueueMetrics metrics,
                           std::string name, ExportFn fn)
    : queue_settings_(queue),
      retry_(retry),
      metrics_(metrics),
      name_(std::move(name)),
      fn_(std::move(fn)) {}

SendingQueue::~SendingQueue() { Shutdown(Clock::now()); }

void SendingQueue::Start() {
  {
    absl::MutexLock l(&mu_);
    if (accepting_ || stopping_) return;
    accepting_ = true;
  }
  int n = std::max(1, queue_settings_.num_consumers);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Consume(); });
}

bool SendingQueue::Enqueue(Item& item) {
  absl::MutexLock l(&mu_);
  size_t capacity = static_cast<size_t>(queue_settings_.enabled
                                            ? queue_settings_.queue_size
                                            : std::max(1, queue_settings_.num_consumers));
  if (!accepting_ || items_.size() >= capacity) return false;
  items_.push_back(std::move(item));
  if (metrics_.queue_size != nullptr) metrics_.queue_size->Set(static_cast<double>(items_.size()));
  return true;
}

size_t SendingQueue::size() const {
  absl::MutexLock l(&mu_);
  return items_.size();
}

void SendingQueue::Shutdown(Clock::time_point deadline) {
  {
    absl::MutexLock l(&mu_);
    if (stopping_) return;
    stopping_ = true;
    accepting_ = false;
    deadline_ = deadline;
  }
  // Consumers drain the queue; at the deadline, running attempts are cancelled and whatever is
  // left fails.
  {
    absl::MutexLock l(&mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return items_.empty() && running_.empty();
    };
    while (!idle() && Clock::now() < deadline) {
      mu_.AwaitWithTimeout(absl::Condition(&idle), absl::Milliseconds(20));
    }
    past_deadline_ = true;
    for (Cancel* c : running_) {
      if (*c) (*c)();
    }
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  std::deque<Item> left;
  {
    absl::MutexLock l(&mu_);
    left.swap(items_);
    if (metrics_.queue_size != nullptr) metrics_.queue_size->Set(0);
  }
  if (!left.empty()) {
    log::Error("dropping queued spans at shutdown", "exporter=", name_,
               " batches=", left.size());
  }
  for (Item& item : left) Finish(item, absl::UnavailableError("exporter shut down"));
}

void SendingQueue::Finish(Item& item, const Status& status) {
  if (status.ok()) {
    if (metrics_.sent_spans != nullptr) metrics_.sent_spans->Add(item.spans);
  } else if (metrics_.send_failed_spans != nullptr) {
    metrics_.send_failed_spans->Add(item.spans);
  }
  if (item.done) item.done(status);
}

bool SendingQueue::Backoff(std::chrono::nanoseconds d) {
  absl::MutexLock l(&mu_);
  Clock::time_point until = Clock::now() + std::chrono::duration_cast<Clock::duration>(d);
  if (stopping_) until = std::min(until, deadline_);
  auto cut = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return past_deadline_; };
  while (!cut() && Clock::now() < until) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    mu_.AwaitWithTimeout(absl::Condition(&cut),
                         absl::Milliseconds(std::clamp<int64_t>(left.count(), 1, 50)));
    if (stopping_) until = std::min(until, deadline_);
  }
  return !past_deadline_ && !(stopping_ && Clock::now() >= deadline_);
}

void SendingQueue::Consume() {
  Cancel cancel;
  for (;;) {
    Item item;
    {
      absl::MutexLock l(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !items_.empty() || stopping_;
      };
      mu_.Await(absl::Condition(&ready));
      if (items_.empty() || past_deadline_) return;
      item = std::move(items_.front());
      items_.pop_front();
      if (metrics_.queue_size != nullptr) {
        metrics_.queue_size->Set(static_cast<double>(items_.size()));
      }
      cancel = nullptr;
      running_.push_back(&cancel);
    }
    Clock::time_point first = Clock::now();
    std::chrono::nanoseconds interval = retry_.initial_interval;
    Status outcome;
    for (int attempt = 1;; ++attempt) {
      Attempt a = fn_(item, [this, &cancel](Cancel c) {
        absl::MutexLock l(&mu_);
        cancel = std::move(c);
        if (past_deadline_ && cancel) cancel();
      });
      if (a.status.ok()) break;
      outcome = a.status;
      if (a.retryable == Retryable::kNo || !retry_.enabled) {
        log::Error("exporting failed, dropping data", "exporter=", name_, " spans=", item.spans,
                   " error=\"", a.status.message(), "\" retryable=",
                   a.retryable == Retryable::kYes ? "true (retry disabled)" : "false");
        break;
      }
      // Randomised exponential back-off, as the Collector's (cenkalti/backoff) policy.
      double jitter = 1.0;
      {
        absl::MutexLock l(&mu_);
        std::uniform_real_distribution<double> u(-retry_.randomization_factor,
                                                 retry_.randomization_factor);
        jitter += u(rng_);
      }
      auto wait = std::chrono::nanoseconds(
          static_cast<int64_t>(static_cast<double>(interval.count()) * jitter));
      auto elapsed = Clock::now() - first;
      if (retry_.max_elapsed_time.count() > 0 && elapsed + wait > retry_.max_elapsed_time) {
        log::Error("exporting failed, retry budget spent, dropping data", "exporter=", name_,
                   " spans=", item.spans, " attempts=", attempt, " error=\"",
                   a.status.message(), "\"");
        break;
      }
      log::Warn("exporting failed, will retry", "exporter=", name_, " attempt=", attempt,
                " interval_ms=", std::chrono::duration_cast<std::chrono::milliseconds>(wait).count(),
                " error=\"", a.status.message(), "\"");
      if (!Backoff(wait)) {
        log::Error("exporting failed, shutting down, dropping data", "exporter=", name_,
                   " spans=", item.spans, " error=\"", a.status.message(), "\"");
        break;
      }
      interval = std::min(retry_.max_interval,
                          std::chrono::nanoseconds(static_cast<int64_t>(
                              static_cast<double>(interval.count()) * retry_.multiplier)));
      outcome = absl::OkStatus();
    }
    {
      absl::MutexLock l(&mu_);
      running_.erase(std::find(running_.begin(), running_.end(), &cancel));
      cancel = nullptr;
    }
    Finish(item, outcome);
  }
}

}  // namespace th::exporter::jaeger

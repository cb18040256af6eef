#include "export/helper/queued_exporter.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <random>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "export/helper/internal/backoff.h"
#include "export/helper/internal/persistent_queue.h"

namespace th::exporter::helper {
namespace {

using Clock = std::chrono::steady_clock;

absl::Duration Until(Clock::time_point t) {
  if (t == Clock::time_point::max()) return absl::InfiniteDuration();
  return absl::FromChrono(std::chrono::duration_cast<std::chrono::nanoseconds>(t - Clock::now()));
}

int64_t Millis(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// Logs at most one line per interval; the lines skipped in between are reported with the next.
class LogLimiter {
 public:
  // Returns the number of suppressed lines (>= 0) when this one should be logged, -1 otherwise.
  int64_t Allow() {
    int64_t now = Clock::now().time_since_epoch().count();
    int64_t last = last_.load(std::memory_order_relaxed);
    if (last != 0 && now - last < kIntervalNs) {
      suppressed_.fetch_add(1, std::memory_order_relaxed);
      return -1;
    }
    if (!last_.compare_exchange_strong(last, now)) {
      suppressed_.fetch_add(1, std::memory_order_relaxed);
      return -1;
    }
    return suppressed_.exchange(0);
  }

 private:
  static constexpr int64_t kIntervalNs = 5'000'000'000;
  std::atomic<int64_t> last_{0};
  std::atomic<int64_t> suppressed_{0};
};

class QueuedExporter final : public pipeline::Exporter {
 public:
  QueuedExporter(std::string id, const pipeline::Host& host, const HelperSettings& settings,
                 std::unique_ptr<Sender> sender)
      : id_(std::move(id)),
        settings_(settings),
        sender_(std::move(sender)),
        report_outcome_(!settings.queue.enabled || settings.queue.wait_for_result),
        capacity_(settings.queue.queue_size > 0 ? static_cast<uint64_t>(settings.queue.queue_size)
                                                : 1000) {
    if (settings.queue.enabled && !settings.queue.storage.empty()) {
      files_ = std::make_unique<internal::BatchFiles>(
          th::StrCat(host.data_dir, "/", internal::QueueDirName(id_)));
    }
    metrics::Labels labels = {{"exporter", id_}};
    metrics::Registry* m = host.metrics;
    sent_ = m->GetCounter("otelcol_exporter_sent_spans",
                          "Number of spans successfully sent to destination.", labels);
    send_failed_ = m->GetCounter("otelcol_exporter_send_failed_spans",
                                 "Number of spans in failed attempts to send to destination.",
                                 labels);
    enqueue_failed_ = m->GetCounter("otelcol_exporter_enqueue_failed_spans",
                                    "Number of spans failed to be added to the sending queue.",
                                    labels);
    queue_size_ = m->GetGauge("otelcol_exporter_queue_size", "Current size of the retry queue.",
                              labels);
    queue_capacity_ = m->GetGauge("otelcol_exporter_queue_capacity",
                                  "Fixed capacity of the retry queue.", labels);
    queue_capacity_->Set(static_cast<double>(capacity_));
    queue_size_->Set(0);
  }

  ~QueuedExporter() override { Shutdown(Clock::now()); }

  bool AcknowledgesDurably() const override { return report_outcome_ || files_ != nullptr; }

  Status Start() override {
    {
      absl::MutexLock lock(&mu_);
      if (started_) return absl::FailedPreconditionError(th::StrCat("exporter ", id_, ": started twice"));
    }
    if (files_ != nullptr) {
      Result<std::vector<internal::BatchFileInfo>> found = files_->Open();
      if (!found.ok()) {
        return absl::Status(found.status().code(),
                            th::StrCat("exporter ", id_, ": persistent queue: ",
                                       Message(found.status())));
      }
      absl::MutexLock lock(&mu_);
      uint64_t spans = 0;
      for (const internal::BatchFileInfo& f : *found) {
        Item item;
        item.seq = f.seq;
        item.spans = f.spans;
        item.size = SizeFor(1, f.spans, f.bytes);
        used_ += item.size;
        spans += f.spans;
        next_seq_ = std::max(next_seq_, f.seq + 1);
        queue_.push_back(std::move(item));
      }
      UpdateGauge();
      if (!found->empty()) {
        log::Info("persistent sending queue: resuming batches left by a previous run",
                  "exporter=", id_, " batches=", found->size(), " spans=", spans,
                  " dir=", files_->dir());
      }
    }
    Status s = sender_->Start();
    if (!s.ok()) return s;
    absl::MutexLock lock(&mu_);
    started_ = true;
    if (files_ != nullptr) persister_ = std::thread([this] { PersistLoop(); });
    for (int i = 0; i < settings_.queue.num_consumers; ++i) {
      workers_.emplace_back([this] { WorkLoop(); });
    }
    return absl::OkStatus();
  }

  void Shutdown(Clock::time_point deadline) override {
    bool was_started;
    {
      absl::MutexLock lock(&mu_);
      if (shut_down_) return;
      was_started = started_;
      shut_down_ = true;
      stopping_ = true;
      shutdown_deadline_ = deadline;
      if (started_) {
        // Drain: wait until nothing is queued, being written or being sent, or the deadline.
        auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return queue_.empty() && to_persist_.empty() && !persisting_ && busy_ == 0;
        };
        work_cv_.SignalAll();
        persist_cv_.SignalAll();
        mu_.AwaitWithTimeout(absl::Condition(&drained), Until(deadline));
      }
      aborted_ = true;
      work_cv_.SignalAll();
      persist_cv_.SignalAll();
    }
    if (persister_.joinable()) persister_.join();
    for (std::thread& t : workers_) t.join();
    workers_.clear();

    std::deque<Item> left;
    std::deque<Pending> unwritten;
    {
      absl::MutexLock lock(&mu_);
      left.swap(queue_);
      unwritten.swap(to_persist_);
      used_ = 0;
      UpdateGauge();
    }
    uint64_t dropped = 0;
    uint64_t kept = 0;
    for (Item& item : left) {
      if (item.batch == nullptr && files_ != nullptr) {
        kept += item.spans;  // on disk for the next start
        if (item.done) item.done(absl::UnavailableError("exporter shut down before sending"));
        continue;
      }
      dropped += item.spans;
      if (item.done) item.done(absl::UnavailableError("exporter shut down before sending"));
    }
    for (Pending& p : unwritten) {  // only when never started
      dropped += p.spans;
      p.done(absl::UnavailableError("exporter shut down before sending"));
    }
    if (dropped > 0) {
      send_failed_->Add(dropped);
      log::Error("Dropping data: the exporter shut down before the queue drained", "exporter=",
                 id_, " dropped_items=", dropped);
    }
    if (kept > 0) {
      log::Info("persistent sending queue: batches kept on disk for the next start",
                "exporter=", id_, " spans=", kept);
    }
    if (was_started) sender_->Shutdown();
  }

  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    const uint64_t spans = batch->span_count();
    const uint64_t bytes =
        batch->otlp_encoding.empty() ? batch->MemoryUsage() : batch->otlp_encoding.size();
    const uint64_t size = SizeFor(1, spans, bytes);
    Status refused;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) {
        refused = absl::UnavailableError(th::StrCat("exporter ", id_, " is shutting down"));
      } else if (used_ + size > capacity_) {
        refused = absl::UnavailableError("sending queue is full");
      } else {
        used_ += size;
        UpdateGauge();
        if (files_ != nullptr) {
          to_persist_.push_back(Pending{std::move(batch), std::move(done), spans, size});
          persist_cv_.Signal();
          return;
        }
        Item item;
        item.batch = std::move(batch);
        item.spans = spans;
        item.size = size;
        if (report_outcome_) item.done = std::move(done);
        queue_.push_back(std::move(item));
        work_cv_.Signal();
      }
    }
    if (!refused.ok()) {
      enqueue_failed_->Add(spans);
      if (int64_t skipped = full_log_.Allow(); skipped >= 0) {
        log::Warn("Dropping data because sending_queue is full", "exporter=", id_,
                  " dropped_items=", spans, " error=\"", Message(refused), "\"",
                  skipped > 0 ? th::StrCat(" similar_lines_suppressed=", skipped) : "");
      }
      done(refused);
      return;
    }
    if (!report_outcome_) done(absl::OkStatus());
  }

 private:
  struct Item {
    std::unique_ptr<model::SpanBatch> batch;  // null for a persisted batch (read back to send)
    uint64_t seq = 0;                         // persisted: the file's sequence number
    uint64_t spans = 0;
    uint64_t size = 0;  // in sizer units
    pipeline::Done done;  // set when the send's outcome goes upstream
  };
  struct Pending {  // waiting to be written to the persistent queue
    std::unique_ptr<model::SpanBatch> batch;
    pipeline::Done done;
    uint64_t spans = 0;
    uint64_t size = 0;
  };
  enum class Outcome { kSent, kDropped, kAborted };

  uint64_t SizeFor(uint64_t requests, uint64_t spans, uint64_t bytes) const {
    switch (settings_.queue.sizer) {
      case QueueSizer::kRequests:
        return requests;
      case QueueSizer::kItems:
        return spans;
      case QueueSizer::kBytes:
        return bytes;
    }
    return requests;
  }

  void UpdateGauge() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    queue_size_->Set(static_cast<double>(used_));
  }

  void PersistLoop() {
    for (;;) {
      std::deque<Pending> work;
      uint64_t first_seq;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return !to_persist_.empty() || stopping_;
        };
        mu_.Await(absl::Condition(&ready));
        if (to_persist_.empty()) return;  // stopping and nothing left to write
        work.swap(to_persist_);
        persisting_ = true;
        first_seq = next_seq_;
        next_seq_ += work.size();
      }
      std::vector<Status> results;
      results.reserve(work.size());
      for (size_t i = 0; i < work.size(); ++i) {
        results.push_back(files_->Write(first_seq + i, *work[i].batch).status());
      }
      std::vector<pipeline::Done> acks;
      {
        absl::MutexLock lock(&mu_);
        for (size_t i = 0; i < work.size(); ++i) {
          if (!results[i].ok()) {
            used_ -= work[i].size;
            continue;
          }
          Item item;
          item.seq = first_seq + i;
          item.spans = work[i].spans;
          item.size = work[i].size;
          if (report_outcome_) {
            item.done = std::move(work[i].done);
          } else {
            acks.push_back(std::move(work[i].done));
          }
          queue_.push_back(std::move(item));
        }
        persisting_ = false;
        UpdateGauge();
        work_cv_.SignalAll();
      }
      for (pipeline::Done& ack : acks) ack(absl::OkStatus());
      for (size_t i = 0; i < work.size(); ++i) {
        if (results[i].ok()) continue;
        enqueue_failed_->Add(work[i].spans);
        log::Error("Dropping data because the persistent sending queue cannot store it",
                   "exporter=", id_, " dropped_items=", work[i].spans, " error=\"",
                   Message(results[i]), "\"");
        work[i].done(absl::UnavailableError(
            th::StrCat("persistent sending queue: ", Message(results[i]))));
      }
    }
  }

  void WorkLoop() {
    std::mt19937_64 rng(std::random_device{}());
    for (;;) {
      Item item;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return aborted_ || !queue_.empty() ||
                 (stopping_ && to_persist_.empty() && !persisting_);
        };
        mu_.Await(absl::Condition(&ready));
        if (aborted_ || queue_.empty()) return;
        item = std::move(queue_.front());
        queue_.pop_front();
        used_ -= item.size;
        ++busy_;
        UpdateGauge();
      }
      Process(std::move(item), &rng);
      absl::MutexLock lock(&mu_);
      --busy_;
    }
  }

  void Process(Item item, std::mt19937_64* rng) {
    std::unique_ptr<model::SpanBatch> loaded;
    const model::SpanBatch* batch = item.batch.get();
    if (batch == nullptr) {
      Result<std::unique_ptr<model::SpanBatch>> read = files_->Read(item.seq);
      if (!read.ok()) {
        send_failed_->Add(item.spans);
        log::Error("Dropping data: unreadable persistent queue file", "exporter=", id_,
                   " dropped_items=", item.spans, " error=\"", Message(read.status()), "\"");
        files_->Remove(item.seq).IgnoreError();
        if (item.done) item.done(absl::DataLossError(read.status().message()));
        return;
      }
      loaded = std::move(read).value();
      batch = loaded.get();
    }
    Status last;
    Outcome outcome = Deliver(*batch, item.spans, rng, &last);
    if (outcome == Outcome::kAborted) {
      if (files_ == nullptr) {
        send_failed_->Add(item.spans);
        log::Error("Dropping data: the exporter shut down while retrying", "exporter=", id_,
                   " dropped_items=", item.spans, " error=\"", Message(last), "\"");
      }
      if (item.done) {
        item.done(absl::UnavailableError(
            th::StrCat("exporter shut down before the batch was sent: ", Message(last))));
      }
      return;
    }
    if (files_ != nullptr) {
      Status removed = files_->Remove(item.seq);
      if (!removed.ok()) {
        log::Error("cannot delete a sent batch from the persistent queue; it will be sent again "
                   "after a restart",
                   "exporter=", id_, " error=\"", Message(removed), "\"");
      }
    }
    if (!item.done) return;
    if (outcome == Outcome::kSent) {
      item.done(absl::OkStatus());
    } else if (IsPermanent(last)) {
      item.done(absl::InvalidArgumentError(last.message()));
    } else {
      item.done(absl::UnavailableError(last.message()));
    }
  }

  // Sends `batch` until it is delivered, fails permanently, runs out of retries or shutdown
  // aborts; counts the outcome. *last is the last error.
  Outcome Deliver(const model::SpanBatch& batch, uint64_t spans, std::mt19937_64* rng,
                  Status* last) {
    const Clock::time_point start = Clock::now();
    internal::BackOff backoff(settings_.retry, rng);
    size_t requests_done = 0;
    for (;;) {
      SendContext context;
      context.requests_done = requests_done;
      {
        absl::MutexLock lock(&mu_);
        if (aborted_) return Outcome::kAborted;
        context.deadline = std::min(
            Clock::now() + std::chrono::duration_cast<Clock::duration>(settings_.timeout),
            shutdown_deadline_);
      }
      Status s = sender_->Send(batch, context);
      requests_done = context.requests_done;
      if (s.ok()) {
        uint64_t rejected =
            std::min<uint64_t>(static_cast<uint64_t>(std::max<int64_t>(context.rejected_spans, 0)),
                               spans);
        sent_->Add(spans - rejected);
        if (rejected > 0) send_failed_->Add(rejected);
        return Outcome::kSent;
      }
      *last = s;
      if (IsPermanent(s)) {
        send_failed_->Add(spans);
        log::Error("Exporting failed. The error is not retryable. Dropping data.", "exporter=",
                   id_, " error=\"", Message(s), "\" dropped_items=", spans);
        return Outcome::kDropped;
      }
      if (!settings_.retry.enabled) {
        send_failed_->Add(spans);
        log::Error(
            "Exporting failed. Dropping data. Try enabling retry_on_failure config option to "
            "retry on retryable errors.",
            "exporter=", id_, " error=\"", Message(s), "\" dropped_items=", spans);
        return Outcome::kDropped;
      }
      std::optional<std::chrono::nanoseconds> wait =
          backoff.Next(Clock::now() - start, RetryAfterOf(s).value_or(std::chrono::nanoseconds(0)));
      if (!wait.has_value()) {
        send_failed_->Add(spans);
        log::Error("Exporting failed. No more retries left. Dropping data.", "exporter=", id_,
                   " error=\"", Message(s), "\" dropped_items=", spans);
        return Outcome::kDropped;
      }
      log::Warn("Exporting failed. Will retry the request after interval.", "exporter=", id_,
                " error=\"", Message(s), "\" interval=", Millis(*wait), "ms");
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&aborted_), absl::FromChrono(*wait))) {
        return Outcome::kAborted;
      }
    }
  }

  const std::string id_;
  const HelperSettings settings_;
  const std::unique_ptr<Sender> sender_;
  const bool report_outcome_;
  const uint64_t capacity_;
  std::unique_ptr<internal::BatchFiles> files_;  // persistent queue only

  metrics::Counter* sent_;
  metrics::Counter* send_failed_;
  metrics::Counter* enqueue_failed_;
  metrics::Gauge* queue_size_;
  metrics::Gauge* queue_capacity_;
  LogLimiter full_log_;

  absl::Mutex mu_;
  absl::CondVar work_cv_;
  absl::CondVar persist_cv_;
  std::deque<Item> queue_ ABSL_GUARDED_BY(mu_);
  std::deque<Pending> to_persist_ ABSL_GUARDED_BY(mu_);
  uint64_t used_ ABSL_GUARDED_BY(mu_) = 0;  // queued + being written, in sizer units
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;
  int busy_ ABSL_GUARDED_BY(mu_) = 0;  // items workers are sending
  bool persisting_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool aborted_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  Clock::time_point shutdown_deadline_ ABSL_GUARDED_BY(mu_) = Clock::time_point::max();

  std::thread persister_;
  std::vector<std::thread> workers_;
};

}  // namespace

Result<std::unique_ptr<pipeline::Exporter>> NewQueuedExporter(
    const pipeline::CreateSettings& create, const HelperSettings& settings,
    std::unique_ptr<Sender> sender) {
  if (create.host == nullptr || sender == nullptr) {
    return absl::InvalidArgumentError("queued exporter: host and sender are required");
  }
  if (settings.queue.enabled && !settings.queue.storage.empty() && create.host->data_dir.empty()) {
    return absl::InvalidArgumentError(th::StrCat(
        "exporter ", create.id.ToString(), ": a persistent queue needs a data directory"));
  }
  return std::unique_ptr<pipeline::Exporter>(std::make_unique<QueuedExporter>(
      create.id.ToString(), *create.host, settings, std::move(sender)));
}

}  // namespace th::exporter::helper

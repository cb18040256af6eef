// QueueEngine: the machinery of the queued exporter (export/helper/queued_exporter.h, whose
// file comment is the design note: acknowledgement, persistence, shutdown, metrics), written
// once for every signal. `Signal` says what a batch is and how it is counted and stored:
//
//   struct Signal {
//     using Batch = ...;                                  // model::SpanBatch, model::LogsBatch
//     static constexpr std::string_view kItems;           // metric suffix: "spans", "log_records"
//     static constexpr std::string_view kItemsText;       // help text: "spans", "log records"
//     static constexpr std::string_view kQueueDataType;   // data_type label of the queue gauges
//                                                         // ("" for none)
//     static constexpr QueueSignal kQueueSignal;          // persistent queue files and directory
//     static uint64_t Items(const Batch&);
//     static uint64_t Bytes(const Batch&);                // for sizer: bytes
//     static std::string_view Payload(const Batch&, std::string* scratch);  // OTLP request bytes
//     static Result<std::unique_ptr<Batch>> FromStored(StoredBatch&&);
//   };
//
// The pipeline-facing exporter classes (queued_exporter.cc) wrap one engine each and forward
// Start, Shutdown and ConsumeTraces / ConsumeLogs to it.
// Thread-safety: Consume from any thread; Start and Shutdown from one.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status.h"
#include "common/strings.h"
#include "export/helper/internal/backoff.h"
#include "export/helper/internal/persistent_queue.h"
#include "export/helper/sender.h"
#include "export/helper/settings.h"
#include "pipeline/component.h"

namespace th::exporter::helper::internal {

using Clock = std::chrono::steady_clock;

inline absl::Duration Until(Clock::time_point t) {
  if (t == Clock::time_point::max()) return absl::InfiniteDuration();
  return absl::FromChrono(std::chrono::duration_cast<std::chrono::nanoseconds>(t - Clock::now()));
}

inline int64_t Millis(std::chrono::nanoseconds d) {
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

template <typename Signal>
class QueueEngine {
 public:
  using Batch = typename Signal::Batch;

  QueueEngine(std::string id, const pipeline::Host& host, const HelperSettings& settings,
              std::unique_ptr<BasicSender<Batch>> sender)
      : id_(std::move(id)),
        settings_(settings),
        sender_(std::move(sender)),
        report_outcome_(!settings.queue.enabled || settings.queue.wait_for_result),
        capacity_(settings.queue.queue_size > 0 ? static_cast<uint64_t>(settings.queue.queue_size)
                                                : 1000) {
    if (settings.queue.enabled && !settings.queue.storage.empty()) {
      files_ = std::make_unique<BatchFiles>(QueueDir(host.data_dir, id_, Signal::kQueueSignal),
                                            Signal::kQueueSignal);
    }
    metrics::Labels labels = {{"exporter", id_}};
    metrics::Registry* m = host.metrics;
    sent_ = m->GetCounter(th::StrCat("otelcol_exporter_sent_", Signal::kItems),
                          th::StrCat("Number of ", Signal::kItemsText,
                                     " successfully sent to destination."),
                          labels);
    send_failed_ = m->GetCounter(th::StrCat("otelcol_exporter_send_failed_", Signal::kItems),
                                 th::StrCat("Number of ", Signal::kItemsText,
                                            " in failed attempts to send to destination."),
                                 labels);
    enqueue_failed_ = m->GetCounter(th::StrCat("otelcol_exporter_enqueue_failed_", Signal::kItems),
                                    th::StrCat("Number of ", Signal::kItemsText,
                                               " failed to be added to the sending queue."),
                                    labels);
    // Counted at every failed attempt, so a dead or unresolvable destination shows at once, long
    // before retries run out and send_failed counts the dropped items.
    retries_ = m->GetCounter("tracehouse_exporter_retries_total",
                             "Failed attempts to send that will be retried (any signal).", labels);
    metrics::Labels queue_labels = labels;
    if (!Signal::kQueueDataType.empty()) {
      queue_labels.emplace_back("data_type", std::string(Signal::kQueueDataType));
    }
    queue_size_ = m->GetGauge("otelcol_exporter_queue_size", "Current size of the retry queue.",
                              queue_labels);
    queue_capacity_ = m->GetGauge("otelcol_exporter_queue_capacity",
                                  "Fixed capacity of the retry queue.", queue_labels);
    queue_capacity_->Set(static_cast<double>(capacity_));
    queue_size_->Set(0);
  }

  ~QueueEngine() { Shutdown(Clock::now()); }

  bool AcknowledgesDurably() const { return report_outcome_ || files_ != nullptr; }

  Status Start() {
    {
      absl::MutexLock lock(&mu_);
      if (started_) return absl::FailedPreconditionError(th::StrCat("exporter ", id_, ": started twice"));
    }
    if (files_ != nullptr) {
      Result<std::vector<BatchFileInfo>> found = files_->Open();
      if (!found.ok()) {
        return absl::Status(found.status().code(),
                            th::StrCat("exporter ", id_, ": persistent queue: ",
                                       Message(found.status())));
      }
      absl::MutexLock lock(&mu_);
      uint64_t items = 0;
      for (const BatchFileInfo& f : *found) {
        Item item;
        item.seq = f.seq;
        item.items = f.items;
        item.size = SizeFor(1, f.items, f.bytes);
        used_ += item.size;
        items += f.items;
        next_seq_ = std::max(next_seq_, f.seq + 1);
        queue_.push_back(std::move(item));
      }
      UpdateGauge();
      if (!found->empty()) {
        log::Info("persistent sending queue: resuming batches left by a previous run",
                  "exporter=", id_, " batches=", found->size(), " ", Signal::kItems, "=",
                  items,
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

  void Shutdown(Clock::time_point deadline) {
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
        kept += item.items;  // on disk for the next start
        if (item.done) item.done(absl::UnavailableError("exporter shut down before sending"));
        continue;
      }
      dropped += item.items;
      if (item.done) item.done(absl::UnavailableError("exporter shut down before sending"));
    }
    for (Pending& p : unwritten) {  // only when never started
      dropped += p.items;
      p.done(absl::UnavailableError("exporter shut down before sending"));
    }
    if (dropped > 0) {
      send_failed_->Add(dropped);
      log::Error("Dropping data: the exporter shut down before the queue drained", "exporter=",
                 id_, " dropped_items=", dropped);
    }
    if (kept > 0) {
      log::Info("persistent sending queue: batches kept on disk for the next start",
                "exporter=", id_, " ", Signal::kItems, "=", kept);
    }
    if (was_started) sender_->Shutdown();
  }

  // ConsumeTraces / ConsumeLogs.
  void Consume(std::unique_ptr<Batch>&& batch, pipeline::Done done) {
    const uint64_t items = Signal::Items(*batch);
    const uint64_t size = SizeFor(1, items, Signal::Bytes(*batch));
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
          to_persist_.push_back(Pending{std::move(batch), std::move(done), items, size});
          persist_cv_.Signal();
          return;
        }
        Item item;
        item.batch = std::move(batch);
        item.items = items;
        item.size = size;
        if (report_outcome_) item.done = std::move(done);
        queue_.push_back(std::move(item));
        work_cv_.Signal();
      }
    }
    if (!refused.ok()) {
      enqueue_failed_->Add(items);
      if (int64_t skipped = full_log_.Allow(); skipped >= 0) {
        log::Warn("Dropping data because sending_queue is full", "exporter=", id_,
                  " dropped_items=", items, " error=\"", Message(refused), "\"",
                  skipped > 0 ? th::StrCat(" similar_lines_suppressed=", skipped) : "");
      }
      done(refused);
      return;
    }
    if (!report_outcome_) done(absl::OkStatus());
  }

 private:
  struct Item {
    std::unique_ptr<Batch> batch;  // null for a persisted batch (read back to send)
    uint64_t seq = 0;              // persisted: the file's sequence number
    uint64_t items = 0;
    uint64_t size = 0;  // in sizer units
    pipeline::Done done;  // set when the send's outcome goes upstream
  };
  struct Pending {  // waiting to be written to the persistent queue
    std::unique_ptr<Batch> batch;
    pipeline::Done done;
    uint64_t items = 0;
    uint64_t size = 0;
  };
  enum class Outcome { kSent, kDropped, kAborted };

  uint64_t SizeFor(uint64_t requests, uint64_t items, uint64_t bytes) const {
    switch (settings_.queue.sizer) {
      case QueueSizer::kRequests:
        return requests;
      case QueueSizer::kItems:
        return items;
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
        std::string scratch;
        std::string_view payload = Signal::Payload(*work[i].batch, &scratch);
        results.push_back(files_->Write(first_seq + i, work[i].batch->tenant,
                                        work[i].items, payload)
                              .status());
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
          item.items = work[i].items;
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
        enqueue_failed_->Add(work[i].items);
        log::Error("Dropping data because the persistent sending queue cannot store it",
                   "exporter=", id_, " dropped_items=", work[i].items, " error=\"",
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
    std::unique_ptr<Batch> loaded;
    const Batch* batch = item.batch.get();
    if (batch == nullptr) {
      Result<std::unique_ptr<Batch>> read = Read(item.seq);
      if (!read.ok()) {
        send_failed_->Add(item.items);
        log::Error("Dropping data: unreadable persistent queue file", "exporter=", id_,
                   " dropped_items=", item.items, " error=\"", Message(read.status()), "\"");
        files_->Remove(item.seq).IgnoreError();
        if (item.done) item.done(absl::DataLossError(read.status().message()));
        return;
      }
      loaded = std::move(read).value();
      batch = loaded.get();
    }
    Status last;
    Outcome outcome = Deliver(*batch, item.items, rng, &last);
    if (outcome == Outcome::kAborted) {
      if (files_ == nullptr) {
        send_failed_->Add(item.items);
        log::Error("Dropping data: the exporter shut down while retrying", "exporter=", id_,
                   " dropped_items=", item.items, " error=\"", Message(last), "\"");
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
  Outcome Deliver(const Batch& batch, uint64_t items, std::mt19937_64* rng, Status* last) {
    const Clock::time_point start = Clock::now();
    BackOff backoff(settings_.retry, rng);
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
            std::min<uint64_t>(static_cast<uint64_t>(std::max<int64_t>(context.rejected_items, 0)),
                               items);
        sent_->Add(items - rejected);
        if (rejected > 0) send_failed_->Add(rejected);
        return Outcome::kSent;
      }
      *last = s;
      if (IsPermanent(s)) {
        send_failed_->Add(items);
        log::Error("Exporting failed. The error is not retryable. Dropping data.", "exporter=",
                   id_, " error=\"", Message(s), "\" dropped_items=", items);
        return Outcome::kDropped;
      }
      if (!settings_.retry.enabled) {
        send_failed_->Add(items);
        log::Error(
            "Exporting failed. Dropping data. Try enabling retry_on_failure config option to "
            "retry on retryable errors.",
            "exporter=", id_, " error=\"", Message(s), "\" dropped_items=", items);
        return Outcome::kDropped;
      }
      std::optional<std::chrono::nanoseconds> wait =
          backoff.Next(Clock::now() - start, RetryAfterOf(s).value_or(std::chrono::nanoseconds(0)));
      if (!wait.has_value()) {
        send_failed_->Add(items);
        log::Error("Exporting failed. No more retries left. Dropping data.", "exporter=", id_,
                   " error=\"", Message(s), "\" dropped_items=", items);
        return Outcome::kDropped;
      }
      retries_->Add();
      log::Warn("Exporting failed. Will retry the request after interval.", "exporter=", id_,
                " error=\"", Message(s), "\" interval=", Millis(*wait), "ms");
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&aborted_), absl::FromChrono(*wait))) {
        return Outcome::kAborted;
      }
    }
  }

  // A persisted batch, read back.
  Result<std::unique_ptr<Batch>> Read(uint64_t seq) const {
    ASSIGN_OR_RETURN(StoredBatch stored, files_->Read(seq));
    Result<std::unique_ptr<Batch>> batch = Signal::FromStored(std::move(stored));
    if (!batch.ok()) {
      return absl::DataLossError(th::StrCat("persistent queue file ", seq, " in ", files_->dir(),
                                            ": ", Message(batch.status())));
    }
    return batch;
  }

  const std::string id_;
  const HelperSettings settings_;
  const std::unique_ptr<BasicSender<Batch>> sender_;
  const bool report_outcome_;
  const uint64_t capacity_;
  std::unique_ptr<BatchFiles> files_;  // persistent queue only

  metrics::Counter* sent_;
  metrics::Counter* send_failed_;
  metrics::Counter* enqueue_failed_;
  metrics::Counter* retries_ = nullptr;
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


}  // namespace th::exporter::helper::internal

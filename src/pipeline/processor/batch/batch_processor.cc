#include "pipeline/processor/batch/batch_processor.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "common/config/node.h"
#include "common/strings.h"
#include "model/span_batch_merge.h"
#include "pipeline/join_answers.h"

namespace th::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

struct BatchOptions {
  std::chrono::nanoseconds timeout = std::chrono::milliseconds(200);
  uint64_t send_batch_size = 8192;
  uint64_t send_batch_max_size = 0;
};

Result<BatchOptions> ParseOptions(const config::Node& c) {
  BatchOptions o;
  RETURN_IF_ERROR(c.CheckKeys({"timeout", "send_batch_size", "send_batch_max_size",
                               "metadata_keys", "metadata_cardinality_limit"}));
  RETURN_IF_ERROR(c.GetDuration("timeout", &o.timeout));
  RETURN_IF_ERROR(c.GetUint("send_batch_size", &o.send_batch_size));
  RETURN_IF_ERROR(c.GetUint("send_batch_max_size", &o.send_batch_max_size));
  uint64_t cardinality = 1000;
  RETURN_IF_ERROR(c.GetUint("metadata_cardinality_limit", &cardinality));
  std::vector<std::string> keys;
  RETURN_IF_ERROR(c.GetStringList("metadata_keys", &keys));
  for (std::string k : keys) {
    std::transform(k.begin(), k.end(), k.begin(), ::tolower);
    if (k != "x-scope-orgid") {
      return c["metadata_keys"].Error(th::StrCat(
          "metadata key \"", k,
          "\" is not kept with spans; only x-scope-orgid is (batches are always split by it)"));
    }
  }
  if (o.send_batch_max_size > 0 && o.send_batch_max_size < o.send_batch_size) {
    return c["send_batch_max_size"].Error("must be 0 or at least send_batch_size");
  }
  return o;
}

// What differs between the signals: how batches are counted, joined, cut and handed on.
struct TracesSignal {
  using Batch = model::SpanBatch;
  using Consumer = TracesConsumer;
  using Base = Processor;
  static size_t Count(const Batch& b) { return b.span_count(); }
  static void Send(Consumer* next, std::unique_ptr<Batch>&& b, Done done) {
    next->ConsumeTraces(std::move(b), std::move(done));
  }
  // Joined, then cut into pieces of at most `max` spans (0: no cap).
  static std::vector<std::unique_ptr<Batch>> Pieces(std::vector<std::unique_ptr<Batch>> parts,
                                                    uint64_t max) {
    std::unique_ptr<Batch> joined =
        parts.size() == 1 ? std::move(parts.front()) : model::JoinBatches(std::move(parts));
    std::vector<std::unique_ptr<Batch>> pieces;
    size_t n = joined->span_count();
    if (max == 0 || n <= max) {
      pieces.push_back(std::move(joined));
      return pieces;
    }
    std::vector<uint32_t> indices;
    for (size_t begin = 0; begin < n; begin += max) {
      size_t end = std::min<size_t>(n, begin + max);
      indices.clear();
      for (size_t i = begin; i < end; ++i) indices.push_back(static_cast<uint32_t>(i));
      pieces.push_back(model::CopySpans(*joined, indices));
    }
    return pieces;
  }
};

struct LogsSignal {
  using Batch = model::LogsBatch;
  using Consumer = LogsConsumer;
  using Base = LogsProcessor;
  static size_t Count(const Batch& b) { return b.record_count; }
  static void Send(Consumer* next, std::unique_ptr<Batch>&& b, Done done) {
    next->ConsumeLogs(std::move(b), std::move(done));
  }
  // Logs stay encoded: requests are concatenated (a valid ExportLogsServiceRequest) and cut only
  // between requests, so a piece exceeds `max` only when one request alone does.
  static std::vector<std::unique_ptr<Batch>> Pieces(std::vector<std::unique_ptr<Batch>> parts,
                                                    uint64_t max) {
    std::vector<std::unique_ptr<Batch>> pieces;
    for (auto& part : parts) {
      if (pieces.empty() ||
          (max > 0 && pieces.back()->record_count + part->record_count > max)) {
        pieces.push_back(std::move(part));
        continue;
      }
      pieces.back()->otlp.append(part->otlp);
      pieces.back()->record_count += part->record_count;
    }
    return pieces;
  }
};

template <typename Signal>
class BatchProcessor final : public Signal::Base {
  using Batch = typename Signal::Batch;

 public:
  BatchProcessor(const CreateSettings& settings, BatchOptions options,
                 typename Signal::Consumer* next)
      : options_(options), next_(next) {
    metrics::Labels labels = {{"processor", settings.id.ToString()}};
    metrics::Registry* m = settings.host->metrics;
    size_trigger_ = m->GetCounter("otelcol_processor_batch_batch_size_trigger_send",
                                  "Sends because a batch reached send_batch_size.", labels);
    timeout_trigger_ = m->GetCounter("otelcol_processor_batch_timeout_trigger_send",
                                     "Sends because a batch waited for timeout.", labels);
    send_size_ = m->GetHistogram("otelcol_processor_batch_batch_send_size",
                                 "Items per send.", {10, 25, 50, 75, 100, 250, 500, 750, 1000,
                                                     2000, 3000, 4000, 5000, 6000, 7000, 8000,
                                                     9000, 10000, 20000, 30000, 50000, 100000},
                                 labels);
  }

  ~BatchProcessor() override { Shutdown(Clock::now()); }

  Status Start() override {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    timer_ = std::thread([this] { TimerLoop(); });
    return absl::OkStatus();
  }

  // From now on every batch is sent as it arrives; what waits is sent now.
  void Drain() override {
    std::vector<Pending> all;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      for (auto& [tenant, p] : pending_) all.push_back(std::move(p));
      pending_.clear();
    }
    wake_.notify_all();
    for (Pending& p : all) Send(std::move(p));
  }

  void Shutdown(Clock::time_point) override {
    Drain();
    if (timer_.joinable()) timer_.join();
  }

  void Consume(std::unique_ptr<Batch>&& batch, Done done) {
    if (Signal::Count(*batch) == 0) {
      done(absl::OkStatus());
      return;
    }
    Pending ready;
    bool send_now = false;
    bool by_size = false;
    bool wake_first = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::string tenant = batch->tenant;
      Pending& p = pending_[tenant];
      if (p.parts.empty()) {
        p.since = Clock::now();
        wake_first = true;
      }
      p.items += Signal::Count(*batch);
      p.parts.push_back(std::move(batch));
      p.dones.push_back(std::move(done));
      by_size = p.items >= options_.send_batch_size;
      if (options_.timeout.count() == 0 || by_size || stopping_) {
        ready = std::move(p);
        pending_.erase(tenant);
        send_now = true;
      }
    }
    if (send_now) {
      if (by_size) size_trigger_->Add();
      Send(std::move(ready));
    } else if (wake_first) {
      wake_.notify_one();  // the timer may be sleeping past this batch's deadline
    }
  }

  // The consumer interface of the signal (only one of these is an override).
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) {
    Consume(std::move(batch), std::move(done));
  }
  void ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, Done done) {
    Consume(std::move(batch), std::move(done));
  }

 private:
  // Batches wait as they came and are joined when sent, so requests that arrived unchanged keep
  // their protobuf encoding (model::JoinBatches) and exporters need not encode them again.
  struct Pending {
    std::vector<std::unique_ptr<Batch>> parts;
    size_t items = 0;
    std::vector<Done> dones;
    Clock::time_point since;
  };

  void TimerLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      Clock::time_point now = Clock::now();
      Clock::time_point next_due = now + std::chrono::milliseconds(100);
      std::vector<Pending> due;
      for (auto it = pending_.begin(); it != pending_.end();) {
        Clock::time_point at = it->second.since + options_.timeout;
        if (at <= now) {
          due.push_back(std::move(it->second));
          it = pending_.erase(it);
        } else {
          next_due = std::min(next_due, at);
          ++it;
        }
      }
      if (!due.empty()) {
        lock.unlock();
        for (Pending& p : due) {
          timeout_trigger_->Add();
          Send(std::move(p));
        }
        lock.lock();
        continue;
      }
      wake_.wait_until(lock, next_due);
    }
  }

  // Sends one gathered group, cut into pieces of send_batch_max_size when set.
  void Send(Pending p) {
    if (p.parts.empty()) return;
    std::vector<std::unique_ptr<Batch>> pieces =
        Signal::Pieces(std::move(p.parts), options_.send_batch_max_size);
    // Every sender whose items went into these pieces is answered once all pieces are.
    Done answer = JoinAnswers(pieces.size(), [dones = std::move(p.dones)](const Status& s) {
      for (const Done& d : dones) d(s);
    });
    for (auto& piece : pieces) {
      send_size_->Observe(static_cast<double>(Signal::Count(*piece)));
      Signal::Send(next_, std::move(piece), answer);
    }
  }

  const BatchOptions options_;
  typename Signal::Consumer* const next_;
  metrics::Counter* size_trigger_;
  metrics::Counter* timeout_trigger_;
  metrics::Histogram* send_size_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, Pending> pending_;  // by tenant
  bool stopping_ = true;                    // until Start
  std::thread timer_;
};

}  // namespace

ProcessorFactory MakeBatchProcessorFactory() {
  return [](const CreateSettings& settings, const config::Node& config,
            TracesConsumer* next) -> Result<std::unique_ptr<Processor>> {
    ASSIGN_OR_RETURN(BatchOptions options, ParseOptions(config));
    return std::unique_ptr<Processor>(new BatchProcessor<TracesSignal>(settings, options, next));
  };
}

LogsProcessorFactory MakeBatchLogsProcessorFactory() {
  return [](const CreateSettings& settings, const config::Node& config,
            LogsConsumer* next) -> Result<std::unique_ptr<LogsProcessor>> {
    ASSIGN_OR_RETURN(BatchOptions options, ParseOptions(config));
    return std::unique_ptr<LogsProcessor>(new BatchProcessor<LogsSignal>(settings, options, next));
  };
}

}  // namespace th::pipeline

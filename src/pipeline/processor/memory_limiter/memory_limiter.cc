#include "pipeline/processor/memory_limiter/memory_limiter.h"

#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "common/config/node.h"
#include "common/log.h"
#include "common/strings.h"

namespace th::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

// Heap in use (the Collector measures Go's heap in use). Not the resident set: the allocator is
// tuned to keep freed memory for reuse (common/allocator.h), which would keep RSS above a soft
// limit long after the data is gone, refusing everything.
uint64_t HeapInUseBytes() {
  struct mallinfo2 info = ::mallinfo2();
  return static_cast<uint64_t>(info.uordblks) + static_cast<uint64_t>(info.hblkhd);
}

struct LimiterOptions {
  std::chrono::nanoseconds check_interval{0};
  uint64_t limit_bytes = 0;
  uint64_t spike_bytes = 0;
};

Result<LimiterOptions> ParseOptions(const config::Node& c) {
  RETURN_IF_ERROR(c.CheckKeys({"check_interval", "limit_mib", "spike_limit_mib",
                               "limit_percentage", "spike_limit_percentage"}));
  LimiterOptions o;
  RETURN_IF_ERROR(c.GetDuration("check_interval", &o.check_interval));
  if (o.check_interval.count() <= 0) {
    return (c["check_interval"].IsPresent() ? c["check_interval"] : c)
        .Error("check_interval must be greater than zero");
  }
  uint64_t limit_mib = 0, spike_mib = 0, limit_pct = 0, spike_pct = 0;
  RETURN_IF_ERROR(c.GetUint("limit_mib", &limit_mib));
  RETURN_IF_ERROR(c.GetUint("spike_limit_mib", &spike_mib));
  RETURN_IF_ERROR(c.GetUint("limit_percentage", &limit_pct));
  RETURN_IF_ERROR(c.GetUint("spike_limit_percentage", &spike_pct));
  if (limit_pct > 100) return c["limit_percentage"].Error("must be between 0 and 100");
  if (spike_pct > 100) return c["spike_limit_percentage"].Error("must be between 0 and 100");
  constexpr uint64_t kMaxMib = UINT64_MAX >> 21;
  if (limit_mib > kMaxMib) return c["limit_mib"].Error("is too large");
  if (spike_mib > kMaxMib) return c["spike_limit_mib"].Error("is too large");
  if (limit_mib > 0) {
    o.limit_bytes = limit_mib << 20;
    o.spike_bytes = spike_mib > 0 ? spike_mib << 20 : o.limit_bytes / 5;
  } else if (limit_pct > 0) {
    uint64_t total = AvailableMemoryBytes();
    o.limit_bytes = total / 100 * limit_pct;
    o.spike_bytes = spike_pct > 0 ? total / 100 * spike_pct : o.limit_bytes / 5;
  } else {
    return c.Error("set limit_mib or limit_percentage (the Collector requires one)");
  }
  if (o.spike_bytes >= o.limit_bytes) {
    config::Node at = c["spike_limit_mib"].IsPresent() ? c["spike_limit_mib"]
                                                       : c["spike_limit_percentage"];
    return (at.IsPresent() ? at : c).Error("the spike limit must be smaller than the limit");
  }
  return o;
}

struct TracesSignal {
  using Base = Processor;
  using Consumer = TracesConsumer;
  static constexpr const char* kRefusedMetric = "otelcol_processor_refused_spans";
  static size_t Count(const model::SpanBatch& b) { return b.span_count(); }
  static void Send(Consumer* next, std::unique_ptr<model::SpanBatch>&& b, Done done) {
    next->ConsumeTraces(std::move(b), std::move(done));
  }
};

struct LogsSignal {
  using Base = LogsProcessor;
  using Consumer = LogsConsumer;
  static constexpr const char* kRefusedMetric = "otelcol_processor_refused_log_records";
  static size_t Count(const model::LogsBatch& b) { return b.record_count; }
  static void Send(Consumer* next, std::unique_ptr<model::LogsBatch>&& b, Done done) {
    next->ConsumeLogs(std::move(b), std::move(done));
  }
};

template <typename Signal>
class MemoryLimiter final : public Signal::Base {
 public:
  MemoryLimiter(const CreateSettings& settings, LimiterOptions options,
                std::function<uint64_t()> measure, typename Signal::Consumer* next)
      : options_(options), measure_(std::move(measure)), next_(next), id_(settings.id.ToString()) {
    metrics::Labels labels = {{"processor", id_}};
    refused_ = settings.host->metrics->GetCounter(
        Signal::kRefusedMetric, "Items refused because memory was above the limit.", labels);
    usage_ = settings.host->metrics->GetGauge("tracehouse_memory_limiter_usage_bytes",
                                              "Memory in use at the last check.", labels);
  }

  ~MemoryLimiter() override { Shutdown(Clock::now()); }

  Status Start() override {
    Check();
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    thread_ = std::thread([this] { Loop(); });
    return absl::OkStatus();
  }

  void Shutdown(Clock::time_point) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  template <typename Batch>
  void Consume(std::unique_ptr<Batch>&& batch, Done done) {
    if (refusing_.load(std::memory_order_relaxed)) {
      refused_->Add(Signal::Count(*batch));
      done(absl::UnavailableError(
          th::StrCat("memory_limiter ", id_, ": memory usage is above the soft limit of ",
                     (options_.limit_bytes - options_.spike_bytes) >> 20,
                     " MiB; data refused, retry later")));
      return;
    }
    Signal::Send(next_, std::move(batch), std::move(done));
  }

  // The consumer interface of the signal (only one of these overrides).
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) {
    Consume(std::move(batch), std::move(done));
  }
  void ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, Done done) {
    Consume(std::move(batch), std::move(done));
  }

 private:
  void Check() {
    uint64_t used = measure_();
    if (used > options_.limit_bytes) {
      ::malloc_trim(0);  // the Collector's forced GC: give freed pages back before measuring
      used = measure_();
    }
    usage_->Set(static_cast<double>(used));
    bool refuse = used > options_.limit_bytes - options_.spike_bytes;
    bool was = refusing_.exchange(refuse);
    if (refuse != was) {
      if (refuse) {
        log::Warn("memory usage above the soft limit; refusing data", "processor=", id_,
                  " used_mib=", used >> 20,
                  " soft_limit_mib=", (options_.limit_bytes - options_.spike_bytes) >> 20);
      } else {
        log::Info("memory usage back below the soft limit; accepting data", "processor=", id_,
                  " used_mib=", used >> 20);
      }
    }
  }

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      wake_.wait_for(lock, options_.check_interval);
      if (stopping_) break;
      lock.unlock();
      Check();
      lock.lock();
    }
  }

  const LimiterOptions options_;
  std::function<uint64_t()> measure_;
  typename Signal::Consumer* const next_;
  const std::string id_;
  metrics::Counter* refused_;
  metrics::Gauge* usage_;
  std::atomic<bool> refusing_{false};

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = true;
  std::thread thread_;
};

}  // namespace

uint64_t AvailableMemoryBytes() {
  uint64_t total = 0;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemTotal:") {
      total = kib * 1024;
      break;
    }
  }
  // cgroup v2, then v1 (a container's limit, when smaller than the machine).
  for (const char* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream cgroup(path);
    std::string max;
    if (cgroup >> max && max != "max") {
      uint64_t limit = std::strtoull(max.c_str(), nullptr, 10);
      if (limit > 0 && (total == 0 || limit < total)) total = limit;
    }
  }
  return total;
}

ProcessorFactory MakeMemoryLimiterFactory(std::function<uint64_t()> measure) {
  if (!measure) measure = HeapInUseBytes;
  return [measure](const CreateSettings& settings, const config::Node& config,
                   TracesConsumer* next) -> Result<std::unique_ptr<Processor>> {
    ASSIGN_OR_RETURN(LimiterOptions options, ParseOptions(config));
    return std::unique_ptr<Processor>(
        new MemoryLimiter<TracesSignal>(settings, options, measure, next));
  };
}

LogsProcessorFactory MakeMemoryLimiterLogsFactory(std::function<uint64_t()> measure) {
  if (!measure) measure = HeapInUseBytes;
  return [measure](const CreateSettings& settings, const config::Node& config,
                   LogsConsumer* next) -> Result<std::unique_ptr<LogsProcessor>> {
    ASSIGN_OR_RETURN(LimiterOptions options, ParseOptions(config));
    return std::unique_ptr<LogsProcessor>(
        new MemoryLimiter<LogsSignal>(settings, options, measure, next));
  };
}

}  // namespace th::pipeline

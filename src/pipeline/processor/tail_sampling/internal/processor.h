// TailSamplingProcessor: the implementation behind tail_sampling_processor.h, declared here so
// tests can drive decisions directly (DecideDueForTest) and read its state.
//
// Invariants (all under mu_):
//  * Every undecided trace in traces_ has exactly one pending_ entry with its generation;
//    pending_ is in arrival order, so deadlines are non-decreasing.
//  * A trace is undecided (decision kUnspecified) until the decision thread writes its decision;
//    while `deciding`, its earlier spans are with the decision thread and new spans collect in
//    `spans` to be routed by the decision once it is written.
//  * ring_ holds (key, generation) of the newest num_traces traces created; a slot whose
//    generation no longer matches the entry is stale and evicts nothing.
//  * Every received span is, at any time, in exactly one of: a trace's `spans`, a decision
//    round's work, a batch sent to `next` and not yet answered, or settled (InputBatch).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics.h"
#include "pipeline/component.h"
#include "pipeline/processor/tail_sampling/internal/lru.h"
#include "pipeline/processor/tail_sampling/internal/policy.h"
#include "pipeline/processor/tail_sampling/tail_sampling_processor.h"

namespace th::config {
class Node;
}

namespace th::pipeline::tail_sampling {

struct Options {
  std::chrono::nanoseconds decision_wait = std::chrono::seconds(30);
  uint64_t num_traces = 50000;
  uint64_t expected_new_traces_per_sec = 0;
  uint64_t sampled_cache_size = 0;
  uint64_t non_sampled_cache_size = 0;
  bool sample_on_first_match = false;
  bool drop_pending_traces_on_shutdown = false;
};

// Reads the processor's config section (everything but the policies, which ParsePolicies reads).
Result<Options> ParseOptions(const config::Node& node);

struct TraceKey {
  std::string tenant;
  model::TraceId id;
  friend bool operator==(const TraceKey&, const TraceKey&) = default;
};

struct TraceKeyHash {
  size_t operator()(const TraceKey& k) const {
    uint64_t h;
    std::memcpy(&h, k.id.bytes.data() + 8, sizeof(h));
    return static_cast<size_t>(h ^ (std::hash<std::string>{}(k.tenant) * 0x9e3779b97f4a7c15ULL));
  }
};

// One received batch, shared by the traces that hold its spans.
class InputBatch {
 public:
  InputBatch(std::unique_ptr<model::SpanBatch> batch, Done done, uint32_t spans)
      : batch_(std::move(batch)), done_(std::move(done)), outstanding_(spans) {}
  // A batch dropped before all its spans were settled answers Aborted.
  ~InputBatch();

  const model::SpanBatch& batch() const { return *batch_; }
  // `n` spans are done with; the first error is kept; `done` runs when none are left.
  void Settle(uint32_t n, const Status& status);

 private:
  const std::unique_ptr<model::SpanBatch> batch_;
  absl::Mutex mu_;
  Done done_ ABSL_GUARDED_BY(mu_);  // empty unless ack_through
  uint32_t outstanding_ ABSL_GUARDED_BY(mu_);
  Status status_ ABSL_GUARDED_BY(mu_);
};

struct BufferedSpan {
  std::shared_ptr<InputBatch> input;
  uint32_t index = 0;
};

class TailSamplingProcessor final : public Processor {
 public:
  TailSamplingProcessor(const CreateSettings& settings, Options options,
                        std::vector<Policy> policies, TracesConsumer* next,
                        std::shared_ptr<Clock> clock, std::chrono::milliseconds poll);
  ~TailSamplingProcessor() override;

  Status Start() override;
  // Stops the decision thread and decides (or drops) every pending trace now; data arriving
  // afterwards is refused as retryable. Shutdown begins with it.
  void Drain() override;
  void Shutdown(std::chrono::steady_clock::time_point deadline) override;
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override;

  // Decides every trace whose decision_wait has passed by the clock, on the calling thread.
  void DecideDueForTest() { DecideDue(/*all=*/false); }
  size_t TracesInMemoryForTest() const;

 private:
  struct Trace {
    std::vector<BufferedSpan> spans;
    int64_t span_count = 0;
    std::chrono::steady_clock::time_point arrival;
    std::chrono::steady_clock::time_point decided_at;
    uint64_t generation = 0;
    Decision decision = Decision::kUnspecified;  // kSampled or kNotSampled once decided
    bool deciding = false;
  };
  struct Pending {
    std::chrono::steady_clock::time_point deadline;
    TraceKey key;
    uint64_t generation;
  };
  struct RingSlot {
    TraceKey key;
    uint64_t generation;
  };
  struct Work {
    TraceKey key;
    uint64_t generation;
    std::vector<BufferedSpan> spans;
    int64_t span_count;
    Decision decision = Decision::kUnspecified;
  };
  struct PolicyMetrics {
    metrics::Counter* sampled;
    metrics::Counter* not_sampled;
    metrics::Counter* dropped;
    metrics::Histogram* latency_us;
  };
  // Downstream batches not yet answered; shared with their callbacks, which may outlive us.
  struct Flights {
    absl::Mutex mu;
    int64_t count ABSL_GUARDED_BY(mu) = 0;
  };

  void Run();
  void DecideDue(bool all) ABSL_LOCKS_EXCLUDED(mu_);
  Decision MakeDecision(const Work& work, const EvalContext& ctx)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(decide_mu_);
  void Forward(const std::string& tenant, std::vector<BufferedSpan> spans) ABSL_LOCKS_EXCLUDED(mu_);
  // Makes room for one more trace, moving an evicted undecided trace's spans to `evicted`.
  void EvictForNewTrace(const TraceKey& key, uint64_t generation,
                        std::vector<BufferedSpan>* evicted) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EraseTrace(std::unordered_map<TraceKey, Trace, TraceKeyHash>::iterator it,
                  std::chrono::steady_clock::time_point now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const bool ack_through_;
  TracesConsumer* const next_;
  const std::shared_ptr<Clock> clock_;
  const std::chrono::milliseconds poll_;

  absl::Mutex decide_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // one decision round at a time
  std::vector<Policy> policies_ ABSL_GUARDED_BY(decide_mu_);
  std::vector<PolicyMetrics> policy_metrics_;

  mutable absl::Mutex mu_;
  absl::CondVar wake_;
  std::unordered_map<TraceKey, Trace, TraceKeyHash> traces_ ABSL_GUARDED_BY(mu_);
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<RingSlot> ring_ ABSL_GUARDED_BY(mu_);
  size_t ring_next_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_generation_ ABSL_GUARDED_BY(mu_) = 0;
  LruMap<TraceKey, bool, TraceKeyHash> sampled_cache_ ABSL_GUARDED_BY(mu_);
  LruMap<TraceKey, bool, TraceKeyHash> non_sampled_cache_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point last_eviction_log_ ABSL_GUARDED_BY(mu_);

  std::shared_ptr<Flights> flights_ = std::make_shared<Flights>();
  std::thread thread_;

  metrics::Counter* new_trace_ids_;
  metrics::Counter* dropped_too_early_;
  metrics::Counter* evaluation_errors_;
  metrics::Counter* global_sampled_;
  metrics::Counter* global_not_sampled_;
  metrics::Counter* global_dropped_;
  metrics::Counter* early_release_sampled_;
  metrics::Counter* early_release_not_sampled_;
  metrics::Gauge* traces_on_memory_;
  metrics::Histogram* timer_latency_ms_;
  metrics::Histogram* late_span_age_s_;
  metrics::Histogram* removal_age_s_;
};

}  // namespace th::pipeline::tail_sampling

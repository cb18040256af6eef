#include "pipeline/processor/tail_sampling/tail_sampling_processor.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/time/time.h"
#include "common/config/node.h"
#include "common/log.h"
#include "model/ids.h"
#include "model/span_batch_merge.h"
#include "pipeline/processor/tail_sampling/internal/processor.h"

namespace th::pipeline {
namespace tail_sampling {
namespace {

using Steady = std::chrono::steady_clock;

class SystemClockImpl final : public Clock {
 public:
  Steady::time_point Now() const override { return Steady::now(); }
  int64_t UnixSeconds() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

constexpr std::string_view kPrefix = "otelcol_processor_tail_sampling_";

std::string MetricName(std::string_view suffix) { return StrCat(kPrefix, suffix); }

double Seconds(Steady::duration d) { return std::chrono::duration<double>(d).count(); }

// Settles buffered spans, one call per run of spans from the same batch.
void SettleAll(const std::vector<BufferedSpan>& spans, const Status& status) {
  size_t i = 0;
  while (i < spans.size()) {
    size_t j = i;
    while (j < spans.size() && spans[j].input == spans[i].input) ++j;
    spans[i].input->Settle(static_cast<uint32_t>(j - i), status);
    i = j;
  }
}

}  // namespace

std::shared_ptr<Clock> SystemClock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClockImpl>();
  return clock;
}

Result<Options> ParseOptions(const config::Node& c) {
  RETURN_IF_ERROR(c.CheckKeys({"decision_wait", "num_traces", "expected_new_traces_per_sec",
                               "decision_cache", "policies", "sample_on_first_match",
                               "drop_pending_traces_on_shutdown", "block_on_overflow"}));
  Options o;
  RETURN_IF_ERROR(c.GetDuration("decision_wait", &o.decision_wait));
  if (o.decision_wait <= std::chrono::nanoseconds(0)) {
    return c["decision_wait"].Error("must be positive");
  }
  RETURN_IF_ERROR(c.GetUint("num_traces", &o.num_traces));
  if (o.num_traces == 0) return c["num_traces"].Error("must be positive");
  RETURN_IF_ERROR(c.GetUint("expected_new_traces_per_sec", &o.expected_new_traces_per_sec));
  config::Node cache = c["decision_cache"];
  RETURN_IF_ERROR(cache.CheckKeys({"sampled_cache_size", "non_sampled_cache_size"}));
  RETURN_IF_ERROR(cache.GetUint("sampled_cache_size", &o.sampled_cache_size));
  RETURN_IF_ERROR(cache.GetUint("non_sampled_cache_size", &o.non_sampled_cache_size));
  RETURN_IF_ERROR(c.GetBool("sample_on_first_match", &o.sample_on_first_match));
  RETURN_IF_ERROR(c.GetBool("drop_pending_traces_on_shutdown", &o.drop_pending_traces_on_shutdown));
  bool block = false;
  RETURN_IF_ERROR(c.GetBool("block_on_overflow", &block));
  if (block) return c["block_on_overflow"].Error("blocking on overflow is not supported");
  return o;
}

InputBatch::~InputBatch() {
  Done done;
  {
    absl::MutexLock l(&mu_);
    done = std::move(done_);
  }
  if (done) done(absl::AbortedError("tail_sampling: stopped before the spans were decided"));
}

void InputBatch::Settle(uint32_t n, const Status& status) {
  Done done;
  Status result;
  {
    absl::MutexLock l(&mu_);
    if (!status.ok() && status_.ok()) status_ = status;
    outstanding_ = n >= outstanding_ ? 0 : outstanding_ - n;
    if (outstanding_ == 0 && done_) {
      done = std::move(done_);
      done_ = nullptr;
      result = status_;
    }
  }
  if (done) done(result);
}

TailSamplingProcessor::TailSamplingProcessor(const CreateSettings& settings, Options options,
                                             std::vector<Policy> policies, TracesConsumer* next,
                                             std::shared_ptr<Clock> clock,
                                             std::chrono::milliseconds poll)
    : options_(options),
      ack_through_(settings.ack_through),
      next_(next),
      clock_(std::move(clock)),
      poll_(poll),
      policies_(std::move(policies)),
      sampled_cache_(options.sampled_cache_size),
      non_sampled_cache_(options.non_sampled_cache_size) {
  metrics::Registry* reg =
      settings.host != nullptr ? settings.host->metrics : &metrics::Registry::Default();
  auto counter = [reg](std::string_view suffix, std::string_view help,
                       const metrics::Labels& labels = {}) {
    return reg->GetCounter(MetricName(suffix), help, labels);
  };
  auto histogram = [reg](std::string_view suffix, std::string_view help,
                         const std::vector<double>& bounds, const metrics::Labels& labels = {}) {
    return reg->GetHistogram(MetricName(suffix), help, bounds, labels);
  };
  const std::vector<double> us_bounds = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 10000};
  const std::vector<double> ms_bounds = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 10000};
  const std::vector<double> s_bounds = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600};
  for (const Policy& p : policies_) {
    // As the Collector: a named processor prefixes its policies' names.
    std::string name = settings.id.name.empty() ? p.name : settings.id.name + "." + p.name;
    const char* help = "Count of traces that were sampled or not per sampling policy";
    policy_metrics_.push_back(PolicyMetrics{
        counter("count_traces_sampled", help,
                {{"policy", name}, {"sampled", "true"}, {"decision", "sampled"}}),
        counter("count_traces_sampled", help,
                {{"policy", name}, {"sampled", "false"}, {"decision", "not_sampled"}}),
        counter("count_traces_sampled", help,
                {{"policy", name}, {"sampled", "false"}, {"decision", "dropped"}}),
        histogram("sampling_decision_latency",
                  "Latency (in microseconds) of a given sampling policy", us_bounds,
                  {{"policy", name}})});
  }
  const char* global_help = "Global count of traces that were sampled or not by at least one policy";
  global_sampled_ = counter("global_count_traces_sampled", global_help,
                            {{"sampled", "true"}, {"decision", "sampled"}});
  global_not_sampled_ = counter("global_count_traces_sampled", global_help,
                                {{"sampled", "false"}, {"decision", "not_sampled"}});
  global_dropped_ = counter("global_count_traces_sampled", global_help,
                            {{"sampled", "false"}, {"decision", "dropped"}});
  new_trace_ids_ = counter("new_trace_id_received", "Counts the arrival of new traces");
  dropped_too_early_ = counter("sampling_trace_dropped_too_early",
                               "Count of traces that needed to be dropped before the configured "
                               "wait time");
  evaluation_errors_ =
      counter("sampling_policy_evaluation_error", "Count of sampling policy evaluation errors");
  const char* early_help = "Number of spans that were able to be immediately released due to a "
                           "decision cache hit.";
  early_release_sampled_ =
      counter("early_releases_from_cache_decision", early_help, {{"sampled", "true"}});
  early_release_not_sampled_ =
      counter("early_releases_from_cache_decision", early_help, {{"sampled", "false"}});
  traces_on_memory_ = reg->GetGauge(MetricName("sampling_traces_on_memory"),
                                    "Tracks the number of traces current on memory");
  timer_latency_ms_ = histogram("sampling_decision_timer_latency",
                                "Latency (in milliseconds) of each run of the sampling decision "
                                "timer",
                                ms_bounds);
  late_span_age_s_ = histogram("sampling_late_span_age",
                               "Time (in seconds) from the sampling decision was taken and the "
                               "arrival of a late span",
                               s_bounds);
  removal_age_s_ = histogram("sampling_trace_removal_age",
                             "Time (in seconds) from arrival of a new trace until its removal "
                             "from memory",
                             s_bounds);
  uint64_t expected =
      options_.expected_new_traces_per_sec *
      static_cast<uint64_t>(
          std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(
                                   options_.decision_wait)
                                   .count()));
  absl::MutexLock l(&mu_);
  traces_.reserve(static_cast<size_t>(std::min(expected, options_.num_traces)));
}

TailSamplingProcessor::~TailSamplingProcessor() {
  {
    absl::MutexLock l(&mu_);
    stop_ = true;
    shut_down_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

Status TailSamplingProcessor::Start() {
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void TailSamplingProcessor::Drain() {
  {
    absl::MutexLock l(&mu_);
    if (shut_down_) return;
    stop_ = true;
    shut_down_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();

  if (options_.drop_pending_traces_on_shutdown) {
    std::vector<BufferedSpan> dropped;
    {
      absl::MutexLock l(&mu_);
      for (auto& [key, t] : traces_) {
        for (BufferedSpan& s : t.spans) dropped.push_back(std::move(s));
        t.spans.clear();
      }
      traces_.clear();
      pending_.clear();
    }
    if (!dropped.empty()) {
      log::Info("tail_sampling: dropping pending traces on shutdown", "spans=", dropped.size());
    }
    SettleAll(dropped, absl::OkStatus());
  } else {
    DecideDue(/*all=*/true);
  }
}

void TailSamplingProcessor::Shutdown(Steady::time_point deadline) {
  Drain();
  // Wait (bounded) for `next` to answer what was sent.
  auto remaining = deadline - Steady::now();
  if (remaining < Steady::duration::zero()) remaining = Steady::duration::zero();
  absl::MutexLock l(&flights_->mu);
  Flights* f = flights_.get();
  bool drained = flights_->mu.AwaitWithTimeout(
      absl::Condition(
          +[](Flights* fl) ABSL_NO_THREAD_SAFETY_ANALYSIS { return fl->count == 0; }, f),
      absl::FromChrono(std::chrono::duration_cast<std::chrono::nanoseconds>(remaining)));
  if (!drained) {
    log::Warn("tail_sampling: shutdown deadline passed with batches still unanswered downstream",
              "batches=", f->count);
  }
}

size_t TailSamplingProcessor::TracesInMemoryForTest() const {
  absl::MutexLock l(&mu_);
  return traces_.size();
}

void TailSamplingProcessor::Run() {
  while (true) {
    {
      absl::MutexLock l(&mu_);
      if (stop_) return;
      Steady::duration wait = poll_;
      if (!pending_.empty()) {
        Steady::duration until = pending_.front().deadline - clock_->Now();
        if (until < wait) wait = std::max(until, Steady::duration::zero());
      }
      if (wait > Steady::duration::zero()) {
        wake_.WaitWithTimeout(
            &mu_, absl::FromChrono(std::chrono::duration_cast<std::chrono::nanoseconds>(wait)));
      }
      if (stop_) return;
    }
    DecideDue(/*all=*/false);
  }
}

void TailSamplingProcessor::EraseTrace(
    std::unordered_map<TraceKey, Trace, TraceKeyHash>::iterator it, Steady::time_point now) {
  removal_age_s_->Observe(Seconds(now - it->second.arrival));
  traces_.erase(it);
}

void TailSamplingProcessor::EvictForNewTrace(const TraceKey& key, uint64_t generation,
                                             std::vector<BufferedSpan>* evicted) {
  if (ring_.size() < options_.num_traces) {
    ring_.push_back(RingSlot{key, generation});
    return;
  }
  RingSlot& slot = ring_[ring_next_];
  ring_next_ = (ring_next_ + 1) % ring_.size();
  auto it = traces_.find(slot.key);
  if (it != traces_.end() && it->second.generation == slot.generation) {
    Trace& t = it->second;
    if (t.decision == Decision::kUnspecified) {
      if (!t.deciding) dropped_too_early_->Add();
      for (BufferedSpan& s : t.spans) evicted->push_back(std::move(s));
      t.spans.clear();
    }
    EraseTrace(it, clock_->Now());
  }
  slot = RingSlot{key, generation};
}

void TailSamplingProcessor::ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) {
  const auto n = static_cast<uint32_t>(batch->span_count());
  if (n == 0) {
    done(absl::OkStatus());
    return;
  }
  {
    absl::MutexLock l(&mu_);
    if (shut_down_) {
      done(absl::UnavailableError("tail_sampling: processor is shut down"));
      return;
    }
  }
  auto input = std::make_shared<InputBatch>(std::move(batch), ack_through_ ? std::move(done) : Done(),
                                            n);
  const model::SpanBatch& b = input->batch();

  // Group the spans by trace, in order of first appearance.
  std::vector<std::pair<model::TraceId, std::vector<uint32_t>>> groups;
  struct IdHash {
    size_t operator()(const model::TraceId& id) const {
      uint64_t h;
      std::memcpy(&h, id.bytes.data() + 8, sizeof(h));
      return static_cast<size_t>(h);
    }
  };
  std::unordered_map<model::TraceId, size_t, IdHash> index_of;
  for (uint32_t i = 0; i < n; ++i) {
    auto [it, inserted] = index_of.try_emplace(b.spans.trace_id[i], groups.size());
    if (inserted) groups.emplace_back(b.spans.trace_id[i], std::vector<uint32_t>());
    groups[it->second].second.push_back(i);
  }

  std::vector<BufferedSpan> forward;
  std::vector<BufferedSpan> evicted;
  uint32_t dropped = 0;
  {
    absl::MutexLock l(&mu_);
    const Steady::time_point now = clock_->Now();
    for (auto& [id, spans] : groups) {
      TraceKey key{b.tenant, id};
      const auto count = static_cast<uint32_t>(spans.size());
      if (sampled_cache_.Get(key) != nullptr) {
        for (uint32_t i : spans) forward.push_back(BufferedSpan{input, i});
        early_release_sampled_->Add(count);
        continue;
      }
      if (non_sampled_cache_.Get(key) != nullptr) {
        dropped += count;
        early_release_not_sampled_->Add(count);
        continue;
      }
      auto it = traces_.find(key);
      if (it == traces_.end()) {
        uint64_t generation = ++next_generation_;
        EvictForNewTrace(key, generation, &evicted);
        Trace t;
        t.arrival = now;
        t.generation = generation;
        it = traces_.emplace(key, std::move(t)).first;
        pending_.push_back(Pending{now + options_.decision_wait, key, generation});
        new_trace_ids_->Add();
      }
      Trace& t = it->second;
      t.span_count += count;
      if (t.decision == Decision::kUnspecified) {
        for (uint32_t i : spans) t.spans.push_back(BufferedSpan{input, i});
        continue;
      }
      late_span_age_s_->Observe(Seconds(now - t.decided_at));
      if (t.decision == Decision::kSampled) {
        for (uint32_t i : spans) forward.push_back(BufferedSpan{input, i});
      } else {
        dropped += count;
      }
    }
    traces_on_memory_->Set(static_cast<double>(traces_.size()));
    if (!evicted.empty() && now - last_eviction_log_ > std::chrono::seconds(10)) {
      last_eviction_log_ = now;
      log::Warn("tail_sampling: num_traces exceeded, dropping the oldest undecided traces",
                "num_traces=", options_.num_traces, " spans=", evicted.size());
    }
  }
  if (!ack_through_) done(absl::OkStatus());
  if (dropped > 0) input->Settle(dropped, absl::OkStatus());
  SettleAll(evicted,
            absl::ResourceExhaustedError(
                "tail_sampling: trace evicted before its decision (num_traces exceeded)"));
  if (!forward.empty()) Forward(b.tenant, std::move(forward));
}

Decision TailSamplingProcessor::MakeDecision(const Work& work, const EvalContext& ctx) {
  std::vector<SpanRef> refs;
  refs.reserve(work.spans.size());
  for (const BufferedSpan& s : work.spans) refs.push_back(SpanRef{&s.input->batch(), s.index});
  TraceView view{work.key.id, &refs, work.span_count};

  bool seen[8] = {};
  for (size_t i = 0; i < policies_.size(); ++i) {
    Steady::time_point start = Steady::now();
    Decision d = policies_[i].evaluator->Evaluate(view, ctx);
    PolicyMetrics& m = policy_metrics_[i];
    m.latency_us->Observe(
        std::chrono::duration<double, std::micro>(Steady::now() - start).count());
    switch (d) {
      case Decision::kSampled:
      case Decision::kInvertSampled:
        m.sampled->Add();
        break;
      case Decision::kNotSampled:
      case Decision::kInvertNotSampled:
        m.not_sampled->Add();
        break;
      case Decision::kDropped:
        m.dropped->Add();
        break;
      default:
        evaluation_errors_->Add();
        break;
    }
    seen[static_cast<int>(d)] = true;
    if (d == Decision::kDropped) break;
    if (options_.sample_on_first_match && d == Decision::kSampled) break;
  }
  auto has = [&seen](Decision d) { return seen[static_cast<int>(d)]; };
  Decision final_decision = Decision::kNotSampled;
  if (has(Decision::kDropped)) {
    final_decision = Decision::kDropped;
  } else if (has(Decision::kInvertNotSampled)) {
    final_decision = Decision::kNotSampled;
  } else if (has(Decision::kSampled)) {
    final_decision = Decision::kSampled;
  } else if (has(Decision::kInvertSampled) && !has(Decision::kNotSampled)) {
    final_decision = Decision::kSampled;
  }
  switch (final_decision) {
    case Decision::kSampled:
      global_sampled_->Add();
      break;
    case Decision::kDropped:
      global_dropped_->Add();
      break;
    default:
      global_not_sampled_->Add();
      break;
  }
  return final_decision;
}

void TailSamplingProcessor::DecideDue(bool all) {
  absl::MutexLock decide_lock(&decide_mu_);
  std::vector<Work> work;
  {
    absl::MutexLock l(&mu_);
    const Steady::time_point now = clock_->Now();
    while (!pending_.empty() && (all || pending_.front().deadline <= now)) {
      Pending p = std::move(pending_.front());
      pending_.pop_front();
      auto it = traces_.find(p.key);
      if (it == traces_.end() || it->second.generation != p.generation) continue;
      Trace& t = it->second;
      if (t.decision != Decision::kUnspecified || t.deciding) continue;
      t.deciding = true;
      work.push_back(Work{std::move(p.key), p.generation, std::move(t.spans), t.span_count});
      t.spans.clear();
    }
  }
  if (work.empty()) return;

  const Steady::time_point round_start = Steady::now();
  const EvalContext ctx{clock_->UnixSeconds()};
  for (Work& w : work) w.decision = MakeDecision(w, ctx);
  timer_latency_ms_->Observe(
      std::chrono::duration<double, std::milli>(Steady::now() - round_start).count());

  std::map<std::string, std::vector<BufferedSpan>> sampled;
  std::vector<BufferedSpan> dropped;
  {
    absl::MutexLock l(&mu_);
    const Steady::time_point now = clock_->Now();
    for (Work& w : work) {
      const bool keep = w.decision == Decision::kSampled;
      auto it = traces_.find(w.key);
      if (it != traces_.end() && it->second.generation == w.generation) {
        Trace& t = it->second;
        t.deciding = false;
        // A dropped trace's late spans are dropped too.
        t.decision = keep ? Decision::kSampled : Decision::kNotSampled;
        t.decided_at = now;
        for (BufferedSpan& s : t.spans) w.spans.push_back(std::move(s));
        t.spans.clear();
        auto& cache = keep ? sampled_cache_ : non_sampled_cache_;
        cache.Put(w.key, true);
        if (cache.Contains(w.key)) EraseTrace(it, now);
      } else {
        (keep ? sampled_cache_ : non_sampled_cache_).Put(w.key, true);
      }
      auto& dest = keep ? sampled[w.key.tenant] : dropped;
      for (BufferedSpan& s : w.spans) dest.push_back(std::move(s));
    }
    traces_on_memory_->Set(static_cast<double>(traces_.size()));
  }
  for (auto& [tenant, spans] : sampled) Forward(tenant, std::move(spans));
  SettleAll(dropped, absl::OkStatus());
}

void TailSamplingProcessor::Forward(const std::string& tenant, std::vector<BufferedSpan> spans) {
  // Spans of one received batch together, in their original order: keeps resources grouped.
  std::stable_sort(spans.begin(), spans.end(), [](const BufferedSpan& a, const BufferedSpan& b) {
    if (a.input != b.input) return a.input.get() < b.input.get();
    return a.index < b.index;
  });
  // One deep copy per received batch (resources and scopes stay shared within it), joined
  // without copying again.
  auto out = std::make_unique<model::SpanBatch>();
  std::vector<std::pair<std::shared_ptr<InputBatch>, uint32_t>> contributions;
  std::vector<uint32_t> indices;
  for (size_t i = 0; i < spans.size(); ++i) {
    const BufferedSpan& s = spans[i];
    indices.push_back(s.index);
    if (i + 1 < spans.size() && spans[i + 1].input == s.input) continue;
    model::AppendBatch(out.get(), model::CopySpans(s.input->batch(), indices));
    if (ack_through_) contributions.emplace_back(s.input, static_cast<uint32_t>(indices.size()));
    indices.clear();
  }
  out->tenant = tenant;
  spans.clear();  // without ack_through nothing of the received batches is needed any more
  {
    absl::MutexLock l(&flights_->mu);
    ++flights_->count;
  }
  next_->ConsumeTraces(std::move(out), [flights = flights_, contributions = std::move(
                                                                 contributions)](const Status& s) {
    if (!s.ok()) {
      log::Warn("tail_sampling: error sending spans to destination", "error=\"", Message(s), "\"");
    }
    for (const auto& [input, n] : contributions) input->Settle(n, s);
    absl::MutexLock l(&flights->mu);
    --flights->count;
  });
}

}  // namespace tail_sampling

namespace {

ProcessorFactory MakeFactory(std::shared_ptr<tail_sampling::Clock> clock,
                             std::chrono::milliseconds poll) {
  return [clock, poll](const CreateSettings& settings, const config::Node& config,
                       TracesConsumer* next) -> Result<std::unique_ptr<Processor>> {
    ASSIGN_OR_RETURN(tail_sampling::Options options, tail_sampling::ParseOptions(config));
    ASSIGN_OR_RETURN(std::vector<tail_sampling::Policy> policies,
                     tail_sampling::ParsePolicies(config["policies"]));
    return std::unique_ptr<Processor>(new tail_sampling::TailSamplingProcessor(
        settings, options, std::move(policies), next, clock, poll));
  };
}

}  // namespace

ProcessorFactory MakeTailSamplingFactory() {
  return MakeFactory(tail_sampling::SystemClock(), std::chrono::seconds(1));
}

ProcessorFactory MakeTailSamplingFactoryForTest(std::shared_ptr<tail_sampling::Clock> clock,
                                                std::chrono::milliseconds poll) {
  return MakeFactory(std::move(clock), poll);
}

}  // namespace th::pipeline

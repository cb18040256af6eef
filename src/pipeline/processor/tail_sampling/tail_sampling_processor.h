// The `tail_sampling` processor, as the Collector's (contrib tailsamplingprocessor): spans are
// held per trace until `decision_wait` after the trace's first span, then a list of policies
// decides whether the whole trace is passed on.
//
// Life of a trace:
//   1. Its first span creates an entry (keyed by tenant and trace id) and schedules the decision
//      at arrival + decision_wait. Spans are not copied on arrival: the entry keeps references
//      into the received batch, which lives until its last buffered span is decided.
//   2. The decision thread (started by Start) evaluates every policy on the trace's spans, in
//      order, drop policies first. Final decision, as the Collector: any Dropped → drop; else any
//      InvertNotSampled → drop; else any Sampled → keep; else any InvertSampled and no NotSampled
//      → keep; else drop. `sample_on_first_match` stops at the first Sampled. Kept traces of one
//      round are copied into one new batch per tenant and passed to `next`.
//   3. Late spans follow the decision while the entry lives (decided entries keep no spans). With
//      a decision cache (`decision_cache.sampled_cache_size` / `non_sampled_cache_size`) the entry
//      is released at once and the cache answers instead; without one, a late span of an evicted
//      trace starts a new trace.
//   4. At most `num_traces` entries are kept: a ring of the newest trace ids evicts the oldest
//      entry when a new trace arrives. An undecided evicted trace is dropped (as the Collector
//      does; counted in sampling_trace_dropped_too_early), not decided early.
// Shutdown(deadline) stops the thread, decides every pending trace (or drops them with
// `drop_pending_traces_on_shutdown`), and waits until `next` has answered for what was sent.
//
// Acknowledgement (CreateSettings::ack_through): false → `done(OK)` as soon as the spans are
// buffered (the Collector's semantics). True → `done` of each received batch is called once every
// one of its spans was either dropped by a decision (OK) or answered by `next` (its error, if any
// answer failed); spans evicted undecided answer ResourceExhausted.
//
// Config: decision_wait (30s), num_traces (50000), expected_new_traces_per_sec (0, a sizing hint),
// decision_cache {sampled_cache_size, non_sampled_cache_size} (0 = off), sample_on_first_match,
// drop_pending_traces_on_shutdown, block_on_overflow (only false), policies (required; see
// internal/policy.h for the policy types).
// Metrics (prefix otelcol_processor_tail_sampling_): count_traces_sampled{policy, sampled,
// decision}, global_count_traces_sampled{sampled, decision}, new_trace_id_received,
// sampling_trace_dropped_too_early, sampling_decision_latency{policy} (µs),
// sampling_decision_timer_latency (ms), sampling_traces_on_memory, sampling_late_span_age (s),
// sampling_trace_removal_age (s), early_releases_from_cache_decision{sampled},
// sampling_policy_evaluation_error.
//
// Thread-safety: ConsumeTraces from any number of threads; Start/Shutdown from one.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "pipeline/component.h"

namespace th::pipeline {
namespace tail_sampling {

// Time as the processor sees it; tests substitute a manual clock. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // For decision deadlines.
  virtual std::chrono::steady_clock::time_point Now() const = 0;
  // For per-second span budgets (rate_limiting, composite).
  virtual int64_t UnixSeconds() const = 0;
};

// The process clocks.
std::shared_ptr<Clock> SystemClock();

}  // namespace tail_sampling

ProcessorFactory MakeTailSamplingFactory();

// As MakeTailSamplingFactory, with `clock` instead of the system clocks; the decision thread
// looks at the clock at least every `poll` (the real default waits until the next deadline).
ProcessorFactory MakeTailSamplingFactoryForTest(std::shared_ptr<tail_sampling::Clock> clock,
                                                std::chrono::milliseconds poll);

}  // namespace th::pipeline

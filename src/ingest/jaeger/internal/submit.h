// What every jaeger transport does with a decoded request: count it, hand the batch to the next
// consumer, and report the outcome once. Internal to ingest/jaeger.
// Thread-safety: Submit may be called from any thread; InFlight is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/metrics.h"
#include "common/status.h"
#include "ingest/jaeger/jaeger_decode.h"
#include "pipeline/consumer.h"
#include "pipeline/receiver_counters.h"

#include "absl/synchronization/mutex.h"

namespace th::ingest::jaeger {

// otelcol_receiver_{accepted,refused}_spans{receiver=<id>, transport=<transport>}.
pipeline::ReceiverCounters TransportCounters(metrics::Registry* registry,
                                             const std::string& receiver_id,
                                             std::string_view transport);

// Counts requests whose consumer has not answered yet, so Shutdown can wait for them.
class InFlight {
 public:
  void Add() {
    absl::MutexLock l(&mu_);
    ++n_;
  }
  void Done() {
    absl::MutexLock l(&mu_);
    --n_;
  }
  // True when none are left by `deadline`.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline) {
    absl::MutexLock l(&mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return n_ == 0; };
    while (!idle()) {
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return false;
      mu_.AwaitWithTimeout(absl::Condition(&idle), absl::Milliseconds(std::min<int64_t>(
                                                       100, std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 1)));
    }
    return true;
  }

 private:
  absl::Mutex mu_;
  int64_t n_ ABSL_GUARDED_BY(mu_) = 0;
};

// Passes `decoded` on (or, when it failed, reports its error); `done` runs exactly once, maybe on
// another thread, with the consumer's status. Spans rejected by the decoder and spans the
// consumer refused are counted as refused; a request that did not decode counts nothing (its span
// count is unknown).
void Submit(Result<DecodedSpans>&& decoded, const pipeline::ReceiverCounters& counters,
            pipeline::TracesConsumer* consumer, const std::shared_ptr<InFlight>& in_flight,
            pipeline::Done done);

}  // namespace th::ingest::jaeger

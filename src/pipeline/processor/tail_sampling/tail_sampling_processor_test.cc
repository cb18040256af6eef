#include "pipeline/processor/tail_sampling/tail_sampling_processor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/config/node.h"
#include "pipeline/processor/tail_sampling/internal/processor.h"
#include "pipeline/processor/tail_sampling/internal/test_util.h"

namespace th::pipeline::tail_sampling {
namespace {

using std::chrono::milliseconds;
using testing::BatchBuilder;
using testing::StrValue;
using testing::Tid;

class FakeClock final : public Clock {
 public:
  std::chrono::steady_clock::time_point Now() const override {
    absl::MutexLock l(&mu_);
    return now_;
  }
  int64_t UnixSeconds() const override {
    absl::MutexLock l(&mu_);
    return 1'700'000'000 + std::chrono::duration_cast<std::chrono::seconds>(
                               now_.time_since_epoch())
                               .count();
  }
  void Advance(std::chrono::nanoseconds d) {
    absl::MutexLock l(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
};

// Records what reaches it; with `hold`, keeps the done callbacks for the test to answer.
class Sink final : public TracesConsumer {
 public:
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    Status s;
    {
      absl::MutexLock l(&mu_);
      batches_.push_back(std::move(batch));
      if (hold_) {
        held_.push_back(std::move(done));
        return;
      }
      s = status_;
    }
    done(s);
  }
  void Hold() {
    absl::MutexLock l(&mu_);
    hold_ = true;
  }
  void FailWith(Status s) {
    absl::MutexLock l(&mu_);
    status_ = std::move(s);
  }
  // Answers every held callback with `s`.
  void Answer(const Status& s) {
    std::vector<Done> held;
    {
      absl::MutexLock l(&mu_);
      held.swap(held_);
    }
    for (Done& d : held) d(s);
  }
  size_t SpanCount() const {
    absl::MutexLock l(&mu_);
    size_t n = 0;
    for (const auto& b : batches_) n += b->span_count();
    return n;
  }
  size_t BatchCount() const {
    absl::MutexLock l(&mu_);
    return batches_.size();
  }
  // Waits up to 10 s for at least `n` spans.
  bool WaitForSpans(size_t n) const {
    absl::MutexLock l(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      size_t total = 0;
      for (const auto& b : batches_) total += b->span_count();
      return total >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
  }
  const model::SpanBatch& batch(size_t i) const {
    absl::MutexLock l(&mu_);
    return *batches_.at(i);
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<model::SpanBatch>> batches_ ABSL_GUARDED_BY(mu_);
  std::vector<Done> held_ ABSL_GUARDED_BY(mu_);
  Status status_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
};

// The last status a batch was answered with, and how often.
struct Answer {
  int calls = 0;
  Status status;
  Done Callback() {
    return [this](const Status& s) {
      ++calls;
      status = s;
    };
  }
};

struct Fixture {
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  metrics::Registry registry;
  Host host;
  Sink sink;
  std::unique_ptr<Processor> processor;

  TailSamplingProcessor& ts() { return *dynamic_cast<TailSamplingProcessor*>(processor.get()); }

  Status Make(const std::string& yaml, bool ack_through = false, std::string name = "",
              milliseconds poll = milliseconds(5)) {
    host.metrics = &registry;
    auto root = config::Node::Parse(yaml, "test.yaml");
    if (!root.ok()) return root.status();
    CreateSettings settings;
    settings.id = {"tail_sampling", std::move(name)};
    settings.host = &host;
    settings.pipeline = "traces";
    settings.ack_through = ack_through;
    auto p = MakeTailSamplingFactoryForTest(clock, poll)(settings, (*root)["tail_sampling"], &sink);
    if (!p.ok()) return p.status();
    processor = std::move(*p);
    return absl::OkStatus();
  }

  uint64_t CounterValue(std::string_view name, const metrics::Labels& labels = {}) {
    return registry.GetCounter(name, "", labels)->Value();
  }
};

constexpr char kErrorsOnly[] = R"(tail_sampling:
  decision_wait: 10s
  policies:
    - name: errors
      type: status_code
      status_code: {status_codes: [ERROR]}
)";

TEST(TailSamplingProcessor, BuffersUntilDecisionWaitThenForwardsTheWholeTrace) {
  Fixture f;
  ASSERT_TRUE(f.Make(kErrorsOnly).ok());
  Answer a1, a2;
  {
    BatchBuilder b;
    b.Resource({{"service.name", StrValue("checkout")}})
        .Span({.trace_id = Tid(1), .attrs = {{"http.route", StrValue("/pay")}}})
        .Span({Tid(2)});
    f.processor->ConsumeTraces(b.Build(), a1.Callback());
  }
  f.clock->Advance(std::chrono::seconds(5));
  {
    BatchBuilder b;
    b.Span({.trace_id = Tid(1), .status = model::kStatusError});
    f.processor->ConsumeTraces(b.Build(), a2.Callback());
  }
  // Without ack_through each batch is answered as soon as it is buffered.
  EXPECT_EQ(a1.calls, 1);
  EXPECT_TRUE(a1.status.ok());
  EXPECT_EQ(a2.calls, 1);

  f.ts().DecideDueForTest();
  EXPECT_EQ(f.sink.SpanCount(), 0u);  // not yet: 5 s of 10 s

  f.clock->Advance(std::chrono::seconds(5));
  f.ts().DecideDueForTest();
  ASSERT_EQ(f.sink.BatchCount(), 1u);
  const model::SpanBatch& out = f.sink.batch(0);
  ASSERT_EQ(out.span_count(), 2u);  // both spans of trace 1; trace 2 had no error
  EXPECT_EQ(out.spans.trace_id[0], Tid(1));
  EXPECT_EQ(out.spans.trace_id[1], Tid(1));
  EXPECT_EQ(out.tenant, model::kDefaultTenant);
  // Attributes and the resource were copied with the span (the received batches are gone).
  ASSERT_EQ(out.spans.attributes[0].count, 1u);
  EXPECT_EQ(out.key_values[out.spans.attributes[0].begin].key, "http.route");
  EXPECT_EQ(out.key_values[out.spans.attributes[0].begin].value.bytes, "/pay");
  const model::Resource& res = out.resources[out.scopes[out.spans.scope[0]].resource];
  ASSERT_EQ(res.attributes.count, 1u);
  EXPECT_EQ(out.key_values[res.attributes.begin].value.bytes, "checkout");

  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_new_trace_id_received"), 2u);
  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_count_traces_sampled",
                           {{"policy", "errors"}, {"sampled", "true"}, {"decision", "sampled"}}),
            1u);
  EXPECT_EQ(
      f.CounterValue("otelcol_processor_tail_sampling_count_traces_sampled",
                     {{"policy", "errors"}, {"sampled", "false"}, {"decision", "not_sampled"}}),
      1u);
}

TEST(TailSamplingProcessor, InvertNotSampledBeatsSampled) {
  Fixture f;
  ASSERT_TRUE(f.Make(R"(tail_sampling:
  decision_wait: 1s
  policies:
    - {name: all, type: always_sample}
    - name: not-test
      type: string_attribute
      string_attribute: {key: env, values: [test], invert_match: true}
)")
                  .ok());
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .attrs = {{"env", StrValue("test")}}})  // InvertNotSampled
      .Span({.trace_id = Tid(2), .attrs = {{"env", StrValue("prod")}}});  // InvertSampled
  f.processor->ConsumeTraces(b.Build(), [](const Status&) {});
  f.clock->Advance(std::chrono::seconds(1));
  f.ts().DecideDueForTest();
  ASSERT_EQ(f.sink.SpanCount(), 1u);
  EXPECT_EQ(f.sink.batch(0).spans.trace_id[0], Tid(2));
}

TEST(TailSamplingProcessor, InvertSampledLosesToAPlainNotSampled) {
  Fixture f;
  ASSERT_TRUE(f.Make(R"(tail_sampling:
  decision_wait: 1s
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
    - name: not-test
      type: string_attribute
      string_attribute: {key: env, values: [test], invert_match: true}
)")
                  .ok());
  BatchBuilder b;
  b.Span({Tid(1)});  // errors: NotSampled; not-test: InvertSampled → not sampled
  f.processor->ConsumeTraces(b.Build(), [](const Status&) {});
  f.clock->Advance(std::chrono::seconds(1));
  f.ts().DecideDueForTest();
  EXPECT_EQ(f.sink.SpanCount(), 0u);
}

TEST(TailSamplingProcessor, DropPolicyOverridesSampling) {
  Fixture f;
  ASSERT_TRUE(f.Make(R"(tail_sampling:
  decision_wait: 1s
  policies:
    - {name: all, type: always_sample}
    - name: no-health
      type: drop
      drop:
        drop_sub_policy:
          - {name: h, type: string_attribute, string_attribute: {key: http.route, values: [/health]}}
)")
                  .ok());
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .attrs = {{"http.route", StrValue("/health")}}}).Span({Tid(2)});
  f.processor->ConsumeTraces(b.Build(), [](const Status&) {});
  f.clock->Advance(std::chrono::seconds(1));
  f.ts().DecideDueForTest();
  ASSERT_EQ(f.sink.SpanCount(), 1u);
  EXPECT_EQ(f.sink.batch(0).spans.trace_id[0], Tid(2));
  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_global_count_traces_sampled",
                           {{"sampled", "false"}, {"decision", "dropped"}}),
            1u);
}

TEST(TailSamplingProcessor, LateSpansFollowTheDecision) {
  Fixture f;
  ASSERT_TRUE(f.Make(kErrorsOnly).ok());
  BatchBuilder first;
  first.Span({.trace_id = Tid(1), .status = model::kStatusError}).Span({Tid(2)});
  f.processor->ConsumeTraces(first.Build(), [](const Status&) {});
  f.clock->Advance(std::chrono::seconds(10));
  f.ts().DecideDueForTest();
  ASSERT_EQ(f.sink.SpanCount(), 1u);

  BatchBuilder late;
  late.Span({Tid(1)}).Span({Tid(2)}).Span({Tid(1)});
  Answer a;
  f.processor->ConsumeTraces(late.Build(), a.Callback());
  // The sampled trace's late spans go straight on; the other trace's are dropped.
  ASSERT_EQ(f.sink.BatchCount(), 2u);
  EXPECT_EQ(f.sink.batch(1).span_count(), 2u);
  EXPECT_EQ(f.sink.batch(1).spans.trace_id[0], Tid(1));
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(f.ts().TracesInMemoryForTest(), 2u);  // no cache: decided entries stay
  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_new_trace_id_received"), 2u);
}

TEST(TailSamplingProcessor, DecisionCacheReleasesEntriesAndAnswersLateSpans) {
  Fixture f;
  ASSERT_TRUE(f.Make(R"(tail_sampling:
  decision_wait: 10s
  decision_cache: {sampled_cache_size: 100, non_sampled_cache_size: 100}
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
)")
                  .ok());
  BatchBuilder first;
  first.Span({.trace_id = Tid(1), .status = model::kStatusError}).Span({Tid(2)});
  f.processor->ConsumeTraces(first.Build(), [](const Status&) {});
  f.clock->Advance(std::chrono::seconds(10));
  f.ts().DecideDueForTest();
  EXPECT_EQ(f.ts().TracesInMemoryForTest(), 0u);

  BatchBuilder late;
  late.Span({Tid(1)}).Span({Tid(2)});
  f.processor->ConsumeTraces(late.Build(), [](const Status&) {});
  EXPECT_EQ(f.sink.SpanCount(), 2u);  // 1 decided + 1 late span of trace 1
  EXPECT_EQ(f.ts().TracesInMemoryForTest(), 0u);
  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_early_releases_from_cache_decision",
                           {{"sampled", "true"}}),
            1u);
  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_early_releases_from_cache_decision",
                           {{"sampled", "false"}}),
            1u);
  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_new_trace_id_received"), 2u);
}

TEST(TailSamplingProcessor, NumTracesOverflowDropsTheOldestUndecidedTrace) {
  Fixture f;
  ASSERT_TRUE(f.Make(R"(tail_sampling:
  decision_wait: 10s
  num_traces: 2
  policies:
    - {name: all, type: always_sample}
)",
                     /*ack_through=*/true)
                  .ok());
  Answer a1, a2, a3;
  BatchBuilder b1, b2, b3;
  b1.Span({Tid(1)});
  b2.Span({Tid(2)});
  b3.Span({Tid(3)}).Span({Tid(3)});
  f.processor->ConsumeTraces(b1.Build(), a1.Callback());
  f.processor->ConsumeTraces(b2.Build(), a2.Callback());
  EXPECT_EQ(a1.calls, 0);
  f.processor->ConsumeTraces(b3.Build(), a3.Callback());
  // Trace 1 was evicted before its decision: dropped, and its sender told to retry.
  EXPECT_EQ(a1.calls, 1);
  EXPECT_EQ(a1.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(f.ts().TracesInMemoryForTest(), 2u);
  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_sampling_trace_dropped_too_early"),
            1u);

  f.clock->Advance(std::chrono::seconds(10));
  f.ts().DecideDueForTest();
  EXPECT_EQ(f.sink.SpanCount(), 3u);  // traces 2 and 3
  EXPECT_EQ(a2.calls, 1);
  EXPECT_TRUE(a2.status.ok());
  EXPECT_EQ(a3.calls, 1);
  EXPECT_TRUE(a3.status.ok());
}

TEST(TailSamplingProcessor, EvictedDecidedTraceStartsOverWithoutACache) {
  Fixture f;
  ASSERT_TRUE(f.Make(R"(tail_sampling:
  decision_wait: 1s
  num_traces: 1
  policies:
    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
)")
                  .ok());
  BatchBuilder b1;
  b1.Span({.trace_id = Tid(1), .status = model::kStatusError});
  f.processor->ConsumeTraces(b1.Build(), [](const Status&) {});
  f.clock->Advance(std::chrono::seconds(1));
  f.ts().DecideDueForTest();
  ASSERT_EQ(f.sink.SpanCount(), 1u);
  BatchBuilder b2;
  b2.Span({Tid(2)});  // evicts decided trace 1 (not "too early")
  f.processor->ConsumeTraces(b2.Build(), [](const Status&) {});
  BatchBuilder late;
  late.Span({Tid(1)});  // trace 1 is unknown again: a new trace, decided on its own
  f.processor->ConsumeTraces(late.Build(), [](const Status&) {});
  EXPECT_EQ(f.sink.SpanCount(), 1u);
  f.clock->Advance(std::chrono::seconds(1));
  f.ts().DecideDueForTest();
  EXPECT_EQ(f.sink.SpanCount(), 1u);  // no error in the new window: not sampled
  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_sampling_trace_dropped_too_early"),
            1u);  // trace 2, evicted by the late trace 1
  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_new_trace_id_received"), 3u);
}

TEST(TailSamplingProcessor, AckThroughWaitsForDownstreamAndReportsItsError) {
  Fixture f;
  ASSERT_TRUE(f.Make(kErrorsOnly, /*ack_through=*/true).ok());
  f.sink.Hold();
  Answer mixed, dropped_only;
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .status = model::kStatusError}).Span({Tid(2)});
  f.processor->ConsumeTraces(b.Build(), mixed.Callback());
  BatchBuilder d;
  d.Span({Tid(3)});
  f.processor->ConsumeTraces(d.Build(), dropped_only.Callback());
  EXPECT_EQ(mixed.calls, 0);
  EXPECT_EQ(dropped_only.calls, 0);

  f.clock->Advance(std::chrono::seconds(10));
  f.ts().DecideDueForTest();
  EXPECT_EQ(dropped_only.calls, 1);  // every span dropped by the decision
  EXPECT_TRUE(dropped_only.status.ok());
  EXPECT_EQ(mixed.calls, 0);  // trace 1 is still with `next`
  f.sink.Answer(absl::UnavailableError("store down"));
  EXPECT_EQ(mixed.calls, 1);
  EXPECT_EQ(mixed.status.code(), absl::StatusCode::kUnavailable);
}

TEST(TailSamplingProcessor, AckThroughSpansOfOneBatchInSeveralTraces) {
  Fixture f;
  ASSERT_TRUE(f.Make(R"(tail_sampling:
  decision_wait: 10s
  policies:
    - {name: all, type: always_sample}
)",
                     /*ack_through=*/true)
                  .ok());
  f.sink.Hold();
  Answer a1, a2;
  BatchBuilder b1;
  b1.Span({Tid(1)});
  f.processor->ConsumeTraces(b1.Build(), a1.Callback());
  f.clock->Advance(std::chrono::seconds(5));
  BatchBuilder b2;
  b2.Span({Tid(1)}).Span({Tid(2)});  // one late-ish span of trace 1, and a new trace 2
  f.processor->ConsumeTraces(b2.Build(), a2.Callback());
  f.clock->Advance(std::chrono::seconds(5));
  f.ts().DecideDueForTest();  // trace 1 only
  f.sink.Answer(absl::OkStatus());
  EXPECT_EQ(a1.calls, 1);
  EXPECT_EQ(a2.calls, 0);  // its span of trace 2 is still pending
  f.clock->Advance(std::chrono::seconds(5));
  f.ts().DecideDueForTest();
  f.sink.Answer(absl::OkStatus());
  EXPECT_EQ(a2.calls, 1);
  EXPECT_TRUE(a2.status.ok());
  EXPECT_EQ(f.sink.SpanCount(), 3u);
}

TEST(TailSamplingProcessor, ShutdownDecidesPendingTracesAndFlushes) {
  Fixture f;
  ASSERT_TRUE(f.Make(kErrorsOnly, /*ack_through=*/true).ok());
  ASSERT_TRUE(f.processor->Start().ok());
  Answer a;
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .status = model::kStatusError}).Span({Tid(2)});
  f.processor->ConsumeTraces(b.Build(), a.Callback());
  f.processor->Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(f.sink.SpanCount(), 1u);  // decided without waiting for decision_wait
  EXPECT_EQ(a.calls, 1);
  EXPECT_TRUE(a.status.ok());
  Answer after;
  BatchBuilder late;
  late.Span({Tid(4)});
  f.processor->ConsumeTraces(late.Build(), after.Callback());
  EXPECT_EQ(after.status.code(), absl::StatusCode::kUnavailable);
}

TEST(TailSamplingProcessor, DropPendingTracesOnShutdown) {
  Fixture f;
  ASSERT_TRUE(f.Make(R"(tail_sampling:
  decision_wait: 10s
  drop_pending_traces_on_shutdown: true
  policies:
    - {name: all, type: always_sample}
)",
                     /*ack_through=*/true)
                  .ok());
  ASSERT_TRUE(f.processor->Start().ok());
  Answer a;
  BatchBuilder b;
  b.Span({Tid(1)});
  f.processor->ConsumeTraces(b.Build(), a.Callback());
  f.processor->Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(f.sink.SpanCount(), 0u);
  EXPECT_EQ(a.calls, 1);
}

TEST(TailSamplingProcessor, DestroyingWithUndecidedSpansAnswersAborted) {
  Answer a;
  {
    Fixture f;
    ASSERT_TRUE(f.Make(kErrorsOnly, /*ack_through=*/true).ok());
    BatchBuilder b;
    b.Span({Tid(1)});
    f.processor->ConsumeTraces(b.Build(), a.Callback());
    EXPECT_EQ(a.calls, 0);
  }
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(a.status.code(), absl::StatusCode::kAborted);
}

TEST(TailSamplingProcessor, BackgroundThreadDecidesOnTheInjectedClock) {
  Fixture f;
  ASSERT_TRUE(f.Make(kErrorsOnly).ok());
  ASSERT_TRUE(f.processor->Start().ok());
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .status = model::kStatusError});
  f.processor->ConsumeTraces(b.Build(), [](const Status&) {});
  f.clock->Advance(std::chrono::seconds(10));
  EXPECT_TRUE(f.sink.WaitForSpans(1));
  f.processor->Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(f.sink.SpanCount(), 1u);
}

TEST(TailSamplingProcessor, RealClockDecisionAfterShortWait) {
  Fixture f;
  f.host.metrics = &f.registry;
  auto root = config::Node::Parse(R"(tail_sampling:
  decision_wait: 50ms
  policies:
    - {name: all, type: always_sample}
)",
                                  "test.yaml");
  ASSERT_TRUE(root.ok());
  CreateSettings settings;
  settings.id = {"tail_sampling", ""};
  settings.host = &f.host;
  auto p = MakeTailSamplingFactory()(settings, (*root)["tail_sampling"], &f.sink);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_TRUE((*p)->Start().ok());
  BatchBuilder b;
  b.Span({Tid(1)}).Span({Tid(1)});
  (*p)->ConsumeTraces(b.Build(), [](const Status&) {});
  EXPECT_TRUE(f.sink.WaitForSpans(2));
  (*p)->Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
}

TEST(TailSamplingProcessor, TenantsAreSeparateTraces) {
  Fixture f;
  ASSERT_TRUE(f.Make(kErrorsOnly).ok());
  BatchBuilder a("tenant-a");
  a.Span({.trace_id = Tid(1), .status = model::kStatusError});
  BatchBuilder b("tenant-b");
  b.Span({Tid(1)});
  f.processor->ConsumeTraces(a.Build(), [](const Status&) {});
  f.processor->ConsumeTraces(b.Build(), [](const Status&) {});
  f.clock->Advance(std::chrono::seconds(10));
  f.ts().DecideDueForTest();
  ASSERT_EQ(f.sink.BatchCount(), 1u);
  EXPECT_EQ(f.sink.batch(0).tenant, "tenant-a");
  EXPECT_EQ(f.sink.batch(0).span_count(), 1u);
}

TEST(TailSamplingProcessor, NamedProcessorPrefixesPolicyMetricNames) {
  Fixture f;
  ASSERT_TRUE(f.Make(kErrorsOnly, false, "edge").ok());
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .status = model::kStatusError});
  f.processor->ConsumeTraces(b.Build(), [](const Status&) {});
  f.clock->Advance(std::chrono::seconds(10));
  f.ts().DecideDueForTest();
  EXPECT_EQ(f.CounterValue("otelcol_processor_tail_sampling_count_traces_sampled",
                           {{"policy", "edge.errors"}, {"sampled", "true"}, {"decision", "sampled"}}),
            1u);
}

TEST(TailSamplingConfig, BadDurationIsAnErrorAtItsPlace) {
  Fixture f;
  Status s = f.Make(R"(tail_sampling:
  decision_wait: soon
  policies:
    - {name: all, type: always_sample}
)");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(Message(s)).find("test.yaml:2:18"), std::string::npos) << s;
}

TEST(TailSamplingConfig, UnknownPolicyTypeIsAnErrorAtItsPlace) {
  Fixture f;
  Status s = f.Make(R"(tail_sampling:
  policies:
    - {name: all, type: always_sample}
    - name: weird
      type: sometimes_sample
)");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(Message(s)).find("test.yaml:5:13"), std::string::npos) << s;
  EXPECT_NE(std::string(Message(s)).find("sometimes_sample"), std::string::npos) << s;
}

TEST(TailSamplingConfig, MissingKeyAndOtherErrors) {
  Fixture f;
  Status missing = f.Make(R"(tail_sampling:
  policies:
    - name: b
      type: boolean_attribute
      boolean_attribute: {value: true}
)");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(Message(missing)).find("test.yaml:5:"), std::string::npos) << missing;
  EXPECT_NE(std::string(Message(missing)).find("key"), std::string::npos) << missing;

  EXPECT_FALSE(f.Make("tail_sampling:\n  decision_wait: 1s\n").ok());  // no policies
  EXPECT_FALSE(f.Make("tail_sampling:\n  num_trace: 5\n  policies: [{name: a, type: "
                      "always_sample}]\n")
                   .ok());
  EXPECT_FALSE(f.Make("tail_sampling:\n  num_traces: 0\n  policies: [{name: a, type: "
                      "always_sample}]\n")
                   .ok());
  EXPECT_TRUE(f.Make("tail_sampling:\n  expected_new_traces_per_sec: 100\n  "
                     "sample_on_first_match: true\n  policies: [{name: a, type: always_sample}]\n")
                  .ok());
}

}  // namespace
}  // namespace th::pipeline::tail_sampling

#include "pipeline/processor/probabilistic_sampler/probabilistic_sampler.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/config/node.h"
#include "pipeline/processor/probabilistic_sampler/internal/hash_seed.h"

namespace th::pipeline {
namespace {

namespace ps = probabilistic_sampler;

model::TraceId Tid(std::string_view hex) { return *model::TraceIdFromHex(hex); }

// Trace id 0102…10: the seeded hashes below were computed with the Collector's computeHash
// (FNV-1a-32 over the seed's little-endian bytes, then the id) in an independent Python port.
constexpr std::string_view kTid1 = "0102030405060708090a0b0c0d0e0f10";
constexpr std::string_view kTid2 = "4bf92f3577b34da6a3ce929d0e0e4736";

class Sink : public TracesConsumer {
 public:
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    batches.push_back(std::move(batch));
    done(status);
  }
  std::vector<std::unique_ptr<model::SpanBatch>> batches;
  Status status;
};

Result<std::unique_ptr<Processor>> Make(std::string_view yaml, Sink* sink) {
  ASSIGN_OR_RETURN(config::Node root, config::Node::Parse(yaml, "test.yaml"));
  CreateSettings settings;
  settings.id = {"probabilistic_sampler", ""};
  static metrics::Registry registry;
  static Host host;
  host.metrics = &registry;
  settings.host = &host;
  return MakeProbabilisticSamplerFactory()(settings, root["probabilistic_sampler"], sink);
}

uint32_t AddSpan(model::SpanBatch& b, std::string_view tid, std::string_view tracestate = {}) {
  if (b.resources.empty()) {
    b.resources.emplace_back();
    b.scopes.emplace_back();
  }
  model::SpanRow row;
  row.trace_id = Tid(tid);
  row.span_id.bytes[0] = static_cast<uint8_t>(b.span_count() + 1);
  row.trace_state = b.arena.Copy(tracestate);
  row.name = "op";
  return b.AppendSpan(row);
}

void AddAttr(model::SpanBatch& b, uint32_t span, std::string_view key, model::AnyValue v) {
  model::Range& r = b.spans.attributes[span];
  if (r.count == 0) r.begin = static_cast<uint32_t>(b.key_values.size());
  b.key_values.push_back({b.arena.Copy(key), v});
  ++r.count;
}

TEST(ProbabilisticSamplerHash, MatchesFnv1aReferenceVectors) {
  EXPECT_EQ(ps::Fnv1a32(""), 0x811c9dc5u);
  EXPECT_EQ(ps::Fnv1a32("a"), 0xe40c292cu);
  EXPECT_EQ(ps::Fnv1a32("foobar"), 0xbf9cf968u);
}

TEST(ProbabilisticSamplerHash, SeededTraceIdHashMatchesCollectorComputeHash) {
  std::string_view id1 = Tid(kTid1).View();
  EXPECT_EQ(ps::SeededHash(Tid(kTid1).View(), 0), 0xdf241a25u) << id1.size();
  EXPECT_EQ(ps::SeededHash(Tid(kTid1).View(), 1), 0x067347d4u);
  EXPECT_EQ(ps::SeededHash(Tid(kTid1).View(), 22), 0xd863b443u);
  EXPECT_EQ(ps::SeededHash(Tid(kTid1).View(), 0xdeadbeef), 0x6bcb41abu);
  EXPECT_EQ(ps::SeededHash(Tid(kTid2).View(), 0), 0x3420408du);
  EXPECT_EQ(ps::SeededHash(Tid(kTid2).View(), 22), 0x5610306bu);
}

TEST(ProbabilisticSamplerHash, ScaledRateIsFloat32AndTruncated) {
  EXPECT_EQ(ps::ScaledSampleRate(50), 8192u);
  EXPECT_EQ(ps::ScaledSampleRate(25), 4096u);
  EXPECT_EQ(ps::ScaledSampleRate(33.3f), 5455u);
  EXPECT_EQ(ps::ScaledSampleRate(99.99f), 16382u);
  EXPECT_EQ(ps::ScaledSampleRate(1), 163u);
  EXPECT_EQ(ps::ScaledSampleRate(0.01f), 1u);
  EXPECT_EQ(ps::ScaledSampleRate(0.001f), 0u);
  EXPECT_EQ(ps::ScaledSampleRate(100), 16384u);
  EXPECT_EQ(ps::ScaledSampleRate(250), 16384u);
}

TEST(ProbabilisticSamplerHash, RandomnessAndThresholdEncodeLikeTheCollector) {
  EXPECT_EQ(ps::RandomnessRValue(ps::RandomnessFromHash(0xdf241a25u)), "976b7c4f241a25");
  EXPECT_EQ(ps::RandomnessRValue(ps::RandomnessFromHash(0x5610306bu)), "3e51581610306b");
  EXPECT_EQ(ps::ThresholdTValue(ps::ThresholdFromScaledRate(8192)), "8");
  EXPECT_EQ(ps::ThresholdTValue(ps::ThresholdFromScaledRate(5455)), "aac4");
  EXPECT_EQ(ps::ThresholdTValue(ps::kAlwaysSampleThreshold), "0");
  EXPECT_EQ(ps::ThresholdTValue(ps::kNeverSampleThreshold), "");
  // "randomness >= threshold" is exactly "bucket < scaled rate".
  for (uint32_t h : {0u, 1u, 8191u, 8192u, 16383u, 0xdf241a25u, 0x5610306bu, 0xffffffffu}) {
    for (uint32_t scaled : {1u, 163u, 8192u, 16383u, 16384u}) {
      EXPECT_EQ(ps::RandomnessFromHash(h) >= ps::ThresholdFromScaledRate(scaled),
                (h & 0x3fff) < scaled)
          << h << " " << scaled;
    }
  }
}

TEST(ProbabilisticSamplerHash, TraceStateParsesAndSerializesOtelFirst) {
  ps::TraceState ts;
  ASSERT_TRUE(ps::ParseTraceState(" congo=t61rcWkgMzE , rojo=00f067aa0ba902b7", &ts));
  EXPECT_TRUE(ts.rv.empty());
  ASSERT_EQ(ts.members.size(), 2u);
  ts.rv = "976b7c4f241a25";
  ts.th = "8";
  EXPECT_EQ(ps::SerializeTraceState(ts), "ot=rv:976b7c4f241a25;th:8,congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
  ASSERT_TRUE(ps::ParseTraceState("ot=th:c;foo:bar,a=b", &ts));
  EXPECT_EQ(ts.th, "c");
  EXPECT_EQ(ts.otel_extra.size(), 1u);
  EXPECT_TRUE(ps::ParseTraceState("", &ts));
  EXPECT_FALSE(ps::ParseTraceState("Bad=1", &ts));
  EXPECT_FALSE(ps::ParseTraceState("a=b=c", &ts));
  EXPECT_FALSE(ps::ParseTraceState("ot=th", &ts));
}

TEST(ProbabilisticSampler, KeepsTheSameTracesAsTheCollectorAndRewritesTraceState) {
  Sink sink;
  auto p = Make("probabilistic_sampler:\n  sampling_percentage: 50\n", &sink);
  ASSERT_TRUE(p.ok()) << p.status();
  auto b = std::make_unique<model::SpanBatch>();
  AddSpan(*b, kTid1, "congo=t61rcWkgMzE");  // bucket 6693 < 8192: kept
  AddSpan(*b, kTid2);                        // seed 0: bucket 141: kept
  AddSpan(*b, kTid1);                        // same trace as the first: kept
  b->otlp_encoding = "stale";
  Status got = absl::UnknownError("not called");
  (*p)->ConsumeTraces(std::move(b), [&](const Status& s) { got = s; });
  ASSERT_TRUE(got.ok()) << got;
  ASSERT_EQ(sink.batches.size(), 1u);
  const model::SpanBatch& out = *sink.batches[0];
  ASSERT_EQ(out.span_count(), 3u);
  EXPECT_EQ(out.spans.trace_state[0], "ot=rv:976b7c4f241a25;th:8,congo=t61rcWkgMzE");
  EXPECT_EQ(out.spans.trace_state[2], "ot=rv:976b7c4f241a25;th:8");
  EXPECT_TRUE(out.otlp_encoding.empty());
}

TEST(ProbabilisticSampler, HashSeedChangesTheDecision) {
  Sink sink;
  auto p = Make("probabilistic_sampler:\n  sampling_percentage: 50\n  hash_seed: 22\n", &sink);
  ASSERT_TRUE(p.ok()) << p.status();
  auto b = std::make_unique<model::SpanBatch>();
  AddSpan(*b, kTid1);  // seed 22: bucket 0x3443 = 13379: dropped
  AddSpan(*b, kTid2);  // seed 22: bucket 12395: dropped
  bool called = false;
  (*p)->ConsumeTraces(std::move(b), [&](const Status& s) {
    called = true;
    EXPECT_TRUE(s.ok());
  });
  EXPECT_TRUE(called);
  EXPECT_TRUE(sink.batches.empty());  // everything dropped: done(OK), nothing passed on
}

TEST(ProbabilisticSampler, KeepRateIsCloseToThePercentageAndConsistentPerTrace) {
  Sink sink;
  auto p = Make("probabilistic_sampler:\n  sampling_percentage: 25\n  hash_seed: 7\n", &sink);
  ASSERT_TRUE(p.ok());
  auto b = std::make_unique<model::SpanBatch>();
  std::vector<std::string> ids;
  for (int t = 0; t < 4000; ++t) {
    char hex[33];
    std::snprintf(hex, sizeof(hex), "%016llx%016llx", 0x1234ULL * static_cast<unsigned>(t + 1),
                  0x9e3779b97f4a7c15ULL * static_cast<unsigned long long>(t + 1));
    ids.emplace_back(hex);
    AddSpan(*b, hex);
    AddSpan(*b, hex);
  }
  (*p)->ConsumeTraces(std::move(b), [](const Status&) {});
  ASSERT_EQ(sink.batches.size(), 1u);
  const model::SpanBatch& out = *sink.batches[0];
  EXPECT_EQ(out.span_count() % 2, 0u);
  for (size_t i = 0; i + 1 < out.span_count(); i += 2) {
    EXPECT_EQ(out.spans.trace_id[i], out.spans.trace_id[i + 1]);
  }
  double traces = static_cast<double>(out.span_count()) / 2;
  EXPECT_GT(traces, 1000 * 0.85);
  EXPECT_LT(traces, 1000 * 1.15);
}

TEST(ProbabilisticSampler, SamplingPriorityOverridesTheHash) {
  Sink sink;
  auto p = Make("probabilistic_sampler:\n  sampling_percentage: 50\n  hash_seed: 22\n", &sink);
  ASSERT_TRUE(p.ok());
  auto b = std::make_unique<model::SpanBatch>();
  model::AnyValue one;
  one.type = model::ValueType::kInt;
  one.int_value = 1;
  model::AnyValue zero_str;
  zero_str.type = model::ValueType::kString;
  zero_str.bytes = "0";
  model::AnyValue dbl;
  dbl.type = model::ValueType::kDouble;
  dbl.double_value = 2.5;
  uint32_t a = AddSpan(*b, kTid1);  // hash drops it; priority 1 keeps it
  AddAttr(*b, a, "sampling.priority", one);
  uint32_t c = AddSpan(*b, kTid2);  // hash drops it; priority 2.5 keeps it
  AddAttr(*b, c, "sampling.priority", dbl);
  Sink sink0;
  auto keep_all = Make("probabilistic_sampler:\n  sampling_percentage: 100\n", &sink0);
  ASSERT_TRUE(keep_all.ok());
  auto b0 = std::make_unique<model::SpanBatch>();
  uint32_t z = AddSpan(*b0, kTid1);
  AddAttr(*b0, z, "sampling.priority", zero_str);  // "0": dropped even at 100%
  AddSpan(*b0, kTid1);
  (*keep_all)->ConsumeTraces(std::move(b0), [](const Status&) {});
  ASSERT_EQ(sink0.batches.size(), 1u);
  EXPECT_EQ(sink0.batches[0]->span_count(), 1u);

  (*p)->ConsumeTraces(std::move(b), [](const Status&) {});
  ASSERT_EQ(sink.batches.size(), 1u);
  ASSERT_EQ(sink.batches[0]->span_count(), 2u);
  // A priority keep writes th:0 (always), with the hash randomness.
  EXPECT_EQ(sink.batches[0]->spans.trace_state[0].substr(0, 6), "ot=rv:");
  EXPECT_NE(sink.batches[0]->spans.trace_state[0].find(";th:0"), std::string_view::npos);
}

TEST(ProbabilisticSampler, FailClosedDropsSpansWithConsistentSamplingValues) {
  for (bool fail_closed : {true, false}) {
    Sink sink;
    auto p = Make(std::string("probabilistic_sampler:\n  sampling_percentage: 100\n"
                              "  fail_closed: ") +
                      (fail_closed ? "true" : "false") + "\n",
                  &sink);
    ASSERT_TRUE(p.ok());
    auto b = std::make_unique<model::SpanBatch>();
    AddSpan(*b, kTid1, "ot=rv:00000000000000");  // randomness in use: an error
    AddSpan(*b, kTid1, "Not A Tracestate");      // syntax error
    AddSpan(*b, "00000000000000000000000000000000");  // no randomness
    AddSpan(*b, kTid2);                                  // fine: kept
    (*p)->ConsumeTraces(std::move(b), [](const Status&) {});
    ASSERT_EQ(sink.batches.size(), 1u);
    EXPECT_EQ(sink.batches[0]->span_count(), fail_closed ? 1u : 4u) << fail_closed;
    if (!fail_closed) {
      // Tracestates that could not be used are left as they were.
      EXPECT_EQ(sink.batches[0]->spans.trace_state[0], "ot=rv:00000000000000");
      EXPECT_EQ(sink.batches[0]->spans.trace_state[1], "Not A Tracestate");
    }
  }
}

TEST(ProbabilisticSampler, ZeroPercentDropsEverythingAndAnswersOk) {
  Sink sink;
  auto p = Make("probabilistic_sampler:\n  sampling_percentage: 0\n", &sink);
  ASSERT_TRUE(p.ok());
  auto b = std::make_unique<model::SpanBatch>();
  AddSpan(*b, kTid1);
  AddSpan(*b, kTid2);
  int calls = 0;
  (*p)->ConsumeTraces(std::move(b), [&](const Status& s) {
    ++calls;
    EXPECT_TRUE(s.ok());
  });
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(sink.batches.empty());
}

TEST(ProbabilisticSampler, DownstreamErrorReachesTheCaller) {
  Sink sink;
  sink.status = absl::UnavailableError("store down");
  auto p = Make("probabilistic_sampler:\n  sampling_percentage: 100\n", &sink);
  ASSERT_TRUE(p.ok());
  auto b = std::make_unique<model::SpanBatch>();
  AddSpan(*b, kTid1);
  Status got;
  (*p)->ConsumeTraces(std::move(b), [&](const Status& s) { got = s; });
  EXPECT_EQ(got.code(), absl::StatusCode::kUnavailable);
}

TEST(ProbabilisticSamplerConfig, ErrorsCarryFileLineAndColumn) {
  Sink sink;
  auto neg = Make("probabilistic_sampler:\n  sampling_percentage: -1\n", &sink);
  ASSERT_FALSE(neg.ok());
  EXPECT_NE(std::string(Message(neg.status())).find("test.yaml:2:24"), std::string::npos)
      << neg.status();
  EXPECT_NE(std::string(Message(neg.status())).find("negative sampling rate"), std::string::npos);

  auto mode = Make("probabilistic_sampler:\n  mode: proportional\n", &sink);
  ASSERT_FALSE(mode.ok());
  EXPECT_NE(std::string(Message(mode.status())).find("test.yaml:2:9"), std::string::npos)
      << mode.status();
  EXPECT_NE(std::string(Message(mode.status())).find("not supported"), std::string::npos);

  auto unknown = Make("probabilistic_sampler:\n  sampling_percent: 5\n", &sink);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(std::string(Message(unknown.status())).find("test.yaml:2"), std::string::npos)
      << unknown.status();

  auto seed = Make("probabilistic_sampler:\n  hash_seed: 4294967296\n", &sink);
  EXPECT_FALSE(seed.ok());
  auto precision = Make("probabilistic_sampler:\n  sampling_precision: 15\n", &sink);
  EXPECT_FALSE(precision.ok());
  auto ok = Make("probabilistic_sampler:\n  mode: hash_seed\n  sampling_percentage: 12.5\n"
                 "  fail_closed: false\n  attribute_source: record\n",
                 &sink);
  EXPECT_TRUE(ok.ok()) << ok.status();
}

}  // namespace
}  // namespace th::pipeline

#include "pipeline/processor/tail_sampling/internal/policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/config/node.h"
#include "pipeline/processor/tail_sampling/internal/test_util.h"

namespace th::pipeline::tail_sampling {
namespace {

using testing::BatchBuilder;
using testing::BoolValue;
using testing::IntValue;
using testing::StrValue;
using testing::Tid;

// Parses one policy from YAML (the text is the body of a list item under `policies:`).
Result<Policy> Parse(const std::string& yaml) {
  ASSIGN_OR_RETURN(config::Node root, config::Node::Parse("policies:\n" + yaml, "test.yaml"));
  return ParsePolicy(root["policies"].Items().at(0), PolicyLevel::kTop);
}

struct Evaluated {
  std::vector<std::unique_ptr<model::SpanBatch>> batches;
  std::vector<SpanRef> refs;
};

Decision Eval(Policy& p, const std::vector<model::SpanBatch*>& batches, int64_t second = 100) {
  std::vector<SpanRef> refs;
  model::TraceId id;
  for (model::SpanBatch* b : batches) {
    for (uint32_t i = 0; i < b->span_count(); ++i) {
      refs.push_back(SpanRef{b, i});
      id = b->spans.trace_id[i];
    }
  }
  TraceView view{id, &refs, static_cast<int64_t>(refs.size())};
  return p.evaluator->Evaluate(view, EvalContext{second});
}

Decision EvalOne(const std::string& yaml, BatchBuilder& b) {
  auto p = Parse(yaml);
  EXPECT_TRUE(p.ok()) << p.status();
  if (!p.ok()) return Decision::kError;
  return Eval(*p, {&b.batch()});
}

TEST(TailSamplingPolicy, AlwaysSampleSamples) {
  BatchBuilder b;
  b.Span({Tid(1)});
  EXPECT_EQ(EvalOne("- {name: a, type: always_sample}\n", b), Decision::kSampled);
}

TEST(TailSamplingPolicy, LatencyUsesEarliestStartAndLatestEnd) {
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .start_ns = 1'000'000'000, .end_ns = 1'200'000'000});
  b.Span({.trace_id = Tid(1), .start_ns = 1'100'000'000, .end_ns = 1'600'000'000});
  // Duration 600 ms across both spans.
  EXPECT_EQ(EvalOne("- {name: l, type: latency, latency: {threshold_ms: 600}}\n", b),
            Decision::kSampled);
  EXPECT_EQ(EvalOne("- {name: l, type: latency, latency: {threshold_ms: 601}}\n", b),
            Decision::kNotSampled);
  // With an upper bound the lower bound is exclusive, as the Collector has it.
  EXPECT_EQ(EvalOne("- {name: l, type: latency, latency: {threshold_ms: 600, "
                    "upper_threshold_ms: 700}}\n",
                    b),
            Decision::kNotSampled);
  EXPECT_EQ(EvalOne("- {name: l, type: latency, latency: {threshold_ms: 100, "
                    "upper_threshold_ms: 600}}\n",
                    b),
            Decision::kSampled);
}

TEST(TailSamplingPolicy, StatusCodeMatchesAnySpan) {
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .status = model::kStatusOk});
  b.Span({.trace_id = Tid(1), .status = model::kStatusError});
  EXPECT_EQ(EvalOne("- {name: s, type: status_code, status_code: {status_codes: [ERROR]}}\n", b),
            Decision::kSampled);
  EXPECT_EQ(EvalOne("- {name: s, type: status_code, status_code: {status_codes: [UNSET]}}\n", b),
            Decision::kNotSampled);
}

TEST(TailSamplingPolicy, StringAttributeMatchesSpanOrResource) {
  BatchBuilder span_attr;
  span_attr.Span({.trace_id = Tid(1), .attrs = {{"http.route", StrValue("/checkout")}}});
  BatchBuilder resource_attr;
  resource_attr.Resource({{"service.name", StrValue("payments")}}).Span({Tid(1)});
  BatchBuilder int_attr;
  int_attr.Span({.trace_id = Tid(1), .attrs = {{"http.route", IntValue(5)}}});

  const std::string route =
      "- {name: s, type: string_attribute, string_attribute: {key: http.route, values: "
      "[/checkout, /cart]}}\n";
  EXPECT_EQ(EvalOne(route, span_attr), Decision::kSampled);
  EXPECT_EQ(EvalOne(route, int_attr), Decision::kNotSampled);
  EXPECT_EQ(EvalOne("- {name: s, type: string_attribute, string_attribute: {key: service.name, "
                    "values: [payments]}}\n",
                    resource_attr),
            Decision::kSampled);
  // Regex matching finds a match anywhere, as Go's MatchString does.
  EXPECT_EQ(EvalOne("- {name: s, type: string_attribute, string_attribute: {key: http.route, "
                    "values: ['check'], enabled_regex_matching: true}}\n",
                    span_attr),
            Decision::kSampled);
  EXPECT_EQ(EvalOne("- {name: s, type: string_attribute, string_attribute: {key: http.route, "
                    "values: ['^/cart$'], enabled_regex_matching: true, cache_max_size: 2}}\n",
                    span_attr),
            Decision::kNotSampled);
}

TEST(TailSamplingPolicy, StringAttributeInvertSamplesTracesWithoutTheKey) {
  BatchBuilder matching;
  matching.Span({.trace_id = Tid(1), .attrs = {{"env", StrValue("test")}}});
  BatchBuilder other;
  other.Span({.trace_id = Tid(1), .attrs = {{"env", StrValue("prod")}}});
  BatchBuilder missing;
  missing.Span({Tid(1)});
  const std::string invert =
      "- {name: s, type: string_attribute, string_attribute: {key: env, values: [test], "
      "invert_match: true}}\n";
  EXPECT_EQ(EvalOne(invert, matching), Decision::kInvertNotSampled);
  EXPECT_EQ(EvalOne(invert, other), Decision::kInvertSampled);
  EXPECT_EQ(EvalOne(invert, missing), Decision::kInvertSampled);
}

TEST(TailSamplingPolicy, NumericAttributeRangeAndInvert) {
  BatchBuilder in_range;
  in_range.Span({.trace_id = Tid(1), .attrs = {{"http.status_code", IntValue(503)}}});
  BatchBuilder out_of_range;
  out_of_range.Span({.trace_id = Tid(1), .attrs = {{"http.status_code", IntValue(200)}}});
  BatchBuilder as_string;
  as_string.Span({.trace_id = Tid(1), .attrs = {{"http.status_code", StrValue("503")}}});
  const std::string range =
      "- {name: n, type: numeric_attribute, numeric_attribute: {key: http.status_code, "
      "min_value: 500, max_value: 599}}\n";
  EXPECT_EQ(EvalOne(range, in_range), Decision::kSampled);
  EXPECT_EQ(EvalOne(range, out_of_range), Decision::kNotSampled);
  EXPECT_EQ(EvalOne(range, as_string), Decision::kNotSampled);  // a string reads as 0
  EXPECT_EQ(EvalOne("- {name: n, type: numeric_attribute, numeric_attribute: {key: "
                    "http.status_code, min_value: 400}}\n",
                    in_range),
            Decision::kSampled);
  const std::string inverted =
      "- {name: n, type: numeric_attribute, numeric_attribute: {key: http.status_code, "
      "min_value: 500, max_value: 599, invert_match: true}}\n";
  EXPECT_EQ(EvalOne(inverted, in_range), Decision::kInvertNotSampled);
  EXPECT_EQ(EvalOne(inverted, out_of_range), Decision::kInvertSampled);
}

TEST(TailSamplingPolicy, BooleanAttributeOnResourceAndInvert) {
  BatchBuilder b;
  b.Resource({{"debug", BoolValue(true)}}).Span({Tid(1)});
  EXPECT_EQ(EvalOne("- {name: b, type: boolean_attribute, boolean_attribute: {key: debug, "
                    "value: true}}\n",
                    b),
            Decision::kSampled);
  EXPECT_EQ(EvalOne("- {name: b, type: boolean_attribute, boolean_attribute: {key: debug, "
                    "value: false}}\n",
                    b),
            Decision::kNotSampled);
  EXPECT_EQ(EvalOne("- {name: b, type: boolean_attribute, boolean_attribute: {key: debug, "
                    "value: true, invert_match: true}}\n",
                    b),
            Decision::kInvertNotSampled);
}

TEST(TailSamplingPolicy, ProbabilisticHashAndThresholdMatchTheCollector) {
  // Reference values computed from the Collector's hashTraceID / calculateThreshold (FNV-1a-64
  // over salt then id; MaxUint64 * ratio in 64-bit big.Float) in an independent Python port.
  EXPECT_EQ(ProbabilisticThreshold(0.5), 9223372036854775807ULL);
  EXPECT_EQ(ProbabilisticThreshold(0.1), 1844674407370955263ULL);
  EXPECT_EQ(ProbabilisticThreshold(0.01), 184467440737095519ULL);
  EXPECT_EQ(ProbabilisticThreshold(0.333), 6142765776545281023ULL);
  EXPECT_EQ(ProbabilisticThreshold(1e-9), 18446744073ULL);
  EXPECT_EQ(ProbabilisticThreshold(1.0), 18446744073709551615ULL);
  EXPECT_EQ(ProbabilisticThreshold(0), 0u);
  model::TraceId id;
  for (int i = 0; i < 16; ++i) id.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(i + 1);
  EXPECT_EQ(ProbabilisticHash("", id), 0xdbcf64d5420f4cadULL);
  EXPECT_EQ(ProbabilisticHash("tier2", id), 0x7da9ec1a99ddaa51ULL);

  BatchBuilder b;
  b.Span({id});
  // 0xdbcf… / 2^64 ≈ 0.8586.
  EXPECT_EQ(EvalOne("- {name: p, type: probabilistic, probabilistic: {sampling_percentage: 86}}\n",
                    b),
            Decision::kSampled);
  EXPECT_EQ(EvalOne("- {name: p, type: probabilistic, probabilistic: {sampling_percentage: 85}}\n",
                    b),
            Decision::kNotSampled);
}

TEST(TailSamplingPolicy, RateLimitingCountsSpansPerSecond) {
  auto p = Parse("- {name: r, type: rate_limiting, rate_limiting: {spans_per_second: 5}}\n");
  ASSERT_TRUE(p.ok()) << p.status();
  BatchBuilder two;
  two.Span({Tid(1)}).Span({Tid(1)});
  EXPECT_EQ(Eval(*p, {&two.batch()}, 100), Decision::kSampled);     // 2 < 5
  EXPECT_EQ(Eval(*p, {&two.batch()}, 100), Decision::kSampled);     // 4 < 5
  EXPECT_EQ(Eval(*p, {&two.batch()}, 100), Decision::kNotSampled);  // 6 would exceed
  EXPECT_EQ(Eval(*p, {&two.batch()}, 101), Decision::kSampled);     // a new second
}

TEST(TailSamplingPolicy, SpanCountIsInclusive) {
  BatchBuilder b;
  b.Span({Tid(1)}).Span({Tid(1)}).Span({Tid(1)});
  EXPECT_EQ(EvalOne("- {name: c, type: span_count, span_count: {min_spans: 3}}\n", b),
            Decision::kSampled);
  EXPECT_EQ(EvalOne("- {name: c, type: span_count, span_count: {min_spans: 1, max_spans: 3}}\n", b),
            Decision::kSampled);
  EXPECT_EQ(EvalOne("- {name: c, type: span_count, span_count: {min_spans: 1, max_spans: 2}}\n", b),
            Decision::kNotSampled);
}

TEST(TailSamplingPolicy, TraceStateMatchesKeyValueAndIgnoresInvalidTraceState) {
  BatchBuilder good;
  good.Span({.trace_id = Tid(1), .trace_state = "rojo=00f067aa0ba902b7, congo=t61rcWkgMzE"});
  BatchBuilder dup;
  dup.Span({.trace_id = Tid(1), .trace_state = "congo=t61rcWkgMzE,congo=x"});
  const std::string policy =
      "- {name: t, type: trace_state, trace_state: {key: congo, values: [t61rcWkgMzE]}}\n";
  EXPECT_EQ(EvalOne(policy, good), Decision::kSampled);
  EXPECT_EQ(EvalOne(policy, dup), Decision::kNotSampled);
}

TEST(TailSamplingPolicy, TraceFlagsSampledBit) {
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .flags = 0x101});
  EXPECT_EQ(EvalOne("- {name: f, type: trace_flags}\n", b), Decision::kSampled);
}

TEST(TailSamplingPolicy, AndRequiresEverySubPolicyAndCollapsesInversion) {
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .status = model::kStatusError, .attrs = {{"env", StrValue("prod")}}});
  EXPECT_EQ(EvalOne(R"(- name: a
  type: and
  and:
    and_sub_policy:
      - {name: e, type: status_code, status_code: {status_codes: [ERROR]}}
      - {name: s, type: string_attribute, string_attribute: {key: env, values: [prod]}}
)",
                    b),
            Decision::kSampled);
  EXPECT_EQ(EvalOne(R"(- name: a
  type: and
  and:
    and_sub_policy:
      - {name: e, type: status_code, status_code: {status_codes: [ERROR]}}
      - {name: s, type: string_attribute, string_attribute: {key: env, values: [prod], invert_match: true}}
)",
                    b),
            Decision::kNotSampled);
  // An inverted "sample" counts as a sample inside `and`, and the result is plain Sampled.
  EXPECT_EQ(EvalOne(R"(- name: a
  type: and
  and:
    and_sub_policy:
      - {name: s, type: string_attribute, string_attribute: {key: env, values: [test], invert_match: true}}
)",
                    b),
            Decision::kSampled);
}

TEST(TailSamplingPolicy, DropAnswersDroppedWhenAllSubPoliciesMatch) {
  BatchBuilder b;
  b.Span({.trace_id = Tid(1), .attrs = {{"http.route", StrValue("/health")}}});
  EXPECT_EQ(EvalOne(R"(- name: d
  type: drop
  drop:
    drop_sub_policy:
      - {name: h, type: string_attribute, string_attribute: {key: http.route, values: [/health]}}
)",
                    b),
            Decision::kDropped);
}

TEST(TailSamplingPolicy, CompositeSharesTheSpanBudgetInOrder) {
  auto p = Parse(R"(- name: c
  type: composite
  composite:
    max_total_spans_per_second: 10
    policy_order: [errors, everything]
    composite_sub_policy:
      - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
      - {name: everything, type: always_sample}
      - {name: unallocated, type: always_sample}
    rate_allocation:
      - {policy: errors, percent: 50}
      - {policy: everything, percent: 30}
)");
  ASSERT_TRUE(p.ok()) << p.status();
  BatchBuilder err;
  err.Span({.trace_id = Tid(1), .status = model::kStatusError})
      .Span({.trace_id = Tid(1), .status = model::kStatusError});
  BatchBuilder ok;
  ok.Span({Tid(2)}).Span({Tid(2)});
  // errors: 5 spans/s; everything: 3 spans/s.
  EXPECT_EQ(Eval(*p, {&err.batch()}, 7), Decision::kSampled);     // errors 2
  EXPECT_EQ(Eval(*p, {&err.batch()}, 7), Decision::kSampled);     // errors 4
  EXPECT_EQ(Eval(*p, {&err.batch()}, 7), Decision::kNotSampled);  // errors would be 6 > 5
  EXPECT_EQ(Eval(*p, {&ok.batch()}, 7), Decision::kSampled);      // everything 2
  EXPECT_EQ(Eval(*p, {&ok.batch()}, 7), Decision::kNotSampled);   // everything would be 4 > 3
  EXPECT_EQ(Eval(*p, {&ok.batch()}, 8), Decision::kSampled);      // next second
}

TEST(TailSamplingPolicyConfig, UnknownTypeIsAnErrorAtItsPlace) {
  auto p = Parse("- name: x\n  type: bogus\n");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(std::string(Message(p.status())).find("test.yaml:3:9"), std::string::npos)
      << p.status();
  EXPECT_NE(std::string(Message(p.status())).find("unknown sampling policy type \"bogus\""),
            std::string::npos);
}

TEST(TailSamplingPolicyConfig, MissingKeyIsAnError) {
  auto p = Parse("- name: x\n  type: string_attribute\n  string_attribute:\n    values: [a]\n");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(std::string(Message(p.status())).find("test.yaml:5:5"), std::string::npos)
      << p.status();
  EXPECT_NE(std::string(Message(p.status())).find("key: must be set"), std::string::npos);
}

TEST(TailSamplingPolicyConfig, BadValuesAreErrors) {
  EXPECT_FALSE(Parse("- {name: s, type: status_code, status_code: {status_codes: [BAD]}}\n").ok());
  EXPECT_FALSE(Parse("- {name: s, type: status_code, status_code: {}}\n").ok());
  EXPECT_FALSE(Parse("- {name: s, type: latency, latency: {threshold_ms: 10, "
                     "upper_threshold_ms: 5}}\n")
                   .ok());
  EXPECT_FALSE(Parse("- {name: s, type: span_count, span_count: {min_spans: 5, max_spans: 2}}\n")
                   .ok());
  EXPECT_FALSE(Parse("- {name: s, type: string_attribute, string_attribute: {key: k, values: "
                     "['('], enabled_regex_matching: true}}\n")
                   .ok());
  EXPECT_FALSE(Parse("- {name: s, type: latency, latency: {treshold_ms: 5}}\n").ok());
  EXPECT_FALSE(Parse("- {name: s, type: ottl_condition}\n").ok());
  auto nested = Parse(R"(- name: a
  type: and
  and:
    and_sub_policy:
      - {name: inner, type: and, and: {and_sub_policy: [{name: x, type: always_sample}]}}
)");
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(std::string(Message(nested.status())).find("not allowed"), std::string::npos);
}

TEST(TailSamplingPolicyConfig, PoliciesNeedUniqueNames) {
  auto root = config::Node::Parse(
      "policies:\n  - {name: a, type: always_sample}\n  - {name: a, type: always_sample}\n",
      "test.yaml");
  ASSERT_TRUE(root.ok());
  auto dup = ParsePolicies((*root)["policies"]);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(std::string(Message(dup.status())).find("duplicate policy name"), std::string::npos);
  auto none = config::Node::Parse("policies: []\n", "test.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(ParsePolicies((*none)["policies"]).ok());
}

}  // namespace
}  // namespace th::pipeline::tail_sampling

// Metrics queries end to end over a store filled with hand-built traces: each function, by(),
// interval boundaries, quantiles, second stages, arithmetic, instant vs range, response JSON,
// and the TraceQL corpus.
#include "query/metrics/metrics.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>

#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "query/metrics/internal/accumulator.h"
#include "query/metrics/response_json.h"
#include "query/traceql/traceql.h"
#include "store/testing/temp_store.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace th::query::metrics {
namespace {

namespace otlp = opentelemetry::proto::trace::v1;

constexpr uint64_t kT0 = 1700000000ull * 1000000000ull;  // range start
constexpr uint64_t kMs = 1000000;
constexpr uint64_t kSec = 1000000000;
const double kNaN = std::nan("");

struct SpanSpec {
  std::string service;
  int trace = 0;
  int span = 0;
  int parent = 0;
  std::string name;
  int64_t start_ms = 0;  // from kT0
  uint64_t duration_ms = 0;
  bool error = false;
  std::map<std::string, int64_t> ints;
};

// The data every test reads, over [kT0, kT0 + 60s) in 10 s intervals:
//   interval 0: api "GET /a" (100 ms, 200, bytes 10) and its child api "db" (300 ms, bytes 30);
//   interval 1: web "GET /b" at exactly 10 s (50 ms) and api "GET /a" (1 s, error, 500, bytes 5);
//   outside:    web "GET /b" at exactly 60 s (the end, excluded) and 1 ms before kT0.
std::vector<SpanSpec> Spans() {
  return {
      {"api", 1, 1, 0, "GET /a", 1000, 100, false, {{"http.status_code", 200}, {"bytes", 10}}},
      {"api", 1, 2, 1, "db", 2000, 300, false, {{"bytes", 30}}},
      {"api", 2, 1, 0, "GET /a", 15000, 1000, true, {{"http.status_code", 500}, {"bytes", 5}}},
      {"web", 3, 1, 0, "GET /b", 10000, 50, false, {}},
      {"web", 4, 1, 0, "GET /b", 60000, 10, false, {}},
      {"web", 5, 1, 0, "GET /b", -1, 10, false, {}},
  };
}

std::string Encode(const std::vector<SpanSpec>& specs) {
  otlp::TracesData data;
  for (const SpanSpec& spec : specs) {
    auto* rs = data.add_resource_spans();
    auto* a = rs->mutable_resource()->add_attributes();
    a->set_key("service.name");
    a->mutable_value()->set_string_value(spec.service);
    auto* s = rs->add_scope_spans()->add_spans();
    std::string tid(16, '\0'), sid(8, '\0'), pid(8, '\0');
    tid[15] = static_cast<char>(spec.trace);
    sid[7] = static_cast<char>(spec.span);
    pid[7] = static_cast<char>(spec.parent);
    s->set_trace_id(tid);
    s->set_span_id(sid);
    if (spec.parent != 0) s->set_parent_span_id(pid);
    s->set_name(spec.name);
    uint64_t start = static_cast<uint64_t>(static_cast<int64_t>(kT0) +
                                           spec.start_ms * static_cast<int64_t>(kMs));
    s->set_start_time_unix_nano(start);
    s->set_end_time_unix_nano(start + spec.duration_ms * kMs);
    if (spec.error) s->mutable_status()->set_code(otlp::Status::STATUS_CODE_ERROR);
    for (const auto& [k, v] : spec.ints) {
      auto* kv = s->add_attributes();
      kv->set_key(k);
      kv->mutable_value()->set_int_value(v);
    }
  }
  return data.SerializeAsString();
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override { Fill(Spans()); }

  void Fill(const std::vector<SpanSpec>& specs) {
    ASSERT_TRUE(temp_.AppendOtlp(Encode(specs), "t").ok());
  }

  MetricsRequest Request(uint64_t step = 10 * kSec) {
    MetricsRequest r;
    r.scan.tenant = "t";
    r.start_unix_nano = kT0;
    r.end_unix_nano = kT0 + 60 * kSec;
    r.step_nanos = step;
    return r;
  }

  Result<MetricsResult> Run(std::string_view q, const MetricsRequest& request) {
    auto parsed = traceql::Parse(q);
    if (!parsed.ok()) return parsed.status();
    auto compiled = MetricsQuery::Compile(**parsed);
    if (!compiled.ok()) return compiled.status();
    return (*compiled)->Run(*store_, request);
  }
  Result<MetricsResult> Range(std::string_view q) { return Run(q, Request()); }
  Result<MetricsResult> Instant(std::string_view q) { return Run(q, Request(0)); }

  store::testing::TempStore temp_{"metrics_test"};
  store::Store* store_ = temp_.get();
};

std::string S(std::string_view v) { return "{\"stringValue\":\"" + std::string(v) + "\"}"; }

// Series of `r` keyed by "key=value_json,…", for readable expectations.
std::map<std::string, std::vector<double>> ByLabels(const MetricsResult& r) {
  std::map<std::string, std::vector<double>> out;
  for (const Series& s : r.series) {
    std::string key;
    for (const Label& l : s.labels) key += (key.empty() ? "" : ",") + l.key + "=" + l.value_json;
    out[key] = s.values;
  }
  return out;
}

void ExpectValues(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "interval " << i << ": " << got[i];
    } else {
      EXPECT_DOUBLE_EQ(got[i], want[i]) << "interval " << i;
    }
  }
}

TEST_F(MetricsTest, RateWithoutByIsSpansPerSecondUnderName) {
  auto r = Range("{ } | rate()");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->series.size(), 1u);
  EXPECT_EQ(r->series[0].labels, (std::vector<Label>{{"__name__", S("rate")}}));
  ExpectValues(r->series[0].values, {0.2, 0.2, 0, 0, 0, 0});
}

TEST_F(MetricsTest, CountByServiceHonoursIntervalBoundariesAndRangeEnd) {
  auto r = Range("{ } | count_over_time() by (resource.service.name)");
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = ByLabels(*r);
  ASSERT_EQ(m.size(), 2u);
  // The span at exactly 10 s opens interval 1; the one at 60 s (the end) and before kT0 are out.
  ExpectValues(m["resource.service.name=" + S("api")], {2, 1, 0, 0, 0, 0});
  ExpectValues(m["resource.service.name=" + S("web")], {0, 1, 0, 0, 0, 0});
}

TEST_F(MetricsTest, ByWithMissingValuesKeepsANilLabel) {
  auto r = Range("{ } | count_over_time() by (span.http.status_code)");
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = ByLabels(*r);
  ASSERT_EQ(m.size(), 3u);
  ExpectValues(m["span.http.status_code={\"intValue\":\"200\"}"], {1, 0, 0, 0, 0, 0});
  ExpectValues(m["span.http.status_code={\"intValue\":\"500\"}"], {0, 1, 0, 0, 0, 0});
  ExpectValues(m["span.http.status_code=" + S("nil")], {1, 1, 0, 0, 0, 0});
}

TEST_F(MetricsTest, ByTwoAttributesDropsOnlyTheMissingOne) {
  auto r = Range("{ } | count_over_time() by (name, span.http.status_code)");
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = ByLabels(*r);
  EXPECT_EQ(m.count("name=" + S("db")), 1u);
  EXPECT_EQ(m.count("name=" + S("GET /a") + ",span.http.status_code={\"intValue\":\"500\"}"), 1u);
}

TEST_F(MetricsTest, ValueFunctionsReportDurationsInSecondsAndNaNWithoutSpans) {
  auto max = Range("{ resource.service.name = \"api\" } | max_over_time(duration)");
  ASSERT_TRUE(max.ok()) << max.status();
  ASSERT_EQ(max->series.size(), 1u);
  EXPECT_EQ(max->series[0].labels, (std::vector<Label>{{"__name__", S("max_over_time")}}));
  ExpectValues(max->series[0].values, {0.3, 1.0, kNaN, kNaN, kNaN, kNaN});

  auto min = Range("{ } | min_over_time(span:duration)");
  ASSERT_TRUE(min.ok());
  ExpectValues(min->series[0].values, {0.1, 0.05, kNaN, kNaN, kNaN, kNaN});

  auto sum = Range("{ } | sum_over_time(span.bytes)");
  ASSERT_TRUE(sum.ok());
  ExpectValues(sum->series[0].values, {40, 5, kNaN, kNaN, kNaN, kNaN});

  auto avg = Range("{ } | avg_over_time(span.bytes) by (resource.service.name)");
  ASSERT_TRUE(avg.ok());
  auto m = ByLabels(*avg);
  ASSERT_EQ(m.size(), 1u);  // web spans have no bytes: no series
  ExpectValues(m["resource.service.name=" + S("api")], {20, 5, kNaN, kNaN, kNaN, kNaN});
}

TEST(Log2Quantile, InterpolatesExponentiallyInsideTheBucket) {
  using internal::HistogramBucket;
  using internal::Log2Quantile;
  std::vector<HistogramBucket> two = {{2, 50}, {4, 50}};
  EXPECT_DOUBLE_EQ(Log2Quantile(0.5, two), 2);  // exactly the 50th observation: bucket max
  EXPECT_DOUBLE_EQ(Log2Quantile(0.75, two), std::exp2(1.5));
  EXPECT_DOUBLE_EQ(Log2Quantile(1, two), 4);
  EXPECT_DOUBLE_EQ(Log2Quantile(0, two), std::exp2(0.02));  // first bucket, from max / 2
  EXPECT_DOUBLE_EQ(Log2Quantile(0.5, {}), 0);
  EXPECT_DOUBLE_EQ(Log2Quantile(1.5, two), 0);
  // Counts doubling per bucket (1, 2, 4, … 512 up to 1024): the 512th of 1023 observations is
  // the first of the last bucket, just above 512.
  std::vector<HistogramBucket> uniform;
  for (int e = 1; e <= 10; ++e) uniform.push_back({std::exp2(e), uint64_t{1} << (e - 1)});
  double p50 = Log2Quantile(0.5, uniform);
  EXPECT_GT(p50, 512);
  EXPECT_LT(p50, 513);
}

TEST(Log2Bucket, RoundsUpToAPowerOfTwo) {
  EXPECT_EQ(internal::Log2Bucket(2), 2);
  EXPECT_EQ(internal::Log2Bucket(3), 4);
  EXPECT_EQ(internal::Log2Bucket(1024), 1024);
  EXPECT_EQ(internal::Log2Bucket(100000000), 134217728);  // 100 ms in ns
}

TEST_F(MetricsTest, QuantilesComeFromLog2BucketsOneSeriesPerQuantile) {
  auto r = Instant("{ } | quantile_over_time(duration, .5, 1)");
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = ByLabels(*r);
  ASSERT_EQ(m.size(), 2u);
  // Durations 50, 100, 300, 1000 ms fall in the 2^26, 2^27, 2^29, 2^30 ns buckets.
  ExpectValues(m["p={\"doubleValue\":0.5}"], {0.134217728});
  ExpectValues(m["p={\"doubleValue\":1}"], {1.073741824});
}

TEST_F(MetricsTest, QuantileOfIntsByService) {
  auto r = Instant("{ } | quantile_over_time(span.bytes, .99) by (resource.service.name)");
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = ByLabels(*r);
  ASSERT_EQ(m.size(), 1u);
  ExpectValues(m["resource.service.name=" + S("api") + ",p={\"doubleValue\":0.99}"], {32});
}

TEST_F(MetricsTest, HistogramHasOneSeriesPerBucket) {
  auto r = Instant("{ } | histogram_over_time(duration)");
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = ByLabels(*r);
  ASSERT_EQ(m.size(), 4u);
  ExpectValues(m["__bucket={\"doubleValue\":1.073741824}"], {1});
  ExpectValues(m["__bucket={\"doubleValue\":0.067108864}"], {1});
}

TEST_F(MetricsTest, TopKAndBottomKPickPerDataPoint) {
  auto top = Range("{ } | count_over_time() by (resource.service.name) | topk(1)");
  ASSERT_TRUE(top.ok()) << top.status();
  auto m = ByLabels(*top);
  ASSERT_EQ(m.size(), 1u);  // ties go to the smaller labels: web never wins
  ExpectValues(m["resource.service.name=" + S("api")], {2, 1, 0, 0, 0, 0});

  auto bottom = Range("{ } | count_over_time() by (resource.service.name) | bottomk(1)");
  ASSERT_TRUE(bottom.ok());
  auto b = ByLabels(*bottom);
  ExpectValues(b["resource.service.name=" + S("web")], {0, kNaN, kNaN, kNaN, kNaN, kNaN});
  ExpectValues(b["resource.service.name=" + S("api")], {kNaN, 1, 0, 0, 0, 0});
}

TEST_F(MetricsTest, ComparisonFiltersDropPointsAndDurationsCompareInSeconds) {
  auto r = Range("{ } | count_over_time() by (resource.service.name) > 0");
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = ByLabels(*r);
  ExpectValues(m["resource.service.name=" + S("api")], {2, 1, kNaN, kNaN, kNaN, kNaN});
  ExpectValues(m["resource.service.name=" + S("web")], {kNaN, 1, kNaN, kNaN, kNaN, kNaN});

  auto d = Range("{ } | max_over_time(duration) > 500ms");
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->series.size(), 1u);
  ExpectValues(d->series[0].values, {kNaN, 1.0, kNaN, kNaN, kNaN, kNaN});

  auto none = Range("{ } | rate() > 10");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->series.empty());

  auto chained = Range("{ } | count_over_time() by (resource.service.name) | topk(1) != 0");
  ASSERT_TRUE(chained.ok());
  ExpectValues(ByLabels(*chained)["resource.service.name=" + S("api")],
               {2, 1, kNaN, kNaN, kNaN, kNaN});
}

TEST_F(MetricsTest, ArithmeticBroadcastsUnlabelledAndYieldsNaNOnZeroDivision) {
  auto r = Range("({ status = error } | count_over_time()) / ({ } | count_over_time())");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->series.size(), 1u);
  ExpectValues(r->series[0].values, {0, 0.5, kNaN, kNaN, kNaN, kNaN});

  auto scaled = Range("100 * ({ } | count_over_time())");
  ASSERT_TRUE(scaled.ok()) << scaled.status();
  ASSERT_EQ(scaled->series.size(), 1u);
  EXPECT_EQ(scaled->series[0].labels, (std::vector<Label>{{"__name__", S("count_over_time")}}));
  ExpectValues(scaled->series[0].values, {200, 200, 0, 0, 0, 0});
}

TEST_F(MetricsTest, ArithmeticMatchesSeriesByLabels) {
  auto r = Range(
      "({ status = error } | count_over_time() by (resource.service.name)) / "
      "({ } | count_over_time() by (resource.service.name))");
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = ByLabels(*r);
  ASSERT_EQ(m.size(), 1u);  // web has no errors: nothing to pair with
  ExpectValues(m["resource.service.name=" + S("api")], {0, 1, kNaN, kNaN, kNaN, kNaN});
}

TEST_F(MetricsTest, InstantQueryIsOneIntervalOverTheWholeRange) {
  auto r = Instant("{ } | rate()");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->series.size(), 1u);
  ExpectValues(r->series[0].values, {4.0 / 60});
  std::string json = QueryInstantJson(*r);
  EXPECT_EQ(
      json.substr(0, json.find(",\"metrics\"")),
      "{\"series\":[{\"labels\":[{\"key\":\"__name__\",\"value\":{\"stringValue\":\"rate\"}}],"
      "\"value\":0.06666666666666667}]");
}

TEST_F(MetricsTest, RangeJsonOmitsZeroValuesAndNaNSamples) {
  auto r = Range("{ resource.service.name = \"web\" } | count_over_time()");
  ASSERT_TRUE(r.ok()) << r.status();
  std::string json = QueryRangeJson(*r);
  EXPECT_EQ(json.substr(0, json.find(",\"metrics\"")),
            "{\"series\":[{\"labels\":[{\"key\":\"__name__\",\"value\":{\"stringValue\":"
            "\"count_over_time\"}}],\"samples\":[{\"timestampMs\":\"1700000000000\"},"
            "{\"timestampMs\":\"1700000010000\",\"value\":1},{\"timestampMs\":\"1700000020000\"},"
            "{\"timestampMs\":\"1700000030000\"},{\"timestampMs\":\"1700000040000\"},"
            "{\"timestampMs\":\"1700000050000\"}]}]");
  auto avg = Range("{ resource.service.name = \"web\" } | avg_over_time(duration)");
  ASSERT_TRUE(avg.ok());
  json = QueryRangeJson(*avg);
  EXPECT_NE(json.find("\"samples\":[{\"timestampMs\":\"1700000010000\",\"value\":0.05}]"),
            std::string::npos)
      << json;
  auto empty = Range("{ name = \"nothing\" } | rate()");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(QueryRangeJson(*empty).rfind("{\"metrics\":{", 0), 0u) << QueryRangeJson(*empty);
}

TEST_F(MetricsTest, ExemplarsCarryTheTraceId) {
  MetricsRequest req = Request();
  req.max_exemplars = 10;
  auto r = Run("{ resource.service.name = \"web\" } | avg_over_time(duration)", req);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].exemplars.size(), 1u);
  const Exemplar& e = r->series[0].exemplars[0];
  EXPECT_EQ(e.labels[0].key, "trace:id");
  EXPECT_EQ(e.labels[0].value_json, S("3"));
  EXPECT_DOUBLE_EQ(e.value, 0.05);
  EXPECT_EQ(e.timestamp_ms, 1700000010000u);
  EXPECT_NE(QueryRangeJson(*r).find("\"exemplars\":[{\"labels\":[{\"key\":\"trace:id\""),
            std::string::npos);
}

TEST_F(MetricsTest, CompareSplitsSelectionAndBaselineWithTotals) {
  auto r = Instant("{ } | compare({ status = error })");
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = ByLabels(*r);
  std::string sel = "__meta_type=" + S("selection") + ",";
  std::string base = "__meta_type=" + S("baseline") + ",";
  ExpectValues(m[sel + "name=" + S("GET /a")], {1});
  ExpectValues(m[base + "name=" + S("GET /a")], {1});
  ExpectValues(m[base + "name=" + S("db")], {1});
  ExpectValues(m[base + "resource.service.name=" + S("api")], {2});
  ExpectValues(m["__meta_type=" + S("baseline_total") + ",name=" + S("nil")], {3});
  ExpectValues(m["__meta_type=" + S("selection_total") + ",span.http.status_code=" + S("nil")],
               {1});
  EXPECT_EQ(m.count("__meta_error=" + S("__too_many_values__") + ",name=" + S("nil")), 0u);

  auto limited = Instant("{ } | compare({ status = error }, 1)");
  ASSERT_TRUE(limited.ok());
  auto l = ByLabels(*limited);
  EXPECT_EQ(l.count("__meta_error=" + S("__too_many_values__") + ",name=" + S("nil")), 1u);
  EXPECT_NE(QueryInstantJson(*limited).find("__too_many_values__"), std::string::npos);
}

TEST_F(MetricsTest, CompareWindowLimitsTheSelection) {
  std::string q = "{ } | compare({ status = error }, 10, " + std::to_string(kT0) + ", " +
                  std::to_string(kT0 + 5 * kSec) + ")";
  auto r = Instant(q);
  ASSERT_TRUE(r.ok()) << r.status();
  auto m = ByLabels(*r);
  // The error span starts at 15 s, outside the window: everything is baseline.
  EXPECT_EQ(m.count("__meta_type=" + S("selection") + ",name=" + S("GET /a")), 0u);
  ExpectValues(m["__meta_type=" + S("baseline") + ",name=" + S("GET /a")], {2});
}

TEST_F(MetricsTest, StructuralPipelineCountsOnlyTheRightHandSpans) {
  auto r = Instant("{ name = \"GET /a\" } > { } | count_over_time()");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->series.size(), 1u);
  ExpectValues(r->series[0].values, {1});  // only "db"
}

TEST_F(MetricsTest, ErrorsAreClear) {
  auto search = traceql::Parse("{ }");
  ASSERT_TRUE(search.ok());
  auto compiled = MetricsQuery::Compile(**search);
  EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument);

  MetricsRequest req = Request();
  req.max_series = 1;
  auto capped = Run("{ } | rate() by (resource.service.name)", req);
  EXPECT_EQ(capped.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(Message(capped.status())).find("limit of 1 series"), std::string::npos);

  req = Request();
  req.end_unix_nano = req.start_unix_nano;
  EXPECT_EQ(Run("{ } | rate()", req).status().code(), absl::StatusCode::kInvalidArgument);

  req = Request(1);  // 1 ns steps: far too many intervals
  EXPECT_EQ(Run("{ } | rate()", req).status().code(), absl::StatusCode::kInvalidArgument);

  req = Request();
  req.scan.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  EXPECT_EQ(Run("{ } | rate()", req).status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(DefaultStep, FollowsTheRungs) {
  EXPECT_EQ(DefaultStepNanos(0, 3600 * kSec), 15 * kSec);
  EXPECT_EQ(DefaultStepNanos(0, 24 * 3600 * kSec), 300 * kSec);
  EXPECT_EQ(DefaultStepNanos(0, 6 * 3600 * kSec), 60 * kSec);
  EXPECT_EQ(DefaultStepNanos(0, 7 * 24 * 3600 * kSec), 2400 * kSec);
  EXPECT_EQ(DefaultStepNanos(0, 120 * kSec), kSec);
  EXPECT_EQ(DefaultStepNanos(0, 30 * kSec), 100 * kMs);
  EXPECT_EQ(DefaultStepNanos(0, 5 * kSec), 50 * kMs);
}

TEST(GoJsonNumber, MatchesEncodingJson) {
  EXPECT_EQ(GoJsonNumber(12.5), "12.5");
  EXPECT_EQ(GoJsonNumber(1), "1");
  EXPECT_EQ(GoJsonNumber(0.000001), "0.000001");
  EXPECT_EQ(GoJsonNumber(1e-7), "1e-07");
  EXPECT_EQ(GoJsonNumber(1e21), "1e+21");
  EXPECT_EQ(GoJsonNumber(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(GoJsonNumber(-0.25), "-0.25");
  EXPECT_EQ(GoJsonNumber(0.06666666666666667), "0.06666666666666667");
  EXPECT_EQ(GoJsonNumber(1500), "1500");
}

// Every metrics query of the corpus compiles and runs.
TEST_F(MetricsTest, EveryCorpusMetricsQueryCompilesAndRuns) {
  std::ifstream in(std::string(TH_TRACEQL_CORPUS_DIR) + "/valid.txt");
  ASSERT_TRUE(in.good());
  std::string line;
  int metrics = 0;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    size_t first = line.find_first_not_of(' ');
    if (first == std::string::npos || line[first] == '#') continue;
    auto parsed = traceql::Parse(line);
    ASSERT_TRUE(parsed.ok()) << line << ": " << parsed.status();
    if (!(*parsed)->IsMetrics()) continue;
    ++metrics;
    auto compiled = MetricsQuery::Compile(**parsed);
    ASSERT_TRUE(compiled.ok()) << line << ": " << compiled.status();
    auto run = (*compiled)->Run(*store_, Request());
    EXPECT_TRUE(run.ok()) << line << ": " << run.status();
    if (run.ok()) QueryRangeJson(*run);
  }
  EXPECT_GT(metrics, 70);
}

}  // namespace
}  // namespace th::query::metrics

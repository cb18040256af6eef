// SearchTraceQL over a real store: limits, spss, duration bounds, most_recent, result shape.
#include "query/exec/search.h"

#include <filesystem>
#include <future>

#include <gtest/gtest.h>

#include "query/exec/test_util.h"
#include "query/traceql/traceql.h"
#include "store/testing/temp_store.h"

#include <unistd.h>

namespace th::query::exec {
namespace {

using testing::TraceBuilder;

class SearchTraceQLTest : public ::testing::Test {
 protected:
  void Add(TraceBuilder& t) { ASSERT_TRUE(temp_.Append(t.Take("t")).ok()); }

  // Trace `id`: root `svc`/"root" from start_ms to end_ms with `errors` errored children.
  void AddTrace(uint8_t id, std::string svc, uint64_t start_ms, uint64_t end_ms, int errors) {
    TraceBuilder t(id);
    uint32_t scope = t.Scope({{"service.name", svc}});
    t.Span({.scope = scope, .id = 1, .name = "root", .start_ms = start_ms, .end_ms = end_ms});
    for (int k = 0; k < errors; ++k) {
      t.Span({.scope = scope,
              .id = static_cast<uint8_t>(2 + k),
              .parent = 1,
              .name = "child",
              .start_ms = start_ms,
              .end_ms = start_ms + 1,
              .status = model::kStatusError,
              .attrs = {{"k", k}}});
    }
    Add(t);
  }

  Result<SearchResult> Search(std::string_view q, SearchOptions options = {}) {
    auto parsed = traceql::Parse(q);
    if (!parsed.ok()) return parsed.status();
    options.scan.tenant = "t";
    return SearchTraceQL(*store_, **parsed, options);
  }

  store::testing::TempStore temp_{"exec_search_test"};
  store::Store* store_ = temp_.get();
};

TEST_F(SearchTraceQLTest, ReturnsMatchingTracesWithSummaryAndSpansets) {
  AddTrace(1, "checkout", 0, 600, 1);
  AddTrace(2, "cart", 0, 100, 0);
  auto r = Search("{ status = error }");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->traces.size(), 1u);
  const TraceResult& t = r->traces[0];
  EXPECT_EQ(TrimmedTraceIdHex(t.summary.id), "1");
  EXPECT_EQ(t.summary.root_service_name, "checkout");
  EXPECT_EQ(t.summary.root_span_name, "root");
  ASSERT_EQ(t.span_sets.size(), 1u);
  EXPECT_EQ(t.span_sets[0].matched, 1u);
  ASSERT_EQ(t.span_sets[0].spans.size(), 1u);
  EXPECT_EQ(t.span_sets[0].spans[0].name, "child");
  EXPECT_EQ(t.span_sets[0].spans[0].attributes,
            (std::vector<ResultAttribute>{{"status", "{\"stringValue\":\"error\"}"}}));
  EXPECT_EQ(r->stats.traces, 2u);
}

TEST_F(SearchTraceQLTest, StopsAfterLimitTraces) {
  for (uint8_t id = 1; id <= 5; ++id) AddTrace(id, "s", 0, 10, 1);
  SearchOptions o;
  o.limit = 2;
  auto r = Search("{ }", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->traces.size(), 2u);
  EXPECT_EQ(r->stats.traces, 2u);  // the scan stopped there
  o.limit = 0;
  r = Search("{ }", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->traces.size(), 5u);
}

TEST_F(SearchTraceQLTest, SpansPerSpanSetTruncatesButMatchedCountsAll) {
  AddTrace(1, "s", 0, 10, 5);
  auto r = Search("{ status = error }");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->traces.size(), 1u);
  EXPECT_EQ(r->traces[0].span_sets[0].matched, 5u);
  EXPECT_EQ(r->traces[0].span_sets[0].spans.size(), 3u);
  SearchOptions o;
  o.spans_per_span_set = 1;
  r = Search("{ status = error }", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->traces[0].span_sets[0].spans.size(), 1u);
  EXPECT_EQ(r->traces[0].span_sets[0].matched, 5u);
}

TEST_F(SearchTraceQLTest, DurationBoundsApplyTogetherWithTheQuery) {
  AddTrace(1, "s", 0, 100, 1);
  AddTrace(2, "s", 0, 2000, 1);
  AddTrace(3, "s", 0, 5000, 0);
  SearchOptions o;
  o.min_duration_nanos = 1000000000;
  auto r = Search("{ status = error }", o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->traces.size(), 1u);
  EXPECT_EQ(TrimmedTraceIdHex(r->traces[0].summary.id), "2");
  o.min_duration_nanos = 0;
  o.max_duration_nanos = 1000000000;
  r = Search("{ }", o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->traces.size(), 1u);
  EXPECT_EQ(TrimmedTraceIdHex(r->traces[0].summary.id), "1");
}

TEST_F(SearchTraceQLTest, MostRecentHintReturnsTheNewestTracesFirst) {
  AddTrace(3, "old", 0, 10, 0);
  AddTrace(1, "new", 5000, 6000, 0);
  AddTrace(2, "mid", 1000, 2000, 0);
  SearchOptions o;
  o.limit = 2;
  auto r = Search("{ } with (most_recent=true)", o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->traces.size(), 2u);
  EXPECT_EQ(r->traces[0].summary.root_service_name, "new");
  EXPECT_EQ(r->traces[1].summary.root_service_name, "mid");
}

TEST_F(SearchTraceQLTest, GroupsBecomeSpansetsWithTheirAttributes) {
  AddTrace(1, "s", 0, 10, 3);
  auto r = Search("{ status = error } | by(span.k > 0) | count() >= 1");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->traces.size(), 1u);
  const auto& sets = r->traces[0].span_sets;
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].attributes,
            (std::vector<ResultAttribute>{{"by(span.k > 0)", "{\"boolValue\":false}"},
                                          {"count()", "{\"intValue\":\"1\"}"}}));
  EXPECT_EQ(sets[1].matched, 2u);
  std::string json = SearchResultJson(*r);
  EXPECT_NE(json.find("\"key\":\"by(span.k > 0)\""), std::string::npos) << json;
}

TEST_F(SearchTraceQLTest, MetricsQueriesAndRunTimeFailuresAreErrors) {
  AddTrace(1, "s", 0, 10, 2);
  EXPECT_EQ(Search("{ } | rate()").status().code(), absl::StatusCode::kInvalidArgument);
  auto r = Search("({ } | by(span.k)) >> ({ })");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(Message(r.status()).find("coalesce"), std::string_view::npos) << r.status();
}

}  // namespace
}  // namespace th::query::exec

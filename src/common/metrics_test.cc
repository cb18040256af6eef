#include "common/metrics.h"

#include <gtest/gtest.h>

namespace th::metrics {
namespace {

TEST(Metrics, RendersCountersWithLabelsInPrometheusText) {
  Registry r;
  r.GetCounter("spans_total", "Spans.", {{"reason", "bad \"id\""}})->Add(3);
  r.GetCounter("spans_total", "Spans.", {{"reason", "ok"}})->Add();
  std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE spans_total counter"), std::string::npos);
  EXPECT_NE(text.find("spans_total{reason=\"bad \\\"id\\\"\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("spans_total{reason=\"ok\"} 1"), std::string::npos);
}

TEST(Metrics, SameSeriesIsReturnedTwice) {
  Registry r;
  EXPECT_EQ(r.GetCounter("a", "h"), r.GetCounter("a", "h"));
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Registry r;
  Histogram* h = r.GetHistogram("lat_seconds", "Latency.", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  std::string text = r.Render();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.1\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"1\"} 2"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count 3"), std::string::npos);
}

}  // namespace
}  // namespace th::metrics

// The metrics endpoints called directly (no sockets): parameters, errors and response shapes.
#include "api/http/metrics_api.h"

#include <filesystem>
#include <future>

#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "store/testing/temp_store.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace th::api {
namespace {

namespace otlp = opentelemetry::proto::trace::v1;

constexpr uint64_t kStart = 1700000000ull * 1000000000ull;

class MetricsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    otlp::TracesData data;
    auto* rs = data.add_resource_spans();
    auto* a = rs->mutable_resource()->add_attributes();
    a->set_key("service.name");
    a->mutable_value()->set_string_value("checkout");
    auto* ss = rs->add_scope_spans();
    for (int i = 0; i < 3; ++i) {  // at +5 s, +20 s, +35 s
      auto* s = ss->add_spans();
      std::string tid(16, '\0');
      tid[15] = static_cast<char>(i + 1);
      s->set_trace_id(tid);
      s->set_span_id(std::string(8, static_cast<char>(i + 1)));
      s->set_name("GET /cart");
      s->set_start_time_unix_nano(kStart + (5 + 15 * i) * 1000000000ull);
      s->set_end_time_unix_nano(kStart + (5 + 15 * i) * 1000000000ull + 250000000ull);
    }
    ASSERT_TRUE(temp_.AppendOtlp(data.SerializeAsString()).ok());
  }

  http::Response Get(const std::string& target) {
    http::Request req;
    req.method = "GET";
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    http::Response resp;
    EXPECT_TRUE(ServeMetrics(store_, req, &resp)) << target;
    return resp;
  }

  store::testing::TempStore temp_{"metrics_api_test"};
  store::Store* store_ = temp_.get();
};

std::string Body(const http::Response& r) { return r.body.substr(0, r.body.find(",\"metrics\"")); }

TEST_F(MetricsApiTest, QueryRangeWithUnixSecondsAndStep) {
  auto r =
      Get("/api/metrics/query_range?q=%7B%7D%20%7C%20count_over_time()%20with(exemplars%3Dfalse)"
          "&start=1700000000&end=1700000040&step=20s");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r),
            "{\"series\":[{\"labels\":[{\"key\":\"__name__\",\"value\":{\"stringValue\":"
            "\"count_over_time\"}}],\"samples\":[{\"timestampMs\":\"1700000000000\",\"value\":1},"
            "{\"timestampMs\":\"1700000020000\",\"value\":2}]}]");
}

TEST_F(MetricsApiTest, NanosecondsAndRfc3339AreAcceptedAndRangeIsAligned) {
  auto nanos =
      Get("/api/metrics/query_range?q=%7B%7D%20%7C%20rate()&start=1700000003000000000"
          "&end=1700000030000000000&step=10");
  ASSERT_EQ(nanos.status, 200) << nanos.body;
  // start aligned down to a multiple of the step (1700000000 s), so the +5 s span counts.
  EXPECT_NE(nanos.body.find("{\"timestampMs\":\"1700000000000\",\"value\":0.1}"), std::string::npos)
      << nanos.body;
  auto rfc =
      Get("/api/metrics/query_range?q=%7B%7D%20%7C%20rate()"
          "&start=2023-11-14T22:13:20Z&end=2023-11-14T22:14:00Z&step=20s");
  ASSERT_EQ(rfc.status, 200) << rfc.body;
  EXPECT_NE(rfc.body.find("\"timestampMs\":\"1700000020000\",\"value\":0.1}"), std::string::npos)
      << rfc.body;
}

// As Tempo: exemplars by default (up to 100), a count or false in the `exemplars` hint wins over
// the request's parameter, and an `exemplars` parameter of 0 means the default.
TEST_F(MetricsApiTest, ExemplarsByDefaultAndAsTheHintSays) {
  auto count = [&](const std::string& query_and_params) {
    auto r = Get("/api/metrics/query_range?q=%7B%7D%20%7C%20count_over_time()" + query_and_params +
                 "&start=1700000000&end=1700000060&step=20s");
    EXPECT_EQ(r.status, 200) << r.body;
    size_t n = 0;
    for (size_t at = r.body.find("\"trace:id\""); at != std::string::npos;
         at = r.body.find("\"trace:id\"", at + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(count(""), 3u);  // one per span (at most 2 per interval, as Tempo keeps)
  EXPECT_EQ(count("&exemplars=0"), 3u);
  EXPECT_EQ(count("&exemplars=2"), 2u);
  EXPECT_EQ(count("%20with(exemplars%3Dfalse)"), 0u);
  EXPECT_EQ(count("%20with(exemplars%3Dfalse)&exemplars=5"), 0u);
  EXPECT_EQ(count("%20with(exemplars%3D1)&exemplars=5"), 1u);
  EXPECT_EQ(count("%20with(exemplars%3Dtrue)"), 3u);
  EXPECT_EQ(Get("/api/metrics/query_range?q=%7B%7D%20%7C%20rate()&exemplars=many").status, 400);
}

TEST_F(MetricsApiTest, InstantQueryGivesOneValue) {
  auto r =
      Get("/api/metrics/query?q=%7B%7D%20%7C%20count_over_time()%20by%20(name)"
          "&start=1700000000&end=1700000060");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r),
            "{\"series\":[{\"labels\":[{\"key\":\"name\",\"value\":{\"stringValue\":"
            "\"GET /cart\"}}],\"value\":3}]");
}

TEST_F(MetricsApiTest, SinceDefaultsStartBeforeEnd) {
  auto r = Get("/api/metrics/query?q=%7B%7D%20%7C%20count_over_time()&end=1700000060&since=30s");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"value\":1}"), std::string::npos) << r.body;  // only the +35 s span
}

TEST_F(MetricsApiTest, BadRequestsAnswer400WithAMessage) {
  EXPECT_EQ(Get("/api/metrics/query_range").status, 400);
  auto parse = Get("/api/metrics/query_range?q=%7B%20.a%20%3D%3D%201%20%7D%20%7C%20rate()");
  EXPECT_EQ(parse.status, 400);
  EXPECT_NE(parse.body.find("parse error"), std::string::npos) << parse.body;
  auto search = Get("/api/metrics/query_range?q=%7B%7D");
  EXPECT_EQ(search.status, 400);
  EXPECT_NE(search.body.find("not a metrics query"), std::string::npos);
  EXPECT_EQ(Get("/api/metrics/query_range?q=%7B%7D%20%7C%20rate()&start=yesterday").status, 400);
  EXPECT_EQ(Get("/api/metrics/query_range?q=%7B%7D%20%7C%20rate()&step=-5s").status, 400);
  EXPECT_EQ(Get("/api/metrics/query_range?q=%7B%7D%20%7C%20rate()&start=1700000060"
                "&end=1700000000")
                .status,
            400);
  EXPECT_EQ(Get("/api/metrics/query?q=%7B%7D%20%7C%20rate()%20%7C%20topk(0)").status, 400);
}

TEST_F(MetricsApiTest, OtherPathsAreNotOurs) {
  http::Request req;
  req.method = "GET";
  req.path = "/api/search";
  http::Response resp;
  EXPECT_FALSE(ServeMetrics(store_, req, &resp));
}

}  // namespace
}  // namespace th::api

// The query API's handler called directly (no sockets): routing, parameters and bodies.
#include "api/http/query_api.h"

#include <filesystem>
#include <future>

#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include "model/otlp_decode.h"
#include "store/testing/temp_store.h"
#include "tools/loadgen/trace_generator.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"
#include "tempopb/tempo.pb.h"

namespace th::api {
namespace {

namespace otlp = opentelemetry::proto::trace::v1;

class QueryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    otlp::TracesData data;
    auto* rs = data.add_resource_spans();
    auto* a = rs->mutable_resource()->add_attributes();
    a->set_key("service.name");
    a->mutable_value()->set_string_value("checkout");
    auto* s = rs->add_scope_spans()->add_spans();
    std::string tid(16, '\0');
    tid[14] = '\x0a';
    tid[15] = '\xbc';
    s->set_trace_id(tid);
    s->set_span_id(std::string(8, '\x01'));
    s->set_name("GET /cart");
    s->set_start_time_unix_nano(1700000000000000000ull);
    s->set_end_time_unix_nano(1700000000900000000ull);
    ASSERT_TRUE(temp_.AppendOtlp(data.SerializeAsString()).ok());
    handler_ = MakeQueryApiHandler(temp_.get(), {});
  }

  http::Response Get(std::string target, std::string accept = "") {
    http::Request req;
    req.method = "GET";
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    req.query = q == std::string::npos ? "" : target.substr(q + 1);
    if (!accept.empty()) req.headers.emplace_back("accept", accept);
    std::promise<http::Response> p;
    handler_(std::move(req), [&p](http::Response&& r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  store::testing::TempStore temp_{"query_api_test"};
  http::Handler handler_;  // destroyed first: its query workers read the store
};

TEST_F(QueryApiTest, TraceByIdV1AndV2InJsonAndProtobuf) {
  http::Response v1 = Get("/api/traces/abc");
  EXPECT_EQ(v1.status, 200);
  EXPECT_EQ(v1.body.rfind("{\"batches\":[{\"resource\":", 0), 0u) << v1.body;
  EXPECT_NE(v1.body.find("\"spanId\":\"AQEBAQEBAQE=\""), std::string::npos);  // base64, as Tempo
  http::Response v2 = Get("/api/v2/traces/00000000000000000000000000000ABC");
  EXPECT_EQ(v2.status, 200);
  EXPECT_EQ(v2.body.rfind("{\"trace\":{\"resourceSpans\":[", 0), 0u) << v2.body;
  http::Response pb = Get("/api/v2/traces/abc", "application/protobuf");
  tempopb::TraceByIDResponse resp;
  ASSERT_TRUE(resp.ParseFromString(pb.body));
  EXPECT_EQ(resp.trace().resourcespans(0).scope_spans(0).spans(0).name(), "GET /cart");
  EXPECT_GT(resp.metrics().inspectedbytes(), 0u);
}

TEST_F(QueryApiTest, UnknownIdIs404AndMalformedIs400) {
  EXPECT_EQ(Get("/api/traces/abd").status, 404);
  EXPECT_EQ(Get("/api/v2/traces/abd").status, 404);
  EXPECT_EQ(Get("/api/traces/xyz").status, 400);
  EXPECT_EQ(Get("/api/traces/abc?start=10&end=5").status, 400);
  EXPECT_EQ(Get("/api/traces/abc?start=1800000000&end=1900000000").status, 404);
  EXPECT_EQ(Get("/api/traces/abc?start=1699999999&end=1700000001").status, 200);
}

TEST_F(QueryApiTest, SeedTagSearch) {
  http::Response r = Get("/api/search?tags=service.name%3Dcheckout&limit=20");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"traceID\":\"abc\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"durationMs\":900"), std::string::npos);
  EXPECT_EQ(Get("/api/search?tags=service.name%3Dcart").body.find("traceID"), std::string::npos);
}

TEST_F(QueryApiTest, TraceQLSearch) {
  http::Response r = Get("/api/search?q=%7B%20resource.service.name%20%3D%20%22checkout%22%20%7D");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"traceID\":\"abc\""), std::string::npos) << r.body;
  http::Response none = Get("/api/search?q=%7B%20duration%20%3E%202s%20%7D");
  EXPECT_EQ(none.body.find("traceID"), std::string::npos) << none.body;
  http::Response bad = Get("/api/search?q=%7B%20.a%20%3D%3D%201%20%7D");  // { .a == 1 }
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("invalid TraceQL query: parse error at line 1, col "), std::string::npos)
      << bad.body;
  EXPECT_EQ(Get("/api/search?q=%7B%7D%20%7C%20rate()").status, 400);  // metrics query
}

TEST_F(QueryApiTest, SearchParameterErrors) {
  EXPECT_EQ(Get("/api/search?limit=0").status, 400);
  EXPECT_EQ(Get("/api/search?minDuration=fast").status, 400);
  EXPECT_EQ(Get("/api/search?minDuration=2s&maxDuration=1s").status, 400);
  EXPECT_EQ(Get("/api/search?tags=noequals").status, 400);
  EXPECT_EQ(Get("/api/search?q=%7B%7D&tags=a%3Db").status, 400);
}

TEST_F(QueryApiTest, LegacyBareParamsAreTags) {
  EXPECT_NE(Get("/api/search?service.name=checkout").body.find("\"traceID\":\"abc\""),
            std::string::npos);
  EXPECT_EQ(Get("/api/search?service.name=cart").body.find("traceID"), std::string::npos);
}

TEST_F(QueryApiTest, TagsAndValues) {
  EXPECT_NE(Get("/api/search/tags").body.find("\"tagNames\":[\"service.name\"]"),
            std::string::npos);
  EXPECT_EQ(Get("/api/v2/search/tags?scope=resource").body,
            "{\"scopes\":[{\"name\":\"resource\",\"tags\":[\"service.name\"]}],\"metrics\":{}}");
  EXPECT_EQ(Get("/api/v2/search/tags?scope=nope").status, 400);
  EXPECT_EQ(Get("/api/search/tag/service.name/values").body,
            "{\"tagValues\":[\"checkout\"],\"metrics\":{}}");
  EXPECT_EQ(Get("/api/v2/search/tag/span:name/values").body,
            "{\"tagValues\":[{\"type\":\"string\",\"value\":\"GET /cart\"}],\"metrics\":{}}");
}

TEST_F(QueryApiTest, AutocompleteNarrowsByQ) {
  // { resource.service.name = "checkout" } keeps the one span; "cart" keeps none.
  EXPECT_EQ(
      Get("/api/v2/search/tag/span:name/values?q=%7Bresource.service.name%3D%22checkout%22%7D")
          .body,
      "{\"tagValues\":[{\"type\":\"string\",\"value\":\"GET /cart\"}],\"metrics\":{}}");
  EXPECT_EQ(
      Get("/api/v2/search/tag/span:name/values?q=%7Bresource.service.name%3D%22cart%22%7D").body,
      "{\"tagValues\":[],\"metrics\":{}}");
  // Half-typed queries (as Grafana sends them) narrow nothing.
  EXPECT_EQ(Get("/api/v2/search/tag/span:name/values?q=%7Bresource.service.name%3D%7D").body,
            "{\"tagValues\":[{\"type\":\"string\",\"value\":\"GET /cart\"}],\"metrics\":{}}");
  EXPECT_EQ(Get("/api/v2/search/tags?scope=resource&q=%7Bname%3D%22x%22%7D").body,
            "{\"scopes\":[{\"name\":\"resource\",\"tags\":[]}],\"metrics\":{}}");
}

TEST_F(QueryApiTest, OperationalEndpoints) {
  EXPECT_EQ(Get("/api/echo").body, "echo");
  EXPECT_EQ(Get("/ready").status, 200);
  EXPECT_NE(Get("/api/status/buildinfo").body.find("\"version\":"), std::string::npos);
  EXPECT_NE(Get("/metrics").body.find("tracehouse_head_spans 1"), std::string::npos);
  EXPECT_EQ(Get("/nope").status, 404);
}

}  // namespace
}  // namespace th::api

namespace th::api {
namespace {

// The JSON answers say exactly what protobuf's JSON mapping says about the stored trace: parsed
// back by libprotobuf's JSON parser they equal the stored messages, for realistic traces (every
// attribute type, arrays, kvlists, events, links, errors, both profiles of the load generator).
TEST(TraceByIdJson, ParsesBackToTheStoredMessages) {
  store::testing::TempStore temp("query_api_json");
  std::vector<std::string> ids;
  using Profile = tools::TraceGenerator::Profile;
  for (Profile profile : {Profile::kDefault, Profile::kWide}) {
    tools::TraceGenerator gen(7, tools::TraceGenerator::Options{profile});
    auto batch = gen.NextBatch(600, 1'700'000'000'000'000'000ull);
    for (uint32_t i = 0; i < batch->span_count(); i += 97) {
      ids.push_back(model::ToHex(batch->spans.trace_id[i].View()));
    }
    ASSERT_TRUE(temp.Append(std::move(batch)).ok());
  }
  http::Handler handler = MakeQueryApiHandler(temp.get(), {});
  auto get = [&](const std::string& path, std::string accept) {
    http::Request req;
    req.method = "GET";
    req.target = req.path = path;
    if (!accept.empty()) req.headers.emplace_back("accept", accept);
    std::promise<http::Response> p;
    handler(std::move(req), [&p](http::Response&& r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  };
  google::protobuf::util::JsonParseOptions strict;  // unknown fields are errors
  for (const std::string& id : ids) {
    SCOPED_TRACE(id);
    http::Response pb = get("/api/v2/traces/" + id, "application/protobuf");
    ASSERT_EQ(pb.status, 200);
    tempopb::TraceByIDResponse want;
    ASSERT_TRUE(want.ParseFromString(pb.body));

    http::Response v2 = get("/api/v2/traces/" + id, "");
    ASSERT_EQ(v2.status, 200);
    tempopb::TraceByIDResponse got;
    auto st = google::protobuf::util::JsonStringToMessage(v2.body, &got, strict);
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << v2.body.substr(0, 400);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, want))
        << "json: " << got.ShortDebugString().substr(0, 600)
        << "\nprotobuf: " << want.ShortDebugString().substr(0, 600);

    http::Response v1 = get("/api/traces/" + id, "");
    ASSERT_EQ(v1.status, 200);
    tempopb::TraceV1 v1_got;
    st = google::protobuf::util::JsonStringToMessage(v1.body, &v1_got, strict);
    ASSERT_TRUE(st.ok()) << st.ToString();
    tempopb::TraceV1 v1_want;
    ASSERT_TRUE(v1_want.ParseFromString(want.trace().SerializeAsString()));
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(v1_got, v1_want));
  }
}

}  // namespace
}  // namespace th::api

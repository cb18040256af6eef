#include <filesystem>
#include <future>

#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "query/search/search_result.h"
#include "query/search/tag_catalog.h"
#include "query/search/tags_search.h"
#include "store/testing/temp_store.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace th::query {
namespace {

namespace otlp = opentelemetry::proto::trace::v1;

// Two traces: 0x..01 through checkout (root, 600 ms) → payment (error, int status 500), and
// 0x..02 in cart only (100 ms).
std::string Data() {
  otlp::TracesData data;
  auto add_resource = [&](const std::string& service) {
    auto* rs = data.add_resource_spans();
    auto* a = rs->mutable_resource()->add_attributes();
    a->set_key("service.name");
    a->mutable_value()->set_string_value(service);
    auto* ss = rs->add_scope_spans();
    ss->mutable_scope()->set_name("lib");
    return ss;
  };
  auto add_span = [](otlp::ScopeSpans* ss, int trace, int span, int parent, const char* name,
                     uint64_t start_ms, uint64_t end_ms) {
    auto* s = ss->add_spans();
    std::string tid(16, '\0'), sid(8, '\0'), pid(8, '\0');
    tid[15] = static_cast<char>(trace);
    sid[7] = static_cast<char>(span);
    pid[7] = static_cast<char>(parent);
    s->set_trace_id(tid);
    s->set_span_id(sid);
    if (parent) s->set_parent_span_id(pid);
    s->set_name(name);
    s->set_start_time_unix_nano(start_ms * 1000000);
    s->set_end_time_unix_nano(end_ms * 1000000);
    return s;
  };
  auto* checkout = add_resource("checkout");
  auto* root = add_span(checkout, 1, 1, 0, "POST /checkout", 1000, 1600);
  auto* m = root->add_attributes();
  m->set_key("http.method");
  m->mutable_value()->set_string_value("POST");
  auto* payment = add_resource("payment");
  auto* charge = add_span(payment, 1, 2, 1, "Charge", 1100, 1500);
  charge->mutable_status()->set_code(otlp::Status::STATUS_CODE_ERROR);
  auto* code = charge->add_attributes();
  code->set_key("http.status_code");
  code->mutable_value()->set_int_value(500);
  auto* cart = add_resource("cart");
  add_span(cart, 2, 1, 0, "GetCart", 2000, 2100);
  return data.SerializeAsString();
}

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(temp_.AppendOtlp(Data(), "t").ok()); }

  Result<SearchResult> Search(std::string_view tags, uint64_t min_ms = 0) {
    auto filter = TagsFilter::Parse(tags);
    if (!filter.ok()) return filter.status();
    TagsSearchRequest req;
    req.scan.tenant = "t";
    req.filter = *filter;
    req.filter.set_min_duration_nanos(min_ms * 1000000);
    return SearchByTags(temp_.store(), req);
  }

  store::testing::TempStore temp_{"search_test"};
  store::Store* store_ = temp_.get();
};

TEST_F(SearchTest, SeedQueryFindsTheCheckoutTraceWithRootAndStats) {
  auto r = Search("service.name=checkout");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->traces.size(), 1u);
  const TraceResult& t = r->traces[0];
  EXPECT_EQ(TrimmedTraceIdHex(t.summary.id), "1");
  EXPECT_EQ(t.summary.root_service_name, "checkout");
  EXPECT_EQ(t.summary.root_span_name, "POST /checkout");
  EXPECT_EQ(t.summary.duration_nanos(), 600000000u);
  EXPECT_EQ(t.summary.services.at("payment").error_count, 1u);
  ASSERT_EQ(t.span_sets.size(), 1u);
  EXPECT_EQ(t.span_sets[0].matched, 1u);
  EXPECT_EQ(t.span_sets[0].spans[0].attributes[0].second, "{\"stringValue\":\"checkout\"}");
}

TEST_F(SearchTest, AllTagsMustMatchOneSpanAndIntsCompareAsText) {
  auto r = Search("service.name=payment http.status_code=500");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->traces.size(), 1u);
  EXPECT_EQ(r->traces[0].span_sets[0].spans[0].name, "Charge");
  auto none = Search("service.name=checkout http.status_code=500");  // different spans
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->traces.empty());
}

TEST_F(SearchTest, MinDurationFiltersTraces) {
  auto all = Search("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->traces.size(), 2u);
  auto slow = Search("", /*min_ms=*/500);
  ASSERT_TRUE(slow.ok());
  ASSERT_EQ(slow->traces.size(), 1u);
  EXPECT_EQ(slow->traces[0].summary.root_service_name, "checkout");
}

TEST_F(SearchTest, MalformedTagsAreAnError) {
  EXPECT_EQ(Search("service.name").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Search("a=\"unterminated").status().code(), absl::StatusCode::kInvalidArgument);
  auto quoted = TagsFilter::Parse("a=\"x y\" b=c");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->tags()[0].second, "x y");
}

TEST_F(SearchTest, JsonHasTempoShape) {
  auto r = Search("service.name=checkout");
  ASSERT_TRUE(r.ok());
  std::string json = SearchResultJson(*r);
  EXPECT_NE(json.find("\"traceID\":\"1\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"rootServiceName\":\"checkout\""), std::string::npos);
  EXPECT_NE(json.find("\"rootTraceName\":\"POST /checkout\""), std::string::npos);
  EXPECT_NE(json.find("\"durationMs\":600"), std::string::npos);
  EXPECT_NE(json.find("\"spanSets\":[{\"spans\":[{\"spanID\":\"0000000000000001\""),
            std::string::npos);
  EXPECT_NE(json.find("\"payment\":{\"spanCount\":1,\"errorCount\":1}"), std::string::npos);
  EXPECT_NE(json.find("\"metrics\":{\"inspectedTraces\":"), std::string::npos);
}

TEST_F(SearchTest, TagNamesAndTypedValues) {
  store::ScanRequest scan;
  scan.tenant = "t";
  auto names = CollectTagNames(*store_, scan, 0);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->resource, std::set<std::string>{"service.name"});
  EXPECT_EQ(names->span, (std::set<std::string>{"http.method", "http.status_code"}));
  auto services = CollectTagValues(*store_, scan, "resource.service.name", true, 0);
  ASSERT_TRUE(services.ok());
  ASSERT_EQ(services->size(), 3u);
  EXPECT_EQ((*services)[0].value, "cart");
  auto codes = CollectTagValues(*store_, scan, ".http.status_code", true, 0);
  ASSERT_TRUE(codes.ok());
  ASSERT_EQ(codes->size(), 1u);
  EXPECT_EQ((*codes)[0].type, "int");
  auto status = CollectTagValues(*store_, scan, "status", true, 0);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->size(), 2u);  // error, unset
  EXPECT_EQ((*status)[0].type, "keyword");
  auto roots = CollectTagValues(*store_, scan, "trace:rootService", true, 0);
  ASSERT_TRUE(roots.ok());
  EXPECT_EQ(roots->size(), 2u);  // checkout, cart
  auto limited = CollectTagValues(*store_, scan, "service.name", false, 1);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->size(), 1u);
}

}  // namespace
}  // namespace th::query

// Runs the end-to-end cases of tests/traceql/e2e/*.json (format: tests/traceql/README.md):
// each case's traces go into a fresh store as OTLP/JSON export requests, the query runs through
// SearchTraceQL, and the matched trace ids and span ids must equal the expected sets.
#include <gtest/gtest.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/strings.h"
#include "model/otlp_decode.h"
#include "query/exec/search.h"
#include "query/traceql/traceql.h"

namespace th::query::exec {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> CaseFiles() {
  std::vector<std::string> files;
  fs::path dir = fs::path(TH_TRACEQL_CORPUS_DIR) / "e2e";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".json") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct Case {
  std::string query;
  std::vector<std::string> traces;  // OTLP/JSON bodies
  std::set<std::string> trace_ids;
  std::map<std::string, std::set<std::string>> spans;
};

// Reads a case file; the error names what is missing.
Result<Case> LoadCase(const fs::path& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.load(path.string()).get(doc); err) {
    return absl::InvalidArgumentError(StrCat(path.string(), ": ", simdjson::error_message(err)));
  }
  Case c;
  std::string_view query;
  simdjson::dom::array traces, ids;
  simdjson::dom::object spans;
  if (doc["query"].get_string().get(query) || doc["traces"].get_array().get(traces) ||
      doc["expected"]["traceIDs"].get_array().get(ids) ||
      doc["expected"]["spans"].get_object().get(spans)) {
    return absl::InvalidArgumentError(StrCat(path.string(), ": missing query/traces/expected"));
  }
  c.query = std::string(query);
  for (simdjson::dom::element t : traces) c.traces.push_back(simdjson::to_string(t));
  for (simdjson::dom::element id : ids) {
    std::string_view s;
    if (id.get_string().get(s)) return absl::InvalidArgumentError("traceIDs: not a string");
    c.trace_ids.emplace(s);
  }
  for (auto [trace, list] : spans) {
    simdjson::dom::array arr;
    if (list.get_array().get(arr)) return absl::InvalidArgumentError("spans: not an array");
    auto& set = c.spans[std::string(trace)];
    for (simdjson::dom::element s : arr) {
      std::string_view id;
      if (s.get_string().get(id)) return absl::InvalidArgumentError("span id: not a string");
      set.emplace(id);
    }
  }
  return c;
}

class TraceqlE2e : public ::testing::TestWithParam<std::string> {};

TEST_P(TraceqlE2e, MatchesExpectedTracesAndSpans) {
  fs::path path = fs::path(TH_TRACEQL_CORPUS_DIR) / "e2e" / GetParam();
  auto loaded = LoadCase(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const Case& c = *loaded;
  SCOPED_TRACE(c.query);

  fs::path dir = fs::path(::testing::TempDir()) /
                 StrCat("exec_e2e_", ::getpid(), "_", path.stem().string());
  fs::remove_all(dir);
  store::StoreOptions options;
  options.data_dir = dir.string();
  auto store = store::Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  for (const std::string& body : c.traces) {
    auto decoded = model::DecodeOtlpTracesJson(body, "e2e");
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    ASSERT_EQ(decoded->rejected_spans, 0) << decoded->rejection_message;
    std::promise<Status> p;
    (*store)->Append(std::move(decoded->batch), [&p](const Status& s) { p.set_value(s); });
    ASSERT_TRUE(p.get_future().get().ok());
  }

  auto query = traceql::Parse(c.query);
  ASSERT_TRUE(query.ok()) << query.status();
  // The same answer from the head and, once cut, from a block (where conditions are pushed
  // down into the scan and traces without a qualifying span are never built).
  for (const char* where : {"head", "block"}) {
    SCOPED_TRACE(where);
    if (std::string_view(where) == "block") {
      ASSERT_TRUE((*store)->FlushForTest().ok());
      ASSERT_EQ((*store)->Stats().spans, 0u);
    }
    SearchOptions search;
    search.scan.tenant = "e2e";
    search.limit = 0;
    auto result = SearchTraceQL(**store, **query, search);
    ASSERT_TRUE(result.ok()) << result.status();

    std::set<std::string> got_traces;
    std::map<std::string, std::set<std::string>> got_spans;
    for (const TraceResult& t : result->traces) {
      std::string id = model::ToHex(t.summary.id.View());
      got_traces.insert(id);
      for (const SpanSetResult& ss : t.span_sets) {
        for (const SpanResult& s : ss.spans) got_spans[id].insert(model::ToHex(s.id.View()));
      }
    }
    EXPECT_EQ(got_traces, c.trace_ids);
    EXPECT_EQ(got_spans, c.spans);
  }
  store->reset();
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Cases, TraceqlE2e, ::testing::ValuesIn(CaseFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return fs::path(info.param).stem().string();
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(TraceqlE2e);

}  // namespace
}  // namespace th::query::exec

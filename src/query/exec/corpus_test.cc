// Every search query of tests/traceql/valid.txt compiles and evaluates on a generic trace: no
// construct the parser accepts is left unimplemented by the executor, and none crashes.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "query/exec/test_util.h"
#include "query/traceql/traceql.h"

namespace th::query::exec {
namespace {

using testing::TraceBuilder;
using testing::V;

// A small trace touching every kind of data a query can read: resource, scope and span
// attributes of each type, arrays, events, links, statuses, kinds and a three-level tree.
TraceBuilder GenericTrace() {
  TraceBuilder t(7);
  uint32_t fe = t.Scope({{"service.name", "frontend"}, {"deployment.environment", "production"},
                         {"cloud.region", "us-east-1"}},
                        "grpc", "1.0.0", {{"language", "java"}});
  uint32_t db = t.Scope({{"service.name", "db"}}, "sql", "2.0");
  t.Span({.scope = fe,
          .id = 1,
          .name = "POST /api/orders",
          .end_ms = 3000,
          .kind = model::kSpanKindServer,
          .status = model::kStatusError,
          .status_message = "Forbidden",
          .attrs = {{"http.method", "GET"}, {"http.status_code", 500}, {"a", 3}, {"b", 3.0},
                    {"c", true}, {"foo", "bar"}, {"tags", V::Array({"a", "b"})}},
          .events = {{.name = "exception", .offset_ms = 5,
                      .attrs = {{"exception.message", "something went wrong"}}}},
          .links = {{.attrs = {{"opentracing.ref_type", "child_of"}}}}});
  t.Span({.scope = db,
          .id = 2,
          .parent = 1,
          .name = "SELECT",
          .end_ms = 20,
          .kind = model::kSpanKindClient,
          .attrs = {{"db.system", "postgresql"}, {"a", 1}, {"field", 2.5}}});
  t.Span({.scope = db, .id = 3, .parent = 2, .name = "leaf", .end_ms = 1});
  t.Span({.scope = fe, .id = 4, .parent = 1, .name = "sibling", .status = model::kStatusOk});
  return t;
}

TEST(ValidCorpus, EverySearchQueryCompilesAndEvaluates) {
  std::ifstream in(std::string(TH_TRACEQL_CORPUS_DIR) + "/valid.txt");
  ASSERT_TRUE(in.good());
  TraceBuilder trace = GenericTrace();
  EvalState state;
  std::vector<Spanset> out;
  int searches = 0, matched = 0;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    auto parsed = traceql::Parse(line);
    ASSERT_TRUE(parsed.ok()) << line << ": " << parsed.status();
    if ((*parsed)->IsMetrics()) continue;
    ++searches;
    auto executor = Executor::Compile(**parsed);
    ASSERT_TRUE(executor.ok()) << line << ": " << executor.status();
    Status st = (*executor)->Evaluate(trace.batch(), &state, &out);
    // Tempo fails a query whose structural operator sees several spansets; nothing else may.
    EXPECT_TRUE(st.ok() || (st.code() == absl::StatusCode::kInvalidArgument &&
                            Message(st).find("coalesce") != std::string_view::npos))
        << line << ": " << st;
    if (!out.empty()) ++matched;
    for (const Spanset& ss : out) {
      for (uint32_t s : ss.spans) (*executor)->SpanAttributes(&state, s);
      for (const SpansetAttribute& a : ss.attributes) ValueJson(a.value);
    }
  }
  EXPECT_GT(searches, 300);
  EXPECT_GT(matched, 100);  // the generic trace is not trivially empty for everything
}

}  // namespace
}  // namespace th::query::exec

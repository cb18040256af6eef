#include "pipeline/processor/filter/ottl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/processor/filter/ottl_lexer.h"
#include "pipeline/processor/internal/test_batch.h"

namespace th::pipeline::ottl {
namespace {

using ::testing::HasSubstr;
using namespace processor::testing;  // NOLINT: test helpers

// One span: name "GET /grpc.health", server, status error, trace id ...01, parent 0,
// attributes {http.target=/health, code=200, ratio=0.5, ok=true, nested={a=[x, 7]}},
// resource {host.name=localhost}, scope "otel-go" "1.2", one event "exception" {grpc=true}.
struct Fixture {
  model::SpanBatch b;
  Fixture() {
    model::AnyValue arr;
    arr.type = model::ValueType::kArray;
    arr.range = {static_cast<uint32_t>(b.array_values.size()), 2};
    b.array_values.push_back(Str(b, "x"));
    b.array_values.push_back(Int(7));
    model::AnyValue kvlist;
    kvlist.type = model::ValueType::kKvList;
    kvlist.range = AddAttrs(b, {{"a", arr}});
    uint32_t r = AddResource(b, AddAttrs(b, {{"host.name", Str(b, "localhost")}}));
    uint32_t s = AddScope(b, r, "otel-go", "1.2");
    uint32_t i = AddSpan(b, s, "GET /grpc.health",
                         AddAttrs(b, {{"http.target", Str(b, "/health")},
                                      {"code", Int(200)},
                                      {"ratio", Dbl(0.5)},
                                      {"ok", Bool(true)},
                                      {"nested", kvlist}}));
    b.spans.status_code[i] = model::kStatusError;
    b.spans.start_time_unix_nano[i] = 1000;
    b.events.push_back(model::Event{.time_unix_nano = 5,
                                    .name = b.arena.Copy("exception"),
                                    .attributes = AddAttrs(b, {{"grpc", Bool(true)}})});
    b.spans.events[i] = {0, 1};
  }
  Result<bool> Eval(std::string_view text, Context context = Context::kSpan) {
    ASSIGN_OR_RETURN(Condition c, Condition::Parse(text, context));
    return c.Eval(EvalTarget{&b, 0, 0});
  }
  bool True(std::string_view text, Context context = Context::kSpan) {
    Result<bool> r = Eval(text, context);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status();
    return r.ok() && *r;
  }
};

TEST(OttlLexer, TokenizesLiteralsAndOperators) {
  auto tokens = Lex(R"(attributes["k\"q"] >= -1.5e2 and 0xAbCd != 42)");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  std::vector<TokenKind> kinds;
  for (const Token& t : *tokens) kinds.push_back(t.kind);
  EXPECT_EQ(kinds, (std::vector<TokenKind>{TokenKind::kIdent, TokenKind::kLBracket,
                                           TokenKind::kString, TokenKind::kRBracket, TokenKind::kOp,
                                           TokenKind::kFloat, TokenKind::kIdent, TokenKind::kBytes,
                                           TokenKind::kOp, TokenKind::kInt, TokenKind::kEnd}));
  EXPECT_EQ((*tokens)[2].text, "k\"q");
  EXPECT_DOUBLE_EQ((*tokens)[5].double_value, -150);
  EXPECT_EQ((*tokens)[7].text, "\xAB\xCD");
  EXPECT_EQ((*tokens)[9].int_value, 42);
}

TEST(Ottl, ComparesPathsWithLiterals) {
  Fixture f;
  EXPECT_TRUE(f.True(R"(attributes["http.target"] == "/health")"));
  EXPECT_FALSE(f.True(R"(attributes["http.target"] == "/cart")"));
  EXPECT_TRUE(f.True(R"(resource.attributes["host.name"] == "localhost")"));
  EXPECT_TRUE(f.True(R"(instrumentation_scope.name == "otel-go")"));
  EXPECT_TRUE(f.True(R"(instrumentation_scope.version == "1.2")"));
  EXPECT_TRUE(f.True(R"(name == "GET /grpc.health")"));
  EXPECT_TRUE(f.True("kind == SPAN_KIND_SERVER"));
  EXPECT_TRUE(f.True("status.code == STATUS_CODE_ERROR"));
  EXPECT_TRUE(f.True(R"(trace_id.string == "00000000000000000000000000000001")"));
  EXPECT_TRUE(f.True(R"(span_id.string == "0000000000000001")"));
  EXPECT_TRUE(f.True(R"(parent_span_id.string == "0000000000000000")"));
  EXPECT_TRUE(f.True("start_time_unix_nano >= 1000 and end_time_unix_nano < 1"));
  EXPECT_TRUE(f.True("span_id == 0x0000000000000001"));
}

TEST(Ottl, NumbersCompareAcrossIntAndDoubleOtherTypesNeverEqual) {
  Fixture f;
  EXPECT_TRUE(f.True(R"(attributes["code"] == 200.0)"));
  EXPECT_TRUE(f.True(R"(attributes["ratio"] < 1)"));
  EXPECT_TRUE(f.True(R"(attributes["ok"] == true)"));
  EXPECT_FALSE(f.True(R"(attributes["code"] == "200")"));
  EXPECT_TRUE(f.True(R"(attributes["code"] != "200")"));
  EXPECT_FALSE(f.True(R"(attributes["code"] > "1")"));
  EXPECT_TRUE(f.True(R"(attributes["missing"] == nil)"));
  EXPECT_FALSE(f.True(R"(attributes["missing"] == "")"));
  EXPECT_TRUE(f.True(R"(attributes["missing"] != "")"));
  EXPECT_TRUE(f.True(R"(name > "A")"));
}

TEST(Ottl, BooleanOperatorsAndPrecedence) {
  Fixture f;
  // and binds tighter than or.
  EXPECT_TRUE(f.True(R"(name == "x" and false or true)"));
  EXPECT_FALSE(f.True(R"(name == "x" and (false or true))"));
  EXPECT_TRUE(f.True(R"(not name == "x")"));
  EXPECT_FALSE(f.True(R"(not (kind == SPAN_KIND_SERVER or false))"));
  EXPECT_TRUE(f.True("true"));
}

TEST(Ottl, Converters) {
  Fixture f;
  EXPECT_TRUE(f.True(R"(IsMatch(name, ".*grpc.*"))"));
  EXPECT_FALSE(f.True(R"(IsMatch(name, "^grpc"))"));
  EXPECT_TRUE(f.True(R"(IsMatch(attributes["code"], "^2\\d\\d$"))"));
  EXPECT_FALSE(f.True(R"(IsMatch(attributes["missing"], ".*"))"));
  EXPECT_TRUE(
      f.True(R"(IsString(name) and IsInt(attributes["code"]) and IsBool(attributes["ok"]))"));
  EXPECT_TRUE(f.True(R"(IsDouble(attributes["ratio"]) and not IsString(attributes["code"]))"));
  EXPECT_TRUE(f.True(R"(IsMap(attributes["nested"]) and IsList(attributes["nested"]["a"]))"));
  EXPECT_TRUE(f.True(R"(Len(attributes) == 5 and Len(name) == 16)"));
  EXPECT_TRUE(f.True(R"(attributes["nested"]["a"][1] == 7)"));
  EXPECT_TRUE(f.True(R"(attributes["nested"]["a"][9] == nil)"));
  Result<bool> bad = f.Eval(R"(Len(attributes["code"]) > 1)");
  EXPECT_FALSE(bad.ok());
}

TEST(Ottl, SpanEventContext) {
  Fixture f;
  EXPECT_TRUE(f.True(R"(name == "exception")", Context::kSpanEvent));
  EXPECT_TRUE(f.True(R"(attributes["grpc"] == true)", Context::kSpanEvent));
  EXPECT_TRUE(f.True(R"(IsMatch(name, "exc"))", Context::kSpanEvent));
  EXPECT_TRUE(f.True(R"(span.name == "GET /grpc.health" and spanevent.time_unix_nano == 5)",
                     Context::kSpanEvent));
  EXPECT_TRUE(f.True(R"(resource.attributes["host.name"] == "localhost")", Context::kSpanEvent));
  EXPECT_FALSE(Condition::Parse("kind == SPAN_KIND_SERVER", Context::kSpanEvent).ok());
}

TEST(Ottl, ParseErrorsCarryColumns) {
  auto expect_error = [](std::string_view text, std::string_view column, std::string_view what) {
    Result<Condition> c = Condition::Parse(text, Context::kSpan);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_THAT(c.status().message(), HasSubstr(column)) << text;
    EXPECT_THAT(c.status().message(), HasSubstr(what)) << text;
  };
  expect_error(R"(name = "x")", "column 6", "expected ==");
  expect_error(R"(name == "x)", "column 9", "unterminated string");
  expect_error(R"(nam == "x")", "column 1", "unknown path \"nam\"");
  expect_error(R"(name == "x" and)", "column 16", "expected a value");
  expect_error(R"((name == "x")", "column 13", "expected \")\"");
  expect_error(R"(name == "x" extra)", "column 13", "unexpected");
  expect_error(R"(kind == SPAN_KIND_WHATEVER)", "column 9", "unknown enum");
  expect_error(R"(IsMatch(name, "("))", "column 15", "invalid regexp");
  expect_error(R"(IsMatch(name))", "column 1", "takes 2 arguments");
  expect_error(R"(Frobnicate(name))", "column 1", "unsupported converter");
  expect_error(R"(set(name, "x"))", "column 1", "editor function");
  expect_error(R"(Len(name))", "column 1", "does not return a bool");
  expect_error(R"(name)", "column 5", "expected a comparison operator");
  expect_error(R"(start_time_unix_nano + 1 > 2)", "column 22", "");
  expect_error(R"(name["k"] == "x")", "column 5", "does not take keys");
}

TEST(Ottl, DeepNestingIsAnErrorNotACrash) {
  std::string deep(5000, '(');
  EXPECT_FALSE(Condition::Parse(deep, Context::kSpan).ok());
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "not ";
  EXPECT_FALSE(Condition::Parse(nots + "true", Context::kSpan).ok());
}

}  // namespace
}  // namespace th::pipeline::ottl

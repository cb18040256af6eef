#include "query/traceql/internal/lexer.h"

#include <vector>

#include "gtest/gtest.h"

namespace th::query::traceql::internal {
namespace {

std::vector<Token> LexOk(std::string_view text) {
  std::vector<Token> toks;
  ParseError err;
  EXPECT_TRUE(Lex(text, &toks, &err)) << text << ": " << err.ToString();
  return toks;
}

ParseError LexFails(std::string_view text) {
  std::vector<Token> toks;
  ParseError err;
  EXPECT_FALSE(Lex(text, &toks, &err)) << text;
  return err;
}

std::vector<Tok> Kinds(std::string_view text) {
  std::vector<Tok> out;
  for (const Token& t : LexOk(text)) out.push_back(t.kind);
  return out;
}

TEST(TraceqlLexer, PositionsCountCodePointsAndLines) {
  auto toks = LexOk("{ .é = 1 }\n| count() > 2");
  ASSERT_GE(toks.size(), 6u);
  EXPECT_EQ(toks[1].kind, Tok::kAttribute);
  EXPECT_EQ(toks[1].pos.column, 3);
  EXPECT_EQ(toks[2].kind, Tok::kEq);
  EXPECT_EQ(toks[2].pos.column, 6);  // `é` is one column though two bytes
  EXPECT_EQ(toks[5].kind, Tok::kPipe);
  EXPECT_EQ(toks[5].pos.line, 2);
  EXPECT_EQ(toks[5].pos.column, 1);
}

TEST(TraceqlLexer, AttributeNamesRunUntilTerminators) {
  auto toks = LexOk(".foo+bar .http-status span.resource.foo .😝 .foo.3 resource.a&&");
  ASSERT_EQ(toks.size(), 8u);
  EXPECT_EQ(toks[0].attribute.name, "foo+bar");
  EXPECT_EQ(toks[1].attribute.name, "http-status");
  EXPECT_EQ(toks[2].attribute.scope, Scope::kSpan);
  EXPECT_EQ(toks[2].attribute.name, "resource.foo");
  EXPECT_EQ(toks[3].attribute.name, "😝");
  EXPECT_EQ(toks[4].attribute.name, "foo.3");
  EXPECT_EQ(toks[5].attribute.scope, Scope::kResource);
  EXPECT_EQ(toks[6].kind, Tok::kAnd);
}

TEST(TraceqlLexer, QuotedAttributePartsKeepDotsAndEscapes) {
  auto toks = LexOk(R"(span."a b".c ."foo.bar" .x."q\"\\")");
  EXPECT_EQ(toks[0].attribute.name, "a b.c");
  EXPECT_EQ(toks[1].attribute.scope, Scope::kNone);
  EXPECT_EQ(toks[1].attribute.name, "foo.bar");
  EXPECT_EQ(toks[2].attribute.name, "x.q\"\\");
  LexFails(R"(."a\n")");
  LexFails(R"(."open)");
}

TEST(TraceqlLexer, ParentScopeNestsOnlySpanAndResource) {
  auto toks = LexOk("parent.span.a parent.resource.b parent.event.c parent.d");
  EXPECT_TRUE(toks[0].attribute.parent);
  EXPECT_EQ(toks[0].attribute.scope, Scope::kSpan);
  EXPECT_EQ(toks[1].attribute.scope, Scope::kResource);
  EXPECT_EQ(toks[2].attribute.scope, Scope::kNone);
  EXPECT_EQ(toks[2].attribute.name, "event.c");
  EXPECT_EQ(toks[3].attribute.name, "d");
}

TEST(TraceqlLexer, ScopedAndLegacyIntrinsics) {
  auto toks = LexOk("span:duration trace:rootService event:timeSinceStart link:spanID "
                    "instrumentation:version duration rootServiceName nestedSetParent parent");
  EXPECT_EQ(toks[0].attribute.intrinsic, Intrinsic::kDuration);
  EXPECT_FALSE(toks[0].attribute.legacy);
  EXPECT_EQ(toks[1].attribute.intrinsic, Intrinsic::kTraceRootService);
  EXPECT_EQ(toks[2].attribute.intrinsic, Intrinsic::kEventTimeSinceStart);
  EXPECT_EQ(toks[3].attribute.intrinsic, Intrinsic::kLinkSpanId);
  EXPECT_EQ(toks[4].attribute.intrinsic, Intrinsic::kInstrumentationVersion);
  EXPECT_EQ(toks[5].attribute.intrinsic, Intrinsic::kDuration);
  EXPECT_TRUE(toks[5].attribute.legacy);
  EXPECT_EQ(toks[6].attribute.intrinsic, Intrinsic::kTraceRootService);
  EXPECT_EQ(toks[7].attribute.intrinsic, Intrinsic::kNestedSetParent);
  EXPECT_EQ(toks[8].attribute.intrinsic, Intrinsic::kParent);
  EXPECT_EQ(LexFails("{ trace:status }").column, 3);
  LexFails("trace:rootServiceName");
  LexFails("span:rootName");
}

TEST(TraceqlLexer, StringsUseGoEscapesAndRawBackquotes) {
  auto toks = LexOk(R"("a\tb\"\\\x41\u00e9\101" `raw\n`)");
  EXPECT_EQ(toks[0].value.s, "a\tb\"\\A\xC3\xA9" "A");
  EXPECT_EQ(toks[1].value.s, "raw\\n");
  LexFails(R"("bad \q")");
  LexFails(R"("unterminated)");
  LexFails("\"new\nline\"");
}

TEST(TraceqlLexer, NumbersAndDurations) {
  auto toks = LexOk("1 1.5 .5 1. 1e3 1h15m30.5s 250ms 3µs 2d 1w 1y .24h");
  EXPECT_EQ(toks[0].value.i, 1);
  EXPECT_EQ(toks[1].value.f, 1.5);
  EXPECT_EQ(toks[2].value.f, 0.5);
  EXPECT_EQ(toks[3].kind, Tok::kFloat);
  EXPECT_EQ(toks[4].value.f, 1000);
  EXPECT_EQ(toks[5].kind, Tok::kDuration);
  EXPECT_EQ(toks[5].value.i, (3600 + 15 * 60 + 30) * 1000000000LL + 500000000LL);
  EXPECT_EQ(toks[6].value.i, 250000000);
  EXPECT_EQ(toks[7].value.i, 3000);
  EXPECT_EQ(toks[8].value.i, 2 * 86400 * 1000000000LL);
  EXPECT_EQ(toks[9].value.i, 7 * 86400 * 1000000000LL);
  EXPECT_EQ(toks[10].value.i, 365 * 86400 * 1000000000LL);
  EXPECT_EQ(toks[11].value.i, static_cast<int64_t>(0.24 * 3600e9));
  EXPECT_EQ(Kinds("1t"), (std::vector<Tok>{Tok::kInt, Tok::kIdentifier, Tok::kEnd}));
  LexFails("99999999999999999999");
  LexFails("300000y");
}

TEST(TraceqlLexer, OperatorsUseLongestMatch) {
  EXPECT_EQ(Kinds("&>> &> &<< &< &~ !>> !> !<< !< !~ != =~ >= >> <= << ~ | || && ^ %"),
            (std::vector<Tok>{Tok::kUnionDesc, Tok::kUnionChild, Tok::kUnionAnce,
                              Tok::kUnionParent, Tok::kUnionSibl, Tok::kNotDesc, Tok::kNotChild,
                              Tok::kNotAnce, Tok::kNotParent, Tok::kNotRegex, Tok::kNeq,
                              Tok::kRegex, Tok::kGte, Tok::kDesc, Tok::kLte, Tok::kAnce,
                              Tok::kTilde, Tok::kPipe, Tok::kOr, Tok::kAnd, Tok::kPow, Tok::kMod,
                              Tok::kEnd}));
  LexFails("{ .a & .b }");
  LexFails("[ true ]");
}

TEST(TraceqlLexer, KeywordsEnumsAndIntegerConstants) {
  auto toks = LexOk("ok error unset server consumer minInt maxInt nil quantile_over_time sample");
  EXPECT_EQ(toks[0].kind, Tok::kStatus);
  EXPECT_EQ(toks[3].kind, Tok::kKind);
  EXPECT_EQ(toks[5].value.i, INT64_MIN);
  EXPECT_EQ(toks[6].value.i, INT64_MAX);
  EXPECT_EQ(toks[7].kind, Tok::kNil);
  EXPECT_EQ(toks[8].kind, Tok::kQuantileOverTime);
  EXPECT_EQ(toks[9].kind, Tok::kIdentifier);
}

}  // namespace
}  // namespace th::query::traceql::internal

// TraceQL lexer: text -> tokens with positions (Tempo's pkg/traceql/lexer.go rules, see
// reference/tempo.md §a.4). Attributes are lexed whole (scope, parent flag, decoded name) because
// their names follow rules of their own: they run until whitespace or one of `{}()=~!<>&|^,`,
// so `.http-status` or `.foo+bar` are single names. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/traceql/ast.h"
#include "query/traceql/traceql.h"

namespace th::query::traceql::internal {

// Fills `error` with a parse error at `at` and returns false, so both the lexer and the parser can
// end with `return Fail(...)`.
inline bool SetParseError(ParseError* error, Position at, std::string message) {
  error->kind = ParseError::Kind::kParse;
  error->line = at.line;
  error->column = at.column;
  error->message = std::move(message);
  return false;
}

enum class Tok {
  kEnd,
  kOpenBrace,
  kCloseBrace,
  kOpenParen,
  kCloseParen,
  kComma,
  // literals
  kString,
  kInt,
  kFloat,
  kDuration,
  kTrue,
  kFalse,
  kNil,
  kStatus,  // ok error unset; `value` holds it
  kKind,    // unspecified internal server client producer consumer
  // names
  kAttribute,   // `.a`, `span.a`, `parent.resource.a`, …; `attribute` holds it
  kIntrinsic,   // `span:name`, `duration`, …; `attribute` holds it
  kIdentifier,  // anything else, only legal as a hint name
  // operators
  kEq,
  kNeq,
  kLt,
  kLte,
  kGt,
  kGte,
  kRegex,
  kNotRegex,  // also "not sibling" between spansets
  kAnd,
  kOr,
  kNot,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kDesc,  // >>
  kAnce,  // <<
  kTilde,
  kNotChild,
  kNotParent,
  kNotDesc,
  kNotAnce,
  kUnionChild,
  kUnionParent,
  kUnionDesc,
  kUnionAnce,
  kUnionSibl,
  kPipe,
  // keywords
  kCount,
  kAvg,
  kMin,
  kMax,
  kSum,
  kBy,
  kCoalesce,
  kSelect,
  kWith,
  kRate,
  kCountOverTime,
  kMinOverTime,
  kMaxOverTime,
  kAvgOverTime,
  kSumOverTime,
  kQuantileOverTime,
  kHistogramOverTime,
  kCompare,
  kTopK,
  kBottomK,
};

struct Token {
  Tok kind = Tok::kEnd;
  Position pos;
  std::string_view text;  // the source bytes of the token
  Value value;            // literals (minInt/maxInt lex as kInt)
  Attribute attribute;    // kAttribute, kIntrinsic
};

// A short description for error messages: "`>=`", "string \"a\"", "end of query".
std::string Describe(const Token& t);

// Lexes all of `text`; the last token is kEnd. Returns false and fills `error` (kind kParse) on
// malformed input: unknown characters, bad escapes, unterminated strings, overflowing numbers,
// empty attribute names, unknown scoped intrinsics (`trace:status`).
bool Lex(std::string_view text, std::vector<Token>* tokens, ParseError* error);

// Parses a duration such as "1h15m30.5s" or "250ms" into nanoseconds; false if `s` is not one
// whole duration or overflows (then `*overflow`, when given, says which).
bool ParseDuration(std::string_view s, int64_t* nanos, bool* overflow = nullptr);

}  // namespace th::query::traceql::internal

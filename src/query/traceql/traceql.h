// TraceQL front end: text -> validated AST (ast.h) -> canonical text.
//
// Three outcomes besides success, as Tempo distinguishes them (reference/tempo.md §a):
//   * parse error       the text is not TraceQL (`{ .a == 1 }`, `{ true } | count()`);
//   * validation error  it is TraceQL but wrong (`{ 1 = "a" }`, `{ .a =~ "[" }`, `topk(0)`);
//   * unsupported       valid TraceQL that Tempo, and so we, do not execute (`{ parent.a = 1 }`,
//                       `min(.a) < max(.b)`).
// Each carries a lower-case message and the line:column it points at.
// Thread-safe: pure functions.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "query/traceql/ast.h"

namespace th::query::traceql {

struct ParseError {
  enum class Kind { kParse, kValidation, kUnsupported };
  Kind kind = Kind::kParse;
  int line = 0;
  int column = 0;
  std::string message;  // without the position, e.g. "unexpected `}`, expected a field"

  // "parse error at line 1, col 7: …", "validation error at line …", "unsupported at line …".
  std::string ToString() const;
  // InvalidArgument for kParse and kValidation, Unimplemented for kUnsupported; the message is
  // ToString().
  Status ToStatus() const;
};

// Parses and validates `text`. On failure returns ToStatus() of the error and, when `error` is
// not null, stores the structured error there.
Result<std::unique_ptr<Query>> Parse(std::string_view text, ParseError* error = nullptr);

// Parses without semantic validation: only kParse errors. For tests and tools that want the
// tree of a query that fails validation.
Result<std::unique_ptr<Query>> ParseSyntax(std::string_view text, ParseError* error = nullptr);

// Runs semantic validation on a tree from ParseSyntax. Returns OK or the first error found
// (kValidation or kUnsupported), in source order.
Status Validate(const Query& query, ParseError* error = nullptr);

// The canonical text of `query`: one space around binary operators, minimal parentheses,
// strings double-quoted. Invariant, tested over the whole corpus:
// Print(*Parse(Print(q))) == Print(q) for every query q that Parse accepts.
std::string Print(const Query& query);
std::string Print(const FieldExpr& expr);

}  // namespace th::query::traceql

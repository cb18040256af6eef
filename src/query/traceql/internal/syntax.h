// The surface syntax tree: the first of two parsing passes.
//
// Tempo's grammar (expr.y) is LALR and decides late what a parenthesis or a `>` means:
// `({a} | count()) > 1` is a scalar filter, `({a} | count() > 1) > ({b})` a structural operation,
// `({a} | rate()) / 2` metrics arithmetic. Rather than guess while reading tokens, pass one
// (parser.cc) reads the whole query into this generic tree with TraceQL's precedence levels, and
// pass two (convert.cc) checks its shape and builds the typed AST (ast.h). Shape errors are
// still parse errors. Field expressions (inside `{}` and function arguments) are unambiguous, so
// pass one builds them directly as FieldExpr.
#pragma once

#include <memory>
#include <vector>

#include "query/traceql/ast.h"
#include "query/traceql/internal/lexer.h"
#include "query/traceql/traceql.h"

namespace th::query::traceql::internal {

struct Node {
  enum class Kind {
    kFilter,       // `{ field }`: field
    kParen,        // `( lhs )`
    kBinary,       // lhs op rhs; op is the operator token (kPipe, kAnd, kGt, kAdd, …)
    kAggregate,    // count() avg(field) …: op is the keyword, field the argument or null
    kBy,           // by(field)
    kCoalesce,     // coalesce()
    kSelect,       // select(attrs)
    kMetrics,      // rate() … by (…): metrics
    kSecondStage,  // topk(n) bottomk(n): op is the keyword, limit
    kStatic,       // a literal: value
  };
  Kind kind = Kind::kStatic;
  Position pos;
  Tok op = Tok::kEnd;
  std::unique_ptr<FieldExpr> field;
  std::vector<std::unique_ptr<FieldExpr>> attrs;
  std::unique_ptr<Node> lhs;
  std::unique_ptr<Node> rhs;
  Value value;
  std::unique_ptr<MetricsAggregate> metrics;
  int64_t limit = 0;
};

struct SyntaxTree {
  std::unique_ptr<Node> root;
  std::vector<Hint> hints;
};

// Pass one. Returns false and fills `error` (kParse) when the tokens do not form an expression.
bool ParseSyntaxTree(std::string_view text, SyntaxTree* tree, ParseError* error);

// Pass two. Consumes `tree`. Returns false and fills `error` (kParse) on a shape error.
bool ConvertSyntaxTree(SyntaxTree tree, Query* query, ParseError* error);

// Builds `lhs op rhs` with its static type, folding constant arithmetic and turning comparisons
// with nil into kExists / kNotExists (`nil = nil` and `nil != nil` into false, as Tempo does).
std::unique_ptr<FieldExpr> MakeBinary(FieldOp op, Position pos, std::unique_ptr<FieldExpr> lhs,
                                      std::unique_ptr<FieldExpr> rhs);
std::unique_ptr<FieldExpr> MakeUnary(FieldOp op, Position pos, std::unique_ptr<FieldExpr> operand);
std::unique_ptr<FieldExpr> MakeLiteral(Value v, Position pos);
std::unique_ptr<FieldExpr> MakeAttribute(Attribute a, Position pos);

}  // namespace th::query::traceql::internal

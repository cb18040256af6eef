// Compiled field expressions: the bodies of `{ … }`, aggregate arguments, by() and select(),
// evaluated against one span. Compiling copies literals out of the AST, precompiles regexes
// whose pattern is a literal, and records which per-span data an expression reads.
//
// Events and links (reference/tempo.md §a.2: "a span matches if one of its events matches"):
// a comparison that reads event- or link-level data (`event.x`, `event:name`, `link:spanID`,
// and unscoped `.x`, which may fall through to events and links) is evaluated once per event
// (and per link) of the span and is true when any of those evaluations is. Each comparison
// picks its own event: `{ event.a = 1 && event.b = 2 }` may be satisfied by two different
// events. Outside comparisons (nil checks, aggregates, by(), select()) an event-level lookup
// reads the first event that has the attribute.
//
// Thread-safety: FieldNode trees are immutable after CompileField; evaluation state lives in
// SpanRef and its TraceContext.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "query/exec/internal/trace_context.h"
#include "query/exec/value.h"
#include "query/traceql/ast.h"

namespace re2 {
class RE2;
}

namespace th::query::exec::internal {

struct FieldNode {
  traceql::FieldExpr::Kind kind = traceql::FieldExpr::Kind::kLiteral;
  traceql::FieldOp op = traceql::FieldOp::kAdd;
  Value literal;             // kLiteral; a string points into `literal_text`
  std::string literal_text;
  traceql::Attribute attribute;  // kAttribute
  std::unique_ptr<FieldNode> lhs;
  std::unique_ptr<FieldNode> rhs;
  // A regex comparison whose pattern is a string literal.
  std::unique_ptr<re2::RE2> regex;
  // `=` / `!=` between an id intrinsic and a string literal compare ids, not text: Tempo parses
  // the literal into bytes, so "1" matches span 0000000000000001. The literal, normalised.
  bool id_compare = false;
  std::string id_literal;
  // The subtree reads event- / link-level data (see the file comment).
  bool uses_event = false;
  bool uses_link = false;

  FieldNode();
  ~FieldNode();
};

// Compiles a validated expression and adds what it reads to `needs`. InvalidArgument for a
// literal regex that does not compile (validation rejects those first).
Result<std::unique_ptr<FieldNode>> CompileField(const traceql::FieldExpr& expr, TraceNeeds* needs);

// The span being evaluated, and the event/link a comparison is currently bound to.
struct SpanRef {
  TraceContext* trace = nullptr;
  uint32_t span = 0;
  int64_t event = -1;  // index into SpanBatch::events, or -1: unbound
  int64_t link = -1;   // index into SpanBatch::links, or -1: unbound
  bool bound = false;         // inside a per-event/link loop
  bool binding_read = false;  // the current evaluation read the bound event or link
};

// The value of `node` on the span.
Value Evaluate(const FieldNode& node, SpanRef& ref);

// The value as a boolean, or nullopt when it is not one. Comparisons and `&&`/`||` are always
// booleans: false when an operand is missing or of the wrong type, as in Tempo.
std::optional<bool> EvaluateBool(const FieldNode& node, SpanRef& ref);

// The value of an attribute or intrinsic on the span; nil when missing.
Value Lookup(const traceql::Attribute& attribute, SpanRef& ref);

}  // namespace th::query::exec::internal

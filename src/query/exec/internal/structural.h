// Structural spanset operators (`>`, `>>`, `<`, `<<`, `~`, their negated `!` and union `&`
// forms) over the nested-set numbers of TraceContext, as Tempo defines them
// (pkg/traceql/ast_execute.go, vparquet's DescendantOf/ChildOf/SiblingOf):
//   * the plain operators return the right-hand spans that stand in the relation to at least one
//     left-hand span: descendant (>>), child (>), ancestor (<<), parent (<), sibling (~: another
//     span with the same parent; a span is not its own sibling, and several roots are siblings);
//   * negated operators return the right-hand spans related to no left-hand span — all of them
//     when the left side is empty, and always the unnumbered ones;
//   * union operators return the related spans of both sides.
// Spans without nested-set numbers never stand in any relation.
// Thread-safety: uses the TraceContext's scratch space; one thread per context.
#pragma once

#include <cstdint>
#include <vector>

#include "query/exec/internal/trace_context.h"
#include "query/traceql/ast.h"

namespace th::query::exec::internal {

bool IsStructural(traceql::SpansetOp op);

// The spans `lhs op rhs` returns, sorted by index. Requires: IsStructural(op), the context was
// Reset with needs.tree, and lhs/rhs hold distinct span indices of its trace.
std::vector<uint32_t> Structural(traceql::SpansetOp op, TraceContext& trace,
                                 const std::vector<uint32_t>& lhs,
                                 const std::vector<uint32_t>& rhs);

}  // namespace th::query::exec::internal

// The compiled pipeline: stages and spanset expressions of a search query with their field
// expressions compiled (field.h), and their evaluation over a trace's spansets, following
// Tempo's pkg/traceql/ast_execute.go:
//   * `{ cond }` keeps, per spanset, the spans for which cond is true; a spanset left empty
//     disappears; attributes (by() groups, aggregates) are kept;
//   * `a && b`, `a || b` and structural operators evaluate both sides on each input spanset
//     alone; && needs both sides non-empty, || one, and both return the union of their spans;
//     structural operators need at most one spanset per side (Tempo's error otherwise);
//   * aggregates (count, avg, min, max, sum) attach `count()` = N to the spanset; values that
//     are missing or not numbers are skipped, and a spanset with none left is dropped, so a
//     missing attribute never satisfies an aggregate filter;
//   * by(e) splits each spanset by the value of e, spans without one grouped under nil (shown
//     as "nil"), groups in order of first appearance, each tagged `by(e)` = value;
//   * coalesce() merges all spansets into one without attributes; select() only adds
//     attributes to the result (Executor::SpanAttributes).
// Thread-safety: immutable after CompilePipeline.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/exec/exec.h"
#include "query/exec/internal/field.h"
#include "query/exec/internal/trace_context.h"
#include "query/traceql/ast.h"

namespace th::query::exec::internal {

struct PipelineNode;

struct SpansetNode {
  traceql::SpansetExpr::Kind kind = traceql::SpansetExpr::Kind::kFilter;
  std::unique_ptr<FieldNode> filter;  // kFilter
  traceql::SpansetOp op = traceql::SpansetOp::kAnd;
  std::unique_ptr<SpansetNode> lhs;
  std::unique_ptr<SpansetNode> rhs;
  std::unique_ptr<PipelineNode> pipeline;  // kPipeline
};

struct AggregateNode {
  traceql::AggregateOp op = traceql::AggregateOp::kCount;
  std::unique_ptr<FieldNode> argument;  // null for count()
  std::string key;                      // "count()", "avg(duration)"
};

struct StageNode {
  traceql::Stage::Kind kind = traceql::Stage::Kind::kSpanset;
  std::unique_ptr<SpansetNode> spanset;  // kSpanset
  AggregateNode aggregate;               // kScalarFilter (its left side), kAggregate
  traceql::FieldOp compare = traceql::FieldOp::kEq;  // kScalarFilter
  Value threshold;                                   // kScalarFilter
  std::unique_ptr<FieldNode> group_by;               // kGroupBy
  std::string group_key;                             // "by(resource.service.name)"
};

struct PipelineNode {
  std::vector<StageNode> stages;
};

// What compiling found out about the query as a whole.
struct PlanInfo {
  TraceNeeds needs;
  // Attributes and intrinsics the query reads, in query order (select() included).
  std::vector<traceql::Attribute> reads;
};

Result<std::unique_ptr<PipelineNode>> CompilePipeline(const traceql::Pipeline& pipeline,
                                                      PlanInfo* info);

// Runs `pipeline` over `input` (spansets of the trace in `trace`).
Status RunPipeline(const PipelineNode& pipeline, TraceContext& trace, std::vector<Spanset> input,
                   std::vector<Spanset>* out);

}  // namespace th::query::exec::internal

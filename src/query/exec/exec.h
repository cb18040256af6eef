// The TraceQL search executor: a validated search query compiled into an immutable plan and
// evaluated one trace at a time, as Tempo's engine does (reference/tempo.md §a.1):
//
//   * the trace's spans enter as one spanset; the pipeline's stages run in order over every
//     spanset, each producing the next list of spansets (filters keep matching spans, by() splits,
//     coalesce() merges, aggregate filters keep or drop whole spansets);
//   * the trace matches when at least one non-empty spanset survives.
//
// Design (STYLE.md §7): Executor is the compiled plan — literals copied, regexes compiled,
// attribute references resolved — and is immutable, so one Executor serves any number of
// threads. Everything that changes while evaluating (per-trace tree numbering, caches, scratch)
// lives in an EvalState, one per thread.
//
// Ownership: Spanset attribute values may point into the evaluated batch (a by() group's string)
// and are valid while it is.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/span_batch.h"
#include "query/exec/value.h"
#include "query/search/search_result.h"
#include "query/traceql/ast.h"

namespace th::query::exec {

namespace internal {
struct PipelineNode;
class TraceContext;
}  // namespace internal

// An attribute Tempo attaches to a whole spanset: `by(resource.service.name)` = "api" for a
// by() group, `count()` = 3 for an aggregate.
struct SpansetAttribute {
  std::string key;
  Value value;
};

struct Spanset {
  std::vector<uint32_t> spans;  // indices into the trace's SpanBatch, distinct
  std::vector<SpansetAttribute> attributes;
};

// Per-thread evaluation state; reuse one across traces to keep its buffers.
class EvalState {
 public:
  EvalState();
  ~EvalState();
  EvalState(const EvalState&) = delete;
  EvalState& operator=(const EvalState&) = delete;

 private:
  friend class Executor;
  std::unique_ptr<internal::TraceContext> trace_;
};

class Executor {
 public:
  ~Executor();

  // Compiles a search query that traceql::Parse accepted (validated). InvalidArgument for
  // metrics queries; Unimplemented for constructs validation calls unsupported.
  static Result<std::unique_ptr<Executor>> Compile(const traceql::Query& query);

  // Evaluates the query on `trace`, all spans of one trace, and stores the surviving non-empty
  // spansets in `out` (empty: the trace does not match). InvalidArgument when Tempo would fail
  // the query on this trace (a structural operator between several spansets per trace).
  Status Evaluate(const model::SpanBatch& trace, EvalState* state,
                  std::vector<Spanset>* out) const;

  // The attributes Tempo shows with span `span` in a search result: every attribute and
  // intrinsic the query reads (filters, by(), aggregates, select()) that the span has, keyed by
  // attribute name or intrinsic name, except the ones the result shows elsewhere (name,
  // duration, span and trace ids, trace-level root and duration). Requires: the last Evaluate
  // with `state` was on the trace `span` belongs to.
  std::vector<ResultAttribute> SpanAttributes(EvalState* state, uint32_t span) const;

  // The `most_recent=true` hint.
  bool most_recent() const { return most_recent_; }

 private:
  Executor();

  std::unique_ptr<internal::PipelineNode> pipeline_;
  std::vector<traceql::Attribute> shown_;  // SpanAttributes, in query order
  std::vector<std::string> shown_keys_;
  bool needs_tree_ = false;
  bool needs_span_ids_ = false;
  bool needs_link_ids_ = false;
  bool most_recent_ = false;
};

}  // namespace th::query::exec

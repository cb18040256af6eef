#include "query/exec/exec.h"

#include "query/exec/internal/field.h"
#include "query/exec/internal/plan.h"
#include "query/exec/internal/trace_context.h"

namespace th::query::exec {

using traceql::Intrinsic;

EvalState::EvalState() : trace_(std::make_unique<internal::TraceContext>()) {}
EvalState::~EvalState() = default;

Executor::Executor() = default;
Executor::~Executor() = default;

namespace {

// Fields the search result shows elsewhere, which Tempo leaves out of spans[].attributes.
bool ShownElsewhere(Intrinsic i) {
  return i == Intrinsic::kName || i == Intrinsic::kDuration || i == Intrinsic::kTraceDuration ||
         i == Intrinsic::kTraceRootService || i == Intrinsic::kTraceRootName ||
         i == Intrinsic::kTraceId || i == Intrinsic::kSpanId || i == Intrinsic::kParent;
}

// The key Tempo gives an attribute in results: its name, or the intrinsic's name (the legacy
// spelling where there is one, as Tempo's Intrinsic.String() does).
std::string ResultKey(const traceql::Attribute& a) {
  if (!a.IsIntrinsic()) return a.name;
  std::string_view legacy = traceql::IntrinsicLegacyName(a.intrinsic);
  return std::string(legacy.empty() ? traceql::IntrinsicScopedName(a.intrinsic) : legacy);
}

}  // namespace

Result<std::unique_ptr<Executor>> Executor::Compile(const traceql::Query& query) {
  if (query.IsMetrics() || query.pipeline == nullptr) {
    return absl::InvalidArgumentError("a metrics query cannot be run as a search");
  }
  std::unique_ptr<Executor> e(new Executor());
  internal::PlanInfo info;
  ASSIGN_OR_RETURN(e->pipeline_, internal::CompilePipeline(*query.pipeline, &info));
  for (const traceql::Attribute& a : info.reads) {
    if (a.IsIntrinsic() && ShownElsewhere(a.intrinsic)) continue;
    if (a.parent) continue;
    std::string key = ResultKey(a);
    bool seen = false;
    for (const std::string& k : e->shown_keys_) seen = seen || k == key;
    if (seen) continue;
    e->shown_.push_back(a);
    e->shown_keys_.push_back(std::move(key));
  }
  e->needs_tree_ = info.needs.tree;
  e->needs_span_ids_ = info.needs.span_ids;
  e->needs_link_ids_ = info.needs.link_ids;
  for (const traceql::Hint& h : query.hints) {
    if (h.name == "most_recent") {
      e->most_recent_ = h.value.type == traceql::ValueType::kBool && h.value.b;
    }
  }
  return e;
}

Status Executor::Evaluate(const model::SpanBatch& trace, EvalState* state,
                          std::vector<Spanset>* out) const {
  out->clear();
  if (trace.span_count() == 0) return absl::OkStatus();
  internal::TraceNeeds needs;
  needs.tree = needs_tree_;
  needs.span_ids = needs_span_ids_;
  needs.link_ids = needs_link_ids_;
  state->trace_->Reset(trace, needs);
  std::vector<Spanset> input(1);
  input[0].spans.resize(trace.span_count());
  for (uint32_t i = 0; i < input[0].spans.size(); ++i) input[0].spans[i] = i;
  Status st = internal::RunPipeline(*pipeline_, *state->trace_, std::move(input), out);
  if (!st.ok()) {
    out->clear();
    return st;
  }
  return absl::OkStatus();
}

std::vector<ResultAttribute> Executor::SpanAttributes(EvalState* state, uint32_t span) const {
  std::vector<ResultAttribute> out;
  internal::SpanRef ref;
  ref.trace = state->trace_.get();
  ref.span = span;
  for (size_t k = 0; k < shown_.size(); ++k) {
    Value v = internal::Lookup(shown_[k], ref);
    if (v.IsNil()) continue;
    out.emplace_back(shown_keys_[k], ValueJson(v));
  }
  return out;
}

}  // namespace th::query::exec

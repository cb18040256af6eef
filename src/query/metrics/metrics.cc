#include "query/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "common/strings.h"
#include "query/exec/exec.h"
#include "query/exec/pushdown.h"
#include "query/metrics/internal/accumulator.h"
#include "query/metrics/internal/series.h"
#include "query/metrics/internal/span_fields.h"
#include "query/traceql/traceql.h"

namespace th::query::metrics {
namespace {

constexpr uint64_t kMs = 1000000;
constexpr uint64_t kSecond = 1000000000;

// An owned search query around a spanset expression, for exec::Executor::Compile.
std::unique_ptr<traceql::Query> FilterQuery(std::unique_ptr<traceql::SpansetExpr> filter) {
  auto q = std::make_unique<traceql::Query>();
  q->pipeline = std::make_unique<traceql::Pipeline>();
  traceql::Stage stage;
  stage.kind = traceql::Stage::Kind::kSpanset;
  stage.pos = filter->pos;
  stage.spanset = std::move(filter);
  q->pipeline->stages.push_back(std::move(stage));
  return q;
}

}  // namespace

size_t TimeGrid::intervals() const {
  if (instant) return 1;
  if (step_nanos == 0 || end_unix_nano <= start_unix_nano) return 0;
  return static_cast<size_t>((end_unix_nano - start_unix_nano + step_nanos - 1) / step_nanos);
}

int64_t TimeGrid::IntervalOf(uint64_t t) const {
  if (t < start_unix_nano || t >= end_unix_nano || step_nanos == 0) return -1;
  if (instant) return 0;
  return static_cast<int64_t>((t - start_unix_nano) / step_nanos);
}

uint64_t TimeGrid::TimestampMs(size_t i) const {
  return (start_unix_nano + static_cast<uint64_t>(i) * step_nanos) / kMs;
}

uint64_t DefaultStepNanos(uint64_t start, uint64_t end) {
  uint64_t window = end > start ? end - start : 0;
  uint64_t baseline = window / 240;
  auto floor_to = [&](uint64_t unit) { return baseline / unit * unit; };
  if (window < 60 * kSecond) {
    constexpr uint64_t k50ms = 50 * kMs;
    return std::max(k50ms, floor_to(k50ms));
  }
  // Coarse steps snap to the rungs vParquet5's pre-rounded start-time columns are kept at.
  static constexpr uint64_t kRungs[] = {3600 * kSecond, 300 * kSecond, 60 * kSecond,
                                        15 * kSecond,   5 * kSecond,   kSecond};
  for (uint64_t rung : kRungs) {
    if (baseline >= rung) return floor_to(rung);
  }
  return kSecond;
}

struct LeafPlan {
  std::unique_ptr<traceql::Query> pipeline_query;
  std::unique_ptr<exec::Executor> pipeline;
  std::unique_ptr<traceql::Query> compare_query;
  std::unique_ptr<exec::Executor> compare;
  const traceql::MetricsExpr* expr = nullptr;  // aggregate and second stages, in Plan::owned
  std::vector<std::string> by_keys;
};

struct PlanNode {
  traceql::MetricsExpr::Kind kind = traceql::MetricsExpr::Kind::kLeaf;
  size_t leaf = 0;
  double literal = 0;
  traceql::ArithOp op = traceql::ArithOp::kAdd;
  std::unique_ptr<PlanNode> lhs;
  std::unique_ptr<PlanNode> rhs;
};

// The compiled query. `owned` is a private copy of the query (its leaf pipelines moved into
// `leaves`), so the plan points into it without tying its lifetime to the caller's tree.
struct MetricsQuery::Plan {
  std::unique_ptr<traceql::Query> owned;
  std::vector<LeafPlan> leaves;
  std::unique_ptr<PlanNode> root;

  Result<std::unique_ptr<PlanNode>> Build(traceql::MetricsExpr* e) {
    auto node = std::make_unique<PlanNode>();
    node->kind = e->kind;
    switch (e->kind) {
      case traceql::MetricsExpr::Kind::kLiteral:
        node->literal = internal::ThresholdValue(e->value);
        break;
      case traceql::MetricsExpr::Kind::kBinary: {
        node->op = e->op;
        ASSIGN_OR_RETURN(node->lhs, Build(e->lhs.get()));
        ASSIGN_OR_RETURN(node->rhs, Build(e->rhs.get()));
        break;
      }
      case traceql::MetricsExpr::Kind::kLeaf: {
        LeafPlan leaf;
        leaf.expr = e;
        for (const auto& by : e->aggregate->by) leaf.by_keys.push_back(traceql::Print(*by));
        leaf.pipeline_query = std::make_unique<traceql::Query>();
        leaf.pipeline_query->pipeline = std::move(e->pipeline);
        ASSIGN_OR_RETURN(leaf.pipeline, exec::Executor::Compile(*leaf.pipeline_query));
        if (e->aggregate->function == traceql::MetricsFunction::kCompare) {
          leaf.compare_query = FilterQuery(std::move(e->aggregate->compare_filter));
          ASSIGN_OR_RETURN(leaf.compare, exec::Executor::Compile(*leaf.compare_query));
        }
        node->leaf = leaves.size();
        leaves.push_back(std::move(leaf));
        break;
      }
    }
    return node;
  }
};

MetricsQuery::MetricsQuery() = default;
MetricsQuery::~MetricsQuery() = default;

Result<std::unique_ptr<MetricsQuery>> MetricsQuery::Compile(const traceql::Query& query) {
  if (!query.IsMetrics()) {
    return absl::InvalidArgumentError(
        "not a metrics query: add a metrics function such as `| rate()`");
  }
  // A private copy through the printer, whose round trip the TraceQL corpus test guarantees.
  Result<std::unique_ptr<traceql::Query>> copy = traceql::Parse(traceql::Print(query));
  if (!copy.ok()) {
    return absl::InternalError(
        th::StrCat("metrics query does not survive printing: ", Message(copy.status())));
  }
  auto plan = std::make_unique<Plan>();
  plan->owned = std::move(copy).value();
  ASSIGN_OR_RETURN(plan->root, plan->Build(plan->owned->metrics.get()));
  std::unique_ptr<MetricsQuery> q(new MetricsQuery());
  q->plan_ = std::move(plan);
  return q;
}

namespace {

// Per-Run state of one leaf.
struct LeafState {
  exec::EvalState pipeline_state;
  exec::EvalState compare_state;
  std::optional<internal::Accumulator> acc;
};

std::vector<Series> Evaluate(const PlanNode& node, const std::vector<LeafPlan>& leaves,
                             std::vector<LeafState>& states, size_t intervals) {
  switch (node.kind) {
    case traceql::MetricsExpr::Kind::kLeaf: {
      std::vector<Series> out = states[node.leaf].acc->Finish();
      for (const traceql::SecondStage& s : leaves[node.leaf].expr->second_stages) {
        internal::ApplySecondStage(s, &out);
      }
      return out;
    }
    case traceql::MetricsExpr::Kind::kLiteral: {
      Series s;
      s.values.assign(intervals, node.literal);
      return {std::move(s)};
    }
    case traceql::MetricsExpr::Kind::kBinary:
      return internal::Combine(node.op, Evaluate(*node.lhs, leaves, states, intervals),
                               Evaluate(*node.rhs, leaves, states, intervals), intervals);
  }
  return {};
}

}  // namespace

Result<MetricsResult> MetricsQuery::Run(const store::Store& store,
                                        const MetricsRequest& request) const {
  if (request.end_unix_nano <= request.start_unix_nano) {
    return absl::InvalidArgumentError("invalid start and end: end must be after start");
  }
  MetricsResult result;
  TimeGrid& grid = result.grid;
  grid.start_unix_nano = request.start_unix_nano;
  grid.end_unix_nano = request.end_unix_nano;
  grid.instant = request.step_nanos == 0;
  grid.step_nanos =
      grid.instant ? request.end_unix_nano - request.start_unix_nano : request.step_nanos;
  size_t intervals = grid.intervals();
  if (intervals > kMaxIntervals) {
    return absl::InvalidArgumentError(th::StrCat("invalid step: the range would have ", intervals,
                                                 " intervals, more than ", kMaxIntervals,
                                                 "; use a larger step"));
  }

  std::vector<LeafState> states(plan_->leaves.size());
  for (size_t i = 0; i < states.size(); ++i) {
    states[i].acc.emplace(*plan_->leaves[i].expr->aggregate, plan_->leaves[i].by_keys, grid,
                          request.max_series, request.max_exemplars);
  }
  store::ScanRequest scan = request.scan;
  // With one leaf every counted span passed its pipeline's first filter; with several, a trace
  // may feed one leaf and not another, so nothing is certain.
  if (plan_->leaves.size() == 1 && plan_->leaves[0].pipeline_query != nullptr) {
    scan.predicate = exec::ExtractScanPredicate(*plan_->leaves[0].pipeline_query);
  }
  scan.range.start_unix_nano = request.start_unix_nano;
  scan.range.end_unix_nano = request.end_unix_nano - 1;

  internal::TraceFacts facts;
  std::vector<exec::Spanset> spansets;
  std::vector<uint8_t> passed, selected;
  Status failure;
  auto visit = [&](const model::TraceId&, const model::SpanBatch& trace) {
    facts.Reset(trace);
    for (size_t l = 0; l < plan_->leaves.size(); ++l) {
      const LeafPlan& leaf = plan_->leaves[l];
      LeafState& state = states[l];
      spansets.clear();
      failure = leaf.pipeline->Evaluate(trace, &state.pipeline_state, &spansets);
      if (!failure.ok()) return false;
      if (spansets.empty()) continue;
      // A span in several spansets (by() in the pipeline, `||`) still counts once.
      passed.assign(trace.span_count(), 0);
      for (const exec::Spanset& ss : spansets) {
        for (uint32_t s : ss.spans) passed[s] = 1;
      }
      selected.assign(trace.span_count(), 0);
      if (leaf.compare != nullptr) {
        spansets.clear();
        failure = leaf.compare->Evaluate(trace, &state.compare_state, &spansets);
        if (!failure.ok()) return false;
        const traceql::MetricsAggregate& agg = *leaf.expr->aggregate;
        for (const exec::Spanset& ss : spansets) {
          for (uint32_t s : ss.spans) {
            uint64_t t = trace.spans.start_time_unix_nano[s];
            bool windowed = agg.compare_args == 4;
            if (!windowed || (t >= static_cast<uint64_t>(agg.compare_start_ns) &&
                              t < static_cast<uint64_t>(agg.compare_end_ns))) {
              selected[s] = 1;
            }
          }
        }
      }
      for (uint32_t s = 0; s < trace.span_count(); ++s) {
        if (!passed[s]) continue;
        int64_t interval = grid.IntervalOf(trace.spans.start_time_unix_nano[s]);
        if (interval < 0) continue;
        failure =
            state.acc->Observe(trace, s, static_cast<size_t>(interval), selected[s] != 0, &facts);
        if (!failure.ok()) return false;
      }
    }
    return true;
  };
  Status scanned = store.Scan(scan, visit, &result.stats);
  if (!failure.ok()) return failure;
  RETURN_IF_ERROR(scanned);

  result.series = Evaluate(*plan_->root, plan_->leaves, states, intervals);
  for (const traceql::SecondStage& s : plan_->owned->second_stages) {
    internal::ApplySecondStage(s, &result.series);
  }
  internal::Normalize(&result.series);
  return result;
}

}  // namespace th::query::metrics

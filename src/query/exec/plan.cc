#include "query/exec/internal/plan.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "common/strings.h"
#include "query/exec/internal/structural.h"
#include "query/traceql/traceql.h"

namespace th::query::exec::internal {

using traceql::AggregateOp;
using traceql::FieldOp;
using traceql::SpansetExpr;
using traceql::Stage;

namespace {

void CollectReads(const traceql::FieldExpr& e, std::vector<traceql::Attribute>* reads) {
  if (e.kind == traceql::FieldExpr::Kind::kAttribute) reads->push_back(e.attribute);
  if (e.lhs) CollectReads(*e.lhs, reads);
  if (e.rhs) CollectReads(*e.rhs, reads);
}

FieldOp ToFieldOp(traceql::CompareOp op) {
  switch (op) {
    case traceql::CompareOp::kEq: return FieldOp::kEq;
    case traceql::CompareOp::kNeq: return FieldOp::kNeq;
    case traceql::CompareOp::kLt: return FieldOp::kLt;
    case traceql::CompareOp::kLte: return FieldOp::kLte;
    case traceql::CompareOp::kGt: return FieldOp::kGt;
    case traceql::CompareOp::kGte: return FieldOp::kGte;
  }
  return FieldOp::kEq;
}

Result<std::unique_ptr<FieldNode>> Field(const traceql::FieldExpr& e, PlanInfo* info) {
  CollectReads(e, &info->reads);
  return CompileField(e, &info->needs);
}

Status CompileAggregate(const traceql::ScalarExpr& e, PlanInfo* info, AggregateNode* out) {
  if (e.kind != traceql::ScalarExpr::Kind::kAggregate) {
    return absl::UnimplementedError("only an aggregate compared with a value is supported");
  }
  out->op = e.aggregate;
  out->key = StrCat(traceql::AggregateName(e.aggregate), "(",
                    e.argument ? traceql::Print(*e.argument) : std::string(), ")");
  if (e.argument) {
    ASSIGN_OR_RETURN(out->argument, Field(*e.argument, info));
  }
  return absl::OkStatus();
}

Result<std::unique_ptr<SpansetNode>> CompileSpanset(const SpansetExpr& e, PlanInfo* info) {
  auto node = std::make_unique<SpansetNode>();
  node->kind = e.kind;
  switch (e.kind) {
    case SpansetExpr::Kind::kFilter: {
      ASSIGN_OR_RETURN(node->filter, Field(*e.filter, info));
      break;
    }
    case SpansetExpr::Kind::kOperation: {
      node->op = e.op;
      if (IsStructural(e.op)) info->needs.tree = true;
      ASSIGN_OR_RETURN(node->lhs, CompileSpanset(*e.lhs, info));
      ASSIGN_OR_RETURN(node->rhs, CompileSpanset(*e.rhs, info));
      break;
    }
    case SpansetExpr::Kind::kPipeline: {
      ASSIGN_OR_RETURN(node->pipeline, CompilePipeline(*e.pipeline, info));
      break;
    }
  }
  return node;
}

}  // namespace

Result<std::unique_ptr<PipelineNode>> CompilePipeline(const traceql::Pipeline& pipeline,
                                                      PlanInfo* info) {
  auto node = std::make_unique<PipelineNode>();
  for (const Stage& s : pipeline.stages) {
    StageNode stage;
    stage.kind = s.kind;
    switch (s.kind) {
      case Stage::Kind::kSpanset: {
        ASSIGN_OR_RETURN(stage.spanset, CompileSpanset(*s.spanset, info));
        break;
      }
      case Stage::Kind::kScalarFilter: {
        const traceql::ScalarFilter& f = *s.scalar_filter;
        if (f.rhs->kind != traceql::ScalarExpr::Kind::kLiteral) {
          return absl::UnimplementedError(
              "comparing an aggregate with an aggregate or with arithmetic is not supported");
        }
        RETURN_IF_ERROR(CompileAggregate(*f.lhs, info, &stage.aggregate));
        stage.compare = ToFieldOp(f.op);
        stage.threshold = FromLiteral(f.rhs->value);
        if (stage.threshold.kind == ValueKind::kString) {
          return absl::InvalidArgumentError("an aggregate cannot be compared with a string");
        }
        break;
      }
      case Stage::Kind::kAggregate:
        RETURN_IF_ERROR(CompileAggregate(*s.aggregate, info, &stage.aggregate));
        break;
      case Stage::Kind::kGroupBy: {
        ASSIGN_OR_RETURN(stage.group_by, Field(*s.group_by, info));
        stage.group_key = StrCat("by(", traceql::Print(*s.group_by), ")");
        break;
      }
      case Stage::Kind::kCoalesce: break;
      case Stage::Kind::kSelect:
        for (const auto& a : s.select) {
          ASSIGN_OR_RETURN(auto unused, Field(*a, info));  // compiled for what it needs
          (void)unused;
        }
        break;
    }
    node->stages.push_back(std::move(stage));
  }
  return node;
}

namespace {

void SetAttribute(Spanset* ss, const std::string& key, const Value& value) {
  for (SpansetAttribute& a : ss->attributes) {
    if (a.key == key) {
      a.value = value;
      return;
    }
  }
  ss->attributes.push_back({key, value});
}

// Adds numbers the way Tempo's aggregates do: ints stay ints and durations durations; mixing
// kinds falls back to float.
Value Add(const Value& a, const Value& b) {
  if (a.kind == b.kind && (a.kind == ValueKind::kInt || a.kind == ValueKind::kDuration)) {
    Value r = a;
    r.i = static_cast<int64_t>(static_cast<uint64_t>(a.i) + static_cast<uint64_t>(b.i));
    return r;
  }
  return Value::Float(a.AsDouble() + b.AsDouble());
}

// The aggregate over `spans`, or nil when no span has a numeric value for it.
Value ComputeAggregate(const AggregateNode& a, TraceContext& trace,
                       const std::vector<uint32_t>& spans) {
  if (a.op == AggregateOp::kCount) return Value::Int(static_cast<int64_t>(spans.size()));
  Value acc;
  int64_t n = 0;
  SpanRef ref;
  ref.trace = &trace;
  for (uint32_t s : spans) {
    ref.span = s;
    Value v = Evaluate(*a.argument, ref);
    if (!v.IsNumeric()) continue;
    if (n++ == 0) {
      acc = v;
      continue;
    }
    switch (a.op) {
      case AggregateOp::kMin:
        if (CompareScalars(FieldOp::kLt, v, acc, nullptr)) acc = v;
        break;
      case AggregateOp::kMax:
        if (CompareScalars(FieldOp::kGt, v, acc, nullptr)) acc = v;
        break;
      default: acc = Add(acc, v); break;
    }
  }
  if (n == 0 || a.op != AggregateOp::kAvg) return acc;
  // Tempo divides durations as durations (truncating) and everything else as floats.
  if (acc.kind == ValueKind::kDuration) return Value::Duration(acc.i / n);
  return Value::Float(acc.AsDouble() / static_cast<double>(n));
}

// A byte string identifying a value's kind and payload, for grouping.
std::string GroupKey(const Value& v) {
  std::string key(1, static_cast<char>(v.kind));
  switch (v.kind) {
    case ValueKind::kBool: key.push_back(v.b ? '1' : '0'); break;
    case ValueKind::kInt:
    case ValueKind::kDuration:
    case ValueKind::kStatus:
    case ValueKind::kKind: key.append(reinterpret_cast<const char*>(&v.i), sizeof(v.i)); break;
    case ValueKind::kFloat: key.append(reinterpret_cast<const char*>(&v.f), sizeof(v.f)); break;
    case ValueKind::kString: key.append(v.s); break;
    case ValueKind::kArray:
    case ValueKind::kOther: key.append(ValueJson(v)); break;
    case ValueKind::kNil: break;
  }
  return key;
}

void GroupBy(const StageNode& stage, TraceContext& trace, const std::vector<Spanset>& input,
             std::vector<Spanset>* out) {
  SpanRef ref;
  ref.trace = &trace;
  for (const Spanset& ss : input) {
    absl::flat_hash_map<std::string, size_t> groups;  // group key -> index in `out`
    for (uint32_t s : ss.spans) {
      ref.span = s;
      Value v = Evaluate(*stage.group_by, ref);
      auto [it, inserted] = groups.try_emplace(GroupKey(v), out->size());
      if (inserted) {
        Spanset group;
        group.attributes = ss.attributes;
        SetAttribute(&group, stage.group_key, v);
        out->push_back(std::move(group));
      }
      (*out)[it->second].spans.push_back(s);
    }
  }
}

std::vector<uint32_t> UnionOfSpans(const std::vector<Spanset>& a, const std::vector<Spanset>& b) {
  std::vector<uint32_t> out;
  for (const auto* side : {&a, &b}) {
    for (const Spanset& ss : *side) out.insert(out.end(), ss.spans.begin(), ss.spans.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status EvalSpanset(const SpansetNode& node, TraceContext& trace, const std::vector<Spanset>& input,
                   std::vector<Spanset>* out) {
  switch (node.kind) {
    case SpansetExpr::Kind::kFilter: {
      SpanRef ref;
      ref.trace = &trace;
      for (const Spanset& ss : input) {
        Spanset kept;
        for (uint32_t s : ss.spans) {
          ref.span = s;
          if (EvaluateBool(*node.filter, ref) == true) kept.spans.push_back(s);
        }
        if (kept.spans.empty()) continue;
        kept.attributes = ss.attributes;
        out->push_back(std::move(kept));
      }
      return absl::OkStatus();
    }
    case SpansetExpr::Kind::kPipeline: return RunPipeline(*node.pipeline, trace, input, out);
    case SpansetExpr::Kind::kOperation: break;
  }
  for (const Spanset& ss : input) {
    std::vector<Spanset> one = {ss}, lhs, rhs;
    RETURN_IF_ERROR(EvalSpanset(*node.lhs, trace, one, &lhs));
    RETURN_IF_ERROR(EvalSpanset(*node.rhs, trace, one, &rhs));
    Spanset result;
    if (node.op == traceql::SpansetOp::kAnd || node.op == traceql::SpansetOp::kUnion) {
      bool keep = node.op == traceql::SpansetOp::kAnd ? !lhs.empty() && !rhs.empty()
                                                      : !lhs.empty() || !rhs.empty();
      if (keep) result.spans = UnionOfSpans(lhs, rhs);
    } else {
      if (lhs.size() > 1 || rhs.size() > 1) {
        return absl::InvalidArgumentError(
            "spanset operators are not supported for multiple spansets per trace. consider "
            "using coalesce()");
      }
      if (!rhs.empty()) {
        static const std::vector<uint32_t> kNoSpans;
        result.spans = Structural(node.op, trace, lhs.empty() ? kNoSpans : lhs[0].spans,
                                  rhs[0].spans);
      }
    }
    if (result.spans.empty()) continue;
    result.attributes = ss.attributes;
    out->push_back(std::move(result));
  }
  return absl::OkStatus();
}

Status RunStage(const StageNode& stage, TraceContext& trace, std::vector<Spanset>& input,
                std::vector<Spanset>* out) {
  switch (stage.kind) {
    case Stage::Kind::kSpanset: return EvalSpanset(*stage.spanset, trace, input, out);
    case Stage::Kind::kScalarFilter:
    case Stage::Kind::kAggregate:
      for (Spanset& ss : input) {
        Value v = ComputeAggregate(stage.aggregate, trace, ss.spans);
        if (v.IsNil()) continue;
        if (stage.kind == Stage::Kind::kScalarFilter &&
            !CompareScalars(stage.compare, v, stage.threshold, nullptr)) {
          continue;
        }
        SetAttribute(&ss, stage.aggregate.key, v);
        out->push_back(std::move(ss));
      }
      return absl::OkStatus();
    case Stage::Kind::kGroupBy: GroupBy(stage, trace, input, out); return absl::OkStatus();
    case Stage::Kind::kCoalesce: {
      Spanset merged;
      for (const Spanset& ss : input) {
        merged.spans.insert(merged.spans.end(), ss.spans.begin(), ss.spans.end());
      }
      std::sort(merged.spans.begin(), merged.spans.end());
      merged.spans.erase(std::unique(merged.spans.begin(), merged.spans.end()),
                         merged.spans.end());
      if (!merged.spans.empty()) out->push_back(std::move(merged));
      return absl::OkStatus();
    }
    case Stage::Kind::kSelect: *out = std::move(input); return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace

Status RunPipeline(const PipelineNode& pipeline, TraceContext& trace, std::vector<Spanset> input,
                   std::vector<Spanset>* out) {
  for (const StageNode& stage : pipeline.stages) {
    if (input.empty()) break;
    std::vector<Spanset> next;
    RETURN_IF_ERROR(RunStage(stage, trace, input, &next));
    input = std::move(next);
  }
  for (Spanset& ss : input) out->push_back(std::move(ss));
  return absl::OkStatus();
}

}  // namespace th::query::exec::internal

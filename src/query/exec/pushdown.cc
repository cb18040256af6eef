#include "query/exec/pushdown.h"

#include <algorithm>

namespace th::query::exec {
namespace {

using traceql::FieldExpr;
using traceql::FieldOp;
using traceql::Intrinsic;
using traceql::ValueType;

// OTLP Status.code for TraceQL's status literals.
uint32_t OtlpStatusCode(int64_t status) {
  switch (static_cast<traceql::StatusValue>(status)) {
    case traceql::StatusValue::kUnset:
      return 0;
    case traceql::StatusValue::kOk:
      return 1;
    case traceql::StatusValue::kError:
      return 2;
  }
  return 0;
}

// `a op b` written as `b op' a`.
FieldOp Mirror(FieldOp op) {
  switch (op) {
    case FieldOp::kLt:
      return FieldOp::kGt;
    case FieldOp::kLte:
      return FieldOp::kGte;
    case FieldOp::kGt:
      return FieldOp::kLt;
    case FieldOp::kGte:
      return FieldOp::kLte;
    default:
      return op;
  }
}

// Adds what the comparison `attr op literal` says about a matching span; ignores the rest.
void AddComparison(const traceql::Attribute& attr, FieldOp op, const traceql::Value& v,
                   store::ScanPredicate* p) {
  if (attr.parent) return;
  if (!attr.IsIntrinsic()) {
    if (op != FieldOp::kEq) return;
    if (attr.scope == traceql::Scope::kResource && v.type == ValueType::kString) {
      p->resource_equals.emplace_back(attr.name, v.s);
      return;
    }
    using Eq = store::AttributeEquals;
    Eq e;
    switch (attr.scope) {
      case traceql::Scope::kSpan: e.scope = Eq::Scope::kSpan; break;
      case traceql::Scope::kResource: e.scope = Eq::Scope::kResource; break;
      case traceql::Scope::kNone: e.scope = Eq::Scope::kAny; break;
      default: return;  // events, links, instrumentation scope, trace: not pushed down
    }
    switch (v.type) {
      case ValueType::kString: e.type = Eq::Type::kString; e.string_value = v.s; break;
      case ValueType::kInt: e.type = Eq::Type::kInt; e.int_value = v.i; break;
      case ValueType::kFloat: e.type = Eq::Type::kDouble; e.double_value = v.f; break;
      case ValueType::kBool: e.type = Eq::Type::kBool; e.bool_value = v.b; break;
      default: return;  // durations, status and kind literals against attributes: the engine's
    }
    e.key = attr.name;
    p->attribute_equals.push_back(std::move(e));
    return;
  }
  switch (attr.intrinsic) {
    case Intrinsic::kName:
      if (op == FieldOp::kEq && v.type == ValueType::kString && !p->name_equals) p->name_equals = v.s;
      return;
    case Intrinsic::kStatus:
      if (op == FieldOp::kEq && v.type == ValueType::kStatus && !p->status_code_equals) {
        p->status_code_equals = OtlpStatusCode(v.i);
      }
      return;
    case Intrinsic::kKind:
      // KindValue's ordinals are OTLP's SpanKind numbers.
      if (op == FieldOp::kEq && v.type == ValueType::kKind && !p->kind_equals) {
        p->kind_equals = static_cast<uint32_t>(v.i);
      }
      return;
    case Intrinsic::kDuration:
      if (v.type != ValueType::kDuration) return;
      switch (op) {
        case FieldOp::kEq:
          p->min_duration = std::max(p->min_duration, v.i);
          p->max_duration = std::min(p->max_duration, v.i);
          return;
        case FieldOp::kGt:
          if (v.i < INT64_MAX) p->min_duration = std::max(p->min_duration, v.i + 1);
          return;
        case FieldOp::kGte:
          p->min_duration = std::max(p->min_duration, v.i);
          return;
        case FieldOp::kLt:
          if (v.i > INT64_MIN) p->max_duration = std::min(p->max_duration, v.i - 1);
          return;
        case FieldOp::kLte:
          p->max_duration = std::min(p->max_duration, v.i);
          return;
        default:
          return;
      }
    default:
      return;
  }
}

// Walks the AND-ed comparisons at the top of a filter.
void Collect(const FieldExpr& e, store::ScanPredicate* p) {
  if (e.kind != FieldExpr::Kind::kBinary || e.lhs == nullptr || e.rhs == nullptr) return;
  if (e.op == FieldOp::kAnd) {
    Collect(*e.lhs, p);
    Collect(*e.rhs, p);
    return;
  }
  if (!traceql::IsComparison(e.op)) return;
  if (e.lhs->kind == FieldExpr::Kind::kAttribute && e.rhs->kind == FieldExpr::Kind::kLiteral) {
    AddComparison(e.lhs->attribute, e.op, e.rhs->value, p);
  } else if (e.rhs->kind == FieldExpr::Kind::kAttribute &&
             e.lhs->kind == FieldExpr::Kind::kLiteral) {
    AddComparison(e.rhs->attribute, Mirror(e.op), e.lhs->value, p);
  }
}

}  // namespace

store::ScanPredicate ExtractScanPredicate(const traceql::Pipeline& pipeline) {
  store::ScanPredicate p;
  if (pipeline.stages.empty()) return p;
  const traceql::Stage& first = pipeline.stages.front();
  if (first.kind != traceql::Stage::Kind::kSpanset || first.spanset == nullptr ||
      first.spanset->kind != traceql::SpansetExpr::Kind::kFilter || first.spanset->filter == nullptr) {
    return p;
  }
  Collect(*first.spanset->filter, &p);
  return p;
}

store::ScanPredicate ExtractScanPredicate(const traceql::Query& query) {
  if (query.pipeline != nullptr) return ExtractScanPredicate(*query.pipeline);
  if (query.metrics != nullptr && query.metrics->kind == traceql::MetricsExpr::Kind::kLeaf &&
      query.metrics->pipeline != nullptr) {
    return ExtractScanPredicate(*query.metrics->pipeline);
  }
  return {};
}

}  // namespace th::query::exec

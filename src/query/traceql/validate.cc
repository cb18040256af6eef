// Semantic validation: what Tempo's ast_validate.go rejects after a successful parse, split into
// validation errors (the query is wrong) and "unsupported" (the query is fine, the feature is not
// implemented by Tempo and so not by us). Children are checked before their parent, left to
// right, so the first error reported is the leftmost innermost one.
#include <string>

#include "common/strings.h"
#include "query/traceql/traceql.h"
#include "re2/re2.h"

namespace th::query::traceql {
namespace {

using Kind = ParseError::Kind;

bool MatchingOperands(ValueType l, ValueType r) {
  if (l == ValueType::kAttribute || r == ValueType::kAttribute) return true;
  if (IsNumericType(l) && IsNumericType(r)) return true;
  return l == r;
}

bool OpValidFor(FieldOp op, ValueType t) {
  switch (t) {
    case ValueType::kAttribute: return true;
    case ValueType::kBool:
      return op == FieldOp::kAnd || op == FieldOp::kOr || op == FieldOp::kEq ||
             op == FieldOp::kNeq;
    case ValueType::kInt: case ValueType::kFloat: case ValueType::kDuration:
      return IsArithmetic(op) || (IsComparison(op) && op != FieldOp::kRegex &&
                                  op != FieldOp::kNotRegex);
    case ValueType::kString:
      return IsComparison(op);  // ordering compares strings lexicographically
    case ValueType::kNil: case ValueType::kStatus: case ValueType::kKind:
      return op == FieldOp::kEq || op == FieldOp::kNeq;
  }
  return false;
}

bool IsZeroLiteral(const FieldExpr& e) {
  if (e.kind != FieldExpr::Kind::kLiteral) return false;
  const Value& v = e.value;
  return (v.type == ValueType::kFloat && v.f == 0) ||
         ((v.type == ValueType::kInt || v.type == ValueType::kDuration) && v.i == 0);
}

bool ReferencesSpan(const FieldExpr& e) {
  if (e.kind == FieldExpr::Kind::kAttribute) return true;
  return (e.lhs && ReferencesSpan(*e.lhs)) || (e.rhs && ReferencesSpan(*e.rhs));
}

// The type of a scalar expression, as Tempo infers it for operand matching.
ValueType ScalarType(const ScalarExpr& e) {
  switch (e.kind) {
    case ScalarExpr::Kind::kAggregate:
      if (e.aggregate == AggregateOp::kCount) return ValueType::kInt;
      return e.argument ? e.argument->type : ValueType::kAttribute;
    case ScalarExpr::Kind::kLiteral: return e.value.type;
    case ScalarExpr::Kind::kPipeline: {
      const Stage& last = e.pipeline->stages.back();
      return last.aggregate ? ScalarType(*last.aggregate) : ValueType::kAttribute;
    }
    case ScalarExpr::Kind::kBinary: {
      ValueType l = ScalarType(*e.lhs);
      return l == ValueType::kAttribute ? ScalarType(*e.rhs) : l;
    }
  }
  return ValueType::kAttribute;
}

class Validator {
 public:
  explicit Validator(ParseError* error) : error_(error) {}

  bool Query(const traceql::Query& q) {
    if (q.pipeline && !Pipeline(*q.pipeline)) return false;
    if (q.metrics) {
      if (!Metrics(*q.metrics)) return false;
      if (q.metrics->kind == MetricsExpr::Kind::kBinary && !q.second_stages.empty()) {
        if (HasCompare(*q.metrics)) {
          return Fail(Kind::kValidation, q.second_stages[0].pos,
                      "compare() cannot be combined with topk, bottomk, comparisons or arithmetic");
        }
      }
      if (!SecondStages(q.second_stages)) return false;
    }
    return true;
  }

 private:
  bool Fail(Kind kind, Position at, std::string message) {
    error_->kind = kind;
    error_->line = at.line;
    error_->column = at.column;
    error_->message = std::move(message);
    return false;
  }

  bool Attribute(const FieldExpr& e) {
    const traceql::Attribute& a = e.attribute;
    if (a.parent) return Fail(Kind::kUnsupported, e.pos, "the parent. scope is not supported");
    if (a.intrinsic == Intrinsic::kParent) {
      return Fail(Kind::kUnsupported, e.pos, "the parent intrinsic is not supported");
    }
    return true;
  }

  bool Field(const FieldExpr& e) {
    switch (e.kind) {
      case FieldExpr::Kind::kLiteral: return true;
      case FieldExpr::Kind::kAttribute: return Attribute(e);
      case FieldExpr::Kind::kUnary: return Unary(e);
      case FieldExpr::Kind::kBinary: return Binary(e);
    }
    return true;
  }

  bool Unary(const FieldExpr& e) {
    if (!Field(*e.lhs)) return false;
    ValueType t = e.lhs->type;
    switch (e.op) {
      case FieldOp::kNeg:
        if (t != ValueType::kAttribute && !IsNumericType(t)) {
          return Fail(Kind::kValidation, e.pos,
                      StrCat("unary `-` needs a number, not a ", ValueTypeName(t)));
        }
        return true;
      case FieldOp::kNot:
        if (t != ValueType::kAttribute && t != ValueType::kBool) {
          return Fail(Kind::kValidation, e.pos,
                      StrCat("`!` needs a boolean, not a ", ValueTypeName(t)));
        }
        return true;
      default: {  // kExists, kNotExists
        const FieldExpr& x = *e.lhs;
        if (x.kind != FieldExpr::Kind::kAttribute || x.attribute.IsIntrinsic()) {
          return Fail(Kind::kValidation, e.pos,
                      "only attributes can be compared with nil (not intrinsics or values)");
        }
        if (x.attribute.scope == Scope::kResource && x.attribute.name == "service.name") {
          return Fail(Kind::kValidation, e.pos,
                      "resource.service.name is always present and cannot be compared with nil");
        }
        return true;
      }
    }
  }

  bool Binary(const FieldExpr& e) {
    if (!Field(*e.lhs) || !Field(*e.rhs)) return false;
    ValueType l = e.lhs->type, r = e.rhs->type;
    std::string_view sym = FieldOpSymbol(e.op);
    if (!MatchingOperands(l, r)) {
      return Fail(Kind::kValidation, e.pos,
                  StrCat("`", sym, "` cannot compare or combine a ", ValueTypeName(l), " with a ",
                         ValueTypeName(r)));
    }
    if (!OpValidFor(e.op, l) || !OpValidFor(e.op, r)) {
      ValueType bad = OpValidFor(e.op, l) ? r : l;
      return Fail(Kind::kValidation, e.pos,
                  StrCat("`", sym, "` is not defined for a ", ValueTypeName(bad)));
    }
    if ((e.op == FieldOp::kDiv || e.op == FieldOp::kMod) && IsZeroLiteral(*e.rhs)) {
      return Fail(Kind::kValidation, e.pos, "division by zero");
    }
    if (e.op == FieldOp::kRegex || e.op == FieldOp::kNotRegex) {
      const FieldExpr* pattern = e.rhs->kind == FieldExpr::Kind::kLiteral ? e.rhs.get()
                                 : e.lhs->kind == FieldExpr::Kind::kLiteral ? e.lhs.get()
                                                                            : nullptr;
      if (pattern != nullptr && pattern->value.type == ValueType::kString) {
        RE2 re(pattern->value.s, RE2::Quiet);
        if (!re.ok()) {
          return Fail(Kind::kValidation, pattern->pos,
                      StrCat("invalid regular expression: ", re.error()));
        }
      }
    }
    return true;
  }

  bool SpansetFilter(const FieldExpr& f) {
    if (!Field(f)) return false;
    if (f.type != ValueType::kBool && f.type != ValueType::kAttribute) {
      return Fail(Kind::kValidation, f.pos,
                  StrCat("a spanset filter must be a boolean expression, not a ",
                         ValueTypeName(f.type)));
    }
    return true;
  }

  bool Spanset(const SpansetExpr& e) {
    switch (e.kind) {
      case SpansetExpr::Kind::kFilter: return SpansetFilter(*e.filter);
      case SpansetExpr::Kind::kPipeline: return Pipeline(*e.pipeline);
      case SpansetExpr::Kind::kOperation: return Spanset(*e.lhs) && Spanset(*e.rhs);
    }
    return true;
  }

  bool Aggregate(const ScalarExpr& e) {
    if (!e.argument) return true;  // count()
    if (!Field(*e.argument)) return false;
    ValueType t = e.argument->type;
    if (t != ValueType::kAttribute && !IsNumericType(t)) {
      return Fail(Kind::kValidation, e.pos,
                  StrCat(AggregateName(e.aggregate), "() needs a numeric argument, not a ",
                         ValueTypeName(t)));
    }
    if (!ReferencesSpan(*e.argument)) {
      return Fail(Kind::kValidation, e.pos,
                  StrCat(AggregateName(e.aggregate), "() must refer to an attribute or intrinsic"));
    }
    return true;
  }

  bool Scalar(const ScalarExpr& e) {
    switch (e.kind) {
      case ScalarExpr::Kind::kAggregate: return Aggregate(e);
      case ScalarExpr::Kind::kLiteral: return true;
      case ScalarExpr::Kind::kPipeline: return Pipeline(*e.pipeline);
      case ScalarExpr::Kind::kBinary: {
        if (!Scalar(*e.lhs) || !Scalar(*e.rhs)) return false;
        ValueType l = ScalarType(*e.lhs), r = ScalarType(*e.rhs);
        if (!MatchingOperands(l, r) || (l != ValueType::kAttribute && !IsNumericType(l)) ||
            (r != ValueType::kAttribute && !IsNumericType(r))) {
          return Fail(Kind::kValidation, e.pos,
                      StrCat("`", ArithSymbol(e.op), "` cannot combine a ", ValueTypeName(l),
                             " with a ", ValueTypeName(r)));
        }
        return true;
      }
    }
    return true;
  }

  bool ScalarFilter(const traceql::ScalarFilter& f) {
    if (!Scalar(*f.lhs) || !Scalar(*f.rhs)) return false;
    ValueType l = ScalarType(*f.lhs), r = ScalarType(*f.rhs);
    if (!MatchingOperands(l, r) || (r != ValueType::kAttribute && !IsNumericType(r))) {
      return Fail(Kind::kValidation, f.pos,
                  StrCat("`", CompareSymbol(f.op), "` cannot compare a ", ValueTypeName(l),
                         " with a ", ValueTypeName(r)));
    }
    if (f.lhs->kind != ScalarExpr::Kind::kAggregate) {
      return Fail(Kind::kUnsupported, f.pos,
                  "only an aggregate compared with a value (count() > 2) is supported");
    }
    if (f.rhs->kind != ScalarExpr::Kind::kLiteral) {
      return Fail(Kind::kUnsupported, f.pos,
                  "comparing an aggregate with an aggregate or with arithmetic is not supported");
    }
    return true;
  }

  bool Pipeline(const traceql::Pipeline& p) {
    for (const Stage& s : p.stages) {
      switch (s.kind) {
        case Stage::Kind::kSpanset:
          if (!Spanset(*s.spanset)) return false;
          break;
        case Stage::Kind::kScalarFilter:
          if (!ScalarFilter(*s.scalar_filter)) return false;
          break;
        case Stage::Kind::kGroupBy:
          if (!Field(*s.group_by)) return false;
          if (!ReferencesSpan(*s.group_by)) {
            return Fail(Kind::kValidation, s.group_by->pos,
                        "by() must refer to an attribute or intrinsic");
          }
          break;
        case Stage::Kind::kCoalesce: break;
        case Stage::Kind::kSelect:
          for (const auto& a : s.select) {
            if (!Field(*a)) return false;
          }
          break;
        case Stage::Kind::kAggregate:
          if (!Aggregate(*s.aggregate)) return false;
          break;
      }
    }
    return true;
  }

  static bool HasCompare(const MetricsExpr& e) {
    if (e.kind == MetricsExpr::Kind::kLeaf) {
      return e.aggregate->function == MetricsFunction::kCompare;
    }
    return e.kind == MetricsExpr::Kind::kBinary && (HasCompare(*e.lhs) || HasCompare(*e.rhs));
  }

  bool MetricsAggregate(const traceql::MetricsAggregate& m) {
    std::string_view name = MetricsFunctionName(m.function);
    if (m.attribute) {
      if (!Field(*m.attribute)) return false;
      ValueType t = m.attribute->type;
      if (t != ValueType::kAttribute && !IsNumericType(t)) {
        return Fail(Kind::kValidation, m.attribute->pos,
                    StrCat(name, "() needs a numeric attribute, not a ", ValueTypeName(t)));
      }
    }
    for (double q : m.quantiles) {
      if (!(q >= 0 && q <= 1)) {
        return Fail(Kind::kValidation, m.pos, "quantiles must be between 0 and 1");
      }
    }
    for (const auto& a : m.by) {
      if (!Field(*a)) return false;
    }
    if (m.compare_filter) {
      if (!Spanset(*m.compare_filter)) return false;
      if (m.compare_top_n <= 0) {
        return Fail(Kind::kValidation, m.pos, "compare() needs a positive number of values");
      }
    }
    return true;
  }

  bool SecondStages(const std::vector<SecondStage>& stages) {
    for (const SecondStage& s : stages) {
      if ((s.kind == SecondStage::Kind::kTopK || s.kind == SecondStage::Kind::kBottomK) &&
          s.limit <= 0) {
        return Fail(Kind::kValidation, s.pos,
                    StrCat(s.kind == SecondStage::Kind::kTopK ? "topk" : "bottomk",
                           "() needs a limit of at least 1"));
      }
      if (s.kind == SecondStage::Kind::kFilter && !s.threshold.IsNumeric()) {
        return Fail(Kind::kValidation, s.pos,
                    StrCat("a series can only be compared with a number, not a ",
                           ValueTypeName(s.threshold.type)));
      }
    }
    return true;
  }

  bool Metrics(const MetricsExpr& e) {
    switch (e.kind) {
      case MetricsExpr::Kind::kLeaf:
        if (!Pipeline(*e.pipeline) || !MetricsAggregate(*e.aggregate)) return false;
        if (e.aggregate->function == MetricsFunction::kCompare && !e.second_stages.empty()) {
          return Fail(Kind::kValidation, e.second_stages[0].pos,
                      "compare() cannot be combined with topk, bottomk, comparisons or "
                      "arithmetic");
        }
        return SecondStages(e.second_stages);
      case MetricsExpr::Kind::kLiteral:
        if (e.value.type != ValueType::kInt && e.value.type != ValueType::kFloat) {
          return Fail(Kind::kValidation, e.pos,
                      StrCat("metrics arithmetic needs plain numbers, not a ",
                             ValueTypeName(e.value.type)));
        }
        return true;
      case MetricsExpr::Kind::kBinary:
        if (!Metrics(*e.lhs) || !Metrics(*e.rhs)) return false;
        if (e.op == ArithOp::kMod || e.op == ArithOp::kPow) {
          return Fail(Kind::kValidation, e.pos,
                      StrCat("`", ArithSymbol(e.op), "` is not supported between metrics"));
        }
        if (HasCompare(e)) {
          return Fail(Kind::kValidation, e.pos,
                      "compare() cannot be combined with topk, bottomk, comparisons or "
                      "arithmetic");
        }
        return true;
    }
    return true;
  }

  ParseError* error_;
};

}  // namespace

Status Validate(const Query& query, ParseError* error) {
  ParseError local;
  ParseError* e = error ? error : &local;
  if (Validator(e).Query(query)) return absl::OkStatus();
  return e->ToStatus();
}

}  // namespace th::query::traceql

// Construction of FieldExpr nodes: static types and constant folding.
#include <cmath>
#include <limits>

#include "query/traceql/internal/syntax.h"

namespace th::query::traceql::internal {
namespace {

// The type Tempo's validation assumes for arithmetic: an attribute takes the other side's type,
// durations win over floats, floats over ints.
ValueType ArithmeticType(ValueType l, ValueType r) {
  if (l == ValueType::kAttribute) return r == ValueType::kAttribute || IsNumericType(r) ? r : l;
  if (r == ValueType::kAttribute) return l;
  if (IsNumericType(l) && IsNumericType(r)) {
    if (l == ValueType::kDuration || r == ValueType::kDuration) return ValueType::kDuration;
    if (l == ValueType::kFloat || r == ValueType::kFloat) return ValueType::kFloat;
    return ValueType::kInt;
  }
  return l;
}

// Folds `l op r` for int and float literals. Leaves alone anything whose result Go and C++ might
// disagree on or that validation must see: overflow, division by zero, non-finite results, `^`,
// and durations.
bool Fold(FieldOp op, const Value& l, const Value& r, Value* out) {
  using T = ValueType;
  if (op == FieldOp::kPow) return false;
  if (l.type == T::kInt && r.type == T::kInt) {
    int64_t v = 0;
    switch (op) {
      case FieldOp::kAdd:
        if (__builtin_add_overflow(l.i, r.i, &v)) return false;
        break;
      case FieldOp::kSub:
        if (__builtin_sub_overflow(l.i, r.i, &v)) return false;
        break;
      case FieldOp::kMul:
        if (__builtin_mul_overflow(l.i, r.i, &v)) return false;
        break;
      case FieldOp::kDiv:
      case FieldOp::kMod:
        if (r.i == 0 || (r.i == -1 && l.i == std::numeric_limits<int64_t>::min())) return false;
        v = op == FieldOp::kDiv ? l.i / r.i : l.i % r.i;  // truncates, as Go does
        break;
      default:
        return false;
    }
    *out = Value::Int(v);
    return true;
  }
  bool lnum = l.type == T::kInt || l.type == T::kFloat;
  bool rnum = r.type == T::kInt || r.type == T::kFloat;
  if (!lnum || !rnum) return false;
  double a = l.AsDouble(), b = r.AsDouble(), v = 0;
  switch (op) {
    case FieldOp::kAdd: v = a + b; break;
    case FieldOp::kSub: v = a - b; break;
    case FieldOp::kMul: v = a * b; break;
    case FieldOp::kDiv:
      if (b == 0) return false;
      v = a / b;
      break;
    case FieldOp::kMod:
      if (b == 0) return false;
      v = std::fmod(a, b);
      break;
    default:
      return false;
  }
  if (!std::isfinite(v)) return false;
  *out = Value::Float(v);
  return true;
}

bool IsNilLiteral(const FieldExpr& e) {
  return e.kind == FieldExpr::Kind::kLiteral && e.value.type == ValueType::kNil;
}

}  // namespace

std::unique_ptr<FieldExpr> MakeLiteral(Value v, Position pos) {
  auto e = std::make_unique<FieldExpr>();
  e->kind = FieldExpr::Kind::kLiteral;
  e->pos = pos;
  e->type = v.type;
  e->value = std::move(v);
  return e;
}

std::unique_ptr<FieldExpr> MakeAttribute(Attribute a, Position pos) {
  auto e = std::make_unique<FieldExpr>();
  e->kind = FieldExpr::Kind::kAttribute;
  e->pos = pos;
  e->type = IntrinsicType(a.intrinsic);
  e->attribute = std::move(a);
  return e;
}

std::unique_ptr<FieldExpr> MakeUnary(FieldOp op, Position pos, std::unique_ptr<FieldExpr> operand) {
  if (op == FieldOp::kNeg && operand->kind == FieldExpr::Kind::kLiteral) {
    const Value& v = operand->value;
    if (v.type == ValueType::kFloat) return MakeLiteral(Value::Float(-v.f), pos);
    if ((v.type == ValueType::kInt || v.type == ValueType::kDuration) &&
        v.i != std::numeric_limits<int64_t>::min()) {
      Value n = v;
      n.i = -v.i;
      return MakeLiteral(std::move(n), pos);
    }
  }
  auto e = std::make_unique<FieldExpr>();
  e->kind = FieldExpr::Kind::kUnary;
  e->pos = pos;
  e->op = op;
  e->type = op == FieldOp::kNeg ? operand->type : ValueType::kBool;
  e->lhs = std::move(operand);
  return e;
}

std::unique_ptr<FieldExpr> MakeBinary(FieldOp op, Position pos, std::unique_ptr<FieldExpr> lhs,
                                      std::unique_ptr<FieldExpr> rhs) {
  if (op == FieldOp::kEq || op == FieldOp::kNeq) {
    bool lnil = IsNilLiteral(*lhs), rnil = IsNilLiteral(*rhs);
    if (lnil && rnil) return MakeLiteral(Value::Bool(false), pos);
    if (lnil || rnil) {
      return MakeUnary(op == FieldOp::kNeq ? FieldOp::kExists : FieldOp::kNotExists, pos,
                       rnil ? std::move(lhs) : std::move(rhs));
    }
  }
  if (IsArithmetic(op) && lhs->kind == FieldExpr::Kind::kLiteral &&
      rhs->kind == FieldExpr::Kind::kLiteral) {
    Value folded;
    if (Fold(op, lhs->value, rhs->value, &folded)) return MakeLiteral(std::move(folded), lhs->pos);
  }
  auto e = std::make_unique<FieldExpr>();
  e->kind = FieldExpr::Kind::kBinary;
  e->pos = pos;
  e->op = op;
  e->type = IsArithmetic(op) ? ArithmeticType(lhs->type, rhs->type) : ValueType::kBool;
  e->lhs = std::move(lhs);
  e->rhs = std::move(rhs);
  return e;
}

}  // namespace th::query::traceql::internal

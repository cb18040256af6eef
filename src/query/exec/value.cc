#include "query/exec/value.h"

#include <re2/re2.h>

#include <cmath>
#include <limits>

#include "common/json.h"
#include "common/strings.h"
#include "query/search/search_result.h"

namespace th::query::exec {

using traceql::FieldOp;

Value Value::Bool(bool v) {
  Value r;
  r.kind = ValueKind::kBool;
  r.b = v;
  return r;
}
Value Value::Int(int64_t v) {
  Value r;
  r.kind = ValueKind::kInt;
  r.i = v;
  return r;
}
Value Value::Float(double v) {
  Value r;
  r.kind = ValueKind::kFloat;
  r.f = v;
  return r;
}
Value Value::String(std::string_view v) {
  Value r;
  r.kind = ValueKind::kString;
  r.s = v;
  return r;
}
Value Value::Duration(int64_t nanos) {
  Value r;
  r.kind = ValueKind::kDuration;
  r.i = nanos;
  return r;
}
Value Value::Status(int64_t ordinal) {
  Value r;
  r.kind = ValueKind::kStatus;
  r.i = ordinal;
  return r;
}
Value Value::Kind(int64_t ordinal) {
  Value r;
  r.kind = ValueKind::kKind;
  r.i = ordinal;
  return r;
}

double Value::AsDouble() const {
  switch (kind) {
    case ValueKind::kInt:
    case ValueKind::kDuration: return static_cast<double>(i);
    case ValueKind::kFloat: return f;
    default: return std::nan("");
  }
}

Value FromLiteral(const traceql::Value& v) {
  switch (v.type) {
    case traceql::ValueType::kBool: return Value::Bool(v.b);
    case traceql::ValueType::kInt: return Value::Int(v.i);
    case traceql::ValueType::kFloat: return Value::Float(v.f);
    case traceql::ValueType::kString: return Value::String(v.s);
    case traceql::ValueType::kDuration: return Value::Duration(v.i);
    case traceql::ValueType::kStatus: return Value::Status(v.i);
    case traceql::ValueType::kKind: return Value::Kind(v.i);
    case traceql::ValueType::kNil:
    case traceql::ValueType::kAttribute: return Value::Nil();
  }
  return Value::Nil();
}

Value FromAny(const model::SpanBatch& batch, const model::AnyValue& v) {
  switch (v.type) {
    case model::ValueType::kString: return Value::String(v.bytes);
    case model::ValueType::kBool: return Value::Bool(v.bool_value);
    case model::ValueType::kInt: return Value::Int(v.int_value);
    case model::ValueType::kDouble: return Value::Float(v.double_value);
    case model::ValueType::kArray:
    case model::ValueType::kBytes:
    case model::ValueType::kKvList: {
      // An empty array carries no element to match; Tempo's columns store none either.
      if (v.type == model::ValueType::kArray && v.range.count == 0) return Value::Nil();
      Value r;
      r.kind = v.type == model::ValueType::kArray ? ValueKind::kArray : ValueKind::kOther;
      r.batch = &batch;
      r.any = &v;
      return r;
    }
    case model::ValueType::kEmpty: return Value::Nil();
  }
  return Value::Nil();
}

int64_t StatusOrdinal(int32_t otlp_code) {
  switch (otlp_code) {
    case model::kStatusUnset: return static_cast<int64_t>(traceql::StatusValue::kUnset);
    case model::kStatusOk: return static_cast<int64_t>(traceql::StatusValue::kOk);
    case model::kStatusError: return static_cast<int64_t>(traceql::StatusValue::kError);
    default: return 16 + static_cast<int64_t>(otlp_code);  // matches no literal
  }
}

int64_t KindOrdinal(int32_t otlp_kind) {
  // traceql::KindValue lists the kinds in OTLP's order, so the number is the ordinal.
  return otlp_kind;
}

namespace {

bool Ordered(FieldOp op, int c) {
  switch (op) {
    case FieldOp::kEq: return c == 0;
    case FieldOp::kNeq: return c != 0;
    case FieldOp::kLt: return c < 0;
    case FieldOp::kLte: return c <= 0;
    case FieldOp::kGt: return c > 0;
    case FieldOp::kGte: return c >= 0;
    default: return false;
  }
}

bool IsIntegral(const Value& v) {
  return v.kind == ValueKind::kInt || v.kind == ValueKind::kDuration;
}

bool CompareNumbers(FieldOp op, const Value& l, const Value& r) {
  if (IsIntegral(l) && IsIntegral(r)) {
    return Ordered(op, l.i < r.i ? -1 : (l.i > r.i ? 1 : 0));
  }
  double a = l.AsDouble(), b = r.AsDouble();
  switch (op) {  // spelled out so NaN compares false (and != true) as in Go
    case FieldOp::kEq: return a == b;
    case FieldOp::kNeq: return a != b;
    case FieldOp::kLt: return a < b;
    case FieldOp::kLte: return a <= b;
    case FieldOp::kGt: return a > b;
    case FieldOp::kGte: return a >= b;
    default: return false;
  }
}

// `text` against the fully anchored `pattern`; false for both `=~` and `!~` when a pattern read
// from an attribute does not compile (literal patterns were checked by validation).
bool RegexCompare(FieldOp op, std::string_view text, std::string_view pattern,
                  const re2::RE2* re) {
  if (re != nullptr) return re2::RE2::FullMatch(text, *re) == (op == FieldOp::kRegex);
  re2::RE2 compiled(pattern, re2::RE2::Quiet);
  if (!compiled.ok()) return false;
  return re2::RE2::FullMatch(text, compiled) == (op == FieldOp::kRegex);
}

}  // namespace

bool CompareScalars(FieldOp op, const Value& l, const Value& r, const re2::RE2* re) {
  if (l.IsNil() || r.IsNil()) return false;
  if (op == FieldOp::kRegex || op == FieldOp::kNotRegex) {
    if (l.kind != ValueKind::kString || r.kind != ValueKind::kString) return false;
    return RegexCompare(op, l.s, r.s, re);
  }
  if (l.IsNumeric() && r.IsNumeric()) return CompareNumbers(op, l, r);
  if (l.kind != r.kind) return false;
  switch (l.kind) {
    case ValueKind::kString: return Ordered(op, l.s.compare(r.s));
    case ValueKind::kBool:
      if (op == FieldOp::kEq) return l.b == r.b;
      if (op == FieldOp::kNeq) return l.b != r.b;
      return false;
    case ValueKind::kStatus:
    case ValueKind::kKind:
      if (op == FieldOp::kEq) return l.i == r.i;
      if (op == FieldOp::kNeq) return l.i != r.i;
      return false;
    default: return false;  // arrays are the caller's; kOther never compares
  }
}

namespace {

// Go's int64 arithmetic wraps; C++'s overflows are undefined, so compute in uint64.
int64_t Wrap(uint64_t v) { return static_cast<int64_t>(v); }

Value IntArithmetic(FieldOp op, int64_t a, int64_t b) {
  auto ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
  switch (op) {
    case FieldOp::kAdd: return Value::Int(Wrap(ua + ub));
    case FieldOp::kSub: return Value::Int(Wrap(ua - ub));
    case FieldOp::kMul: return Value::Int(Wrap(ua * ub));
    case FieldOp::kDiv:
    case FieldOp::kMod:
      if (b == 0 || (b == -1 && a == std::numeric_limits<int64_t>::min())) return Value::Nil();
      return Value::Int(op == FieldOp::kDiv ? a / b : a % b);
    case FieldOp::kPow: {
      // A negative exponent has no integer answer; give the float one.
      if (b < 0) return Value::Float(std::pow(static_cast<double>(a), static_cast<double>(b)));
      uint64_t result = 1, base = ua;
      for (uint64_t e = static_cast<uint64_t>(b); e > 0; e >>= 1) {
        if (e & 1) result *= base;
        base *= base;
      }
      return Value::Int(Wrap(result));
    }
    default: return Value::Nil();
  }
}

}  // namespace

Value Arithmetic(FieldOp op, const Value& l, const Value& r) {
  if (!l.IsNumeric() || !r.IsNumeric()) return Value::Nil();
  if (l.kind == ValueKind::kInt && r.kind == ValueKind::kInt) return IntArithmetic(op, l.i, r.i);
  double a = l.AsDouble(), b = r.AsDouble();
  switch (op) {
    case FieldOp::kAdd: return Value::Float(a + b);
    case FieldOp::kSub: return Value::Float(a - b);
    case FieldOp::kMul: return Value::Float(a * b);
    case FieldOp::kDiv: return b == 0 ? Value::Nil() : Value::Float(a / b);
    case FieldOp::kMod: return b == 0 ? Value::Nil() : Value::Float(std::fmod(a, b));
    case FieldOp::kPow: return Value::Float(std::pow(a, b));
    default: return Value::Nil();
  }
}

Value Negate(const Value& v) {
  switch (v.kind) {
    case ValueKind::kInt: return Value::Int(Wrap(uint64_t{0} - static_cast<uint64_t>(v.i)));
    case ValueKind::kDuration:
      return Value::Duration(Wrap(uint64_t{0} - static_cast<uint64_t>(v.i)));
    case ValueKind::kFloat: return Value::Float(-v.f);
    default: return Value::Nil();
  }
}

namespace {

// Appends `v / unit` with the fraction's trailing zeros dropped, as Go's fmtFrac/fmtInt do.
void AppendFraction(std::string* out, uint64_t v, uint64_t unit, int digits) {
  StrAppend(out, v / unit);
  uint64_t frac = v % unit;
  if (frac == 0) return;
  std::string f(static_cast<size_t>(digits), '0');
  for (int k = digits - 1; k >= 0; --k) {
    f[static_cast<size_t>(k)] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  while (!f.empty() && f.back() == '0') f.pop_back();
  StrAppend(out, ".", f);
}

}  // namespace

std::string GoDurationString(int64_t nanos) {
  if (nanos == 0) return "0s";
  std::string out;
  uint64_t u = nanos < 0 ? uint64_t{0} - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  if (nanos < 0) out.push_back('-');
  if (u < 1000) {
    StrAppend(&out, u, "ns");
  } else if (u < 1000000) {
    AppendFraction(&out, u, 1000, 3);
    out.append("µs");
  } else if (u < 1000000000) {
    AppendFraction(&out, u, 1000000, 6);
    out.append("ms");
  } else {
    uint64_t secs = u / 1000000000, frac = u % 1000000000;
    uint64_t hours = secs / 3600, minutes = secs / 60 % 60;
    if (hours > 0) StrAppend(&out, hours, "h");
    if (secs >= 60) StrAppend(&out, minutes, "m");
    AppendFraction(&out, (secs % 60) * 1000000000 + frac, 1000000000, 9);
    out.push_back('s');
  }
  return out;
}

std::string StatusName(int64_t ordinal) {
  switch (ordinal) {
    case static_cast<int64_t>(traceql::StatusValue::kError): return "error";
    case static_cast<int64_t>(traceql::StatusValue::kOk): return "ok";
    case static_cast<int64_t>(traceql::StatusValue::kUnset): return "unset";
    default: return StrCat("status(", ordinal - 16, ")");
  }
}

std::string KindName(int64_t ordinal) {
  static constexpr const char* kNames[] = {"unspecified", "internal", "server",
                                           "client",      "producer", "consumer"};
  if (ordinal >= 0 && ordinal < 6) return kNames[ordinal];
  return StrCat("kind(", ordinal, ")");
}

std::string ValueJson(const Value& v) {
  switch (v.kind) {
    case ValueKind::kNil: return "{\"stringValue\":\"nil\"}";
    case ValueKind::kBool: return StrCat("{\"boolValue\":", v.b, "}");
    case ValueKind::kInt: return StrCat("{\"intValue\":\"", v.i, "\"}");
    case ValueKind::kFloat: {
      model::AnyValue any;
      any.type = model::ValueType::kDouble;
      any.double_value = v.f;
      static const model::SpanBatch kNoBatch;  // a double refers to no pool
      return AnyValueJson(kNoBatch, any);
    }
    case ValueKind::kString: return StrCat("{\"stringValue\":", JsonQuote(v.s), "}");
    case ValueKind::kDuration:
      return StrCat("{\"stringValue\":", JsonQuote(GoDurationString(v.i)), "}");
    case ValueKind::kStatus: return StrCat("{\"stringValue\":\"", StatusName(v.i), "\"}");
    case ValueKind::kKind: return StrCat("{\"stringValue\":\"", KindName(v.i), "\"}");
    case ValueKind::kArray:
    case ValueKind::kOther: return AnyValueJson(*v.batch, *v.any);
  }
  return "{}";
}

}  // namespace th::query::exec

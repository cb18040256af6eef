#include "query/traceql/ast.h"

namespace th::query::traceql {

Value Value::Bool(bool v) {
  Value r;
  r.type = ValueType::kBool;
  r.b = v;
  return r;
}
Value Value::Int(int64_t v) {
  Value r;
  r.type = ValueType::kInt;
  r.i = v;
  return r;
}
Value Value::Float(double v) {
  Value r;
  r.type = ValueType::kFloat;
  r.f = v;
  return r;
}
Value Value::String(std::string v) {
  Value r;
  r.type = ValueType::kString;
  r.s = std::move(v);
  return r;
}
Value Value::Duration(int64_t nanos) {
  Value r;
  r.type = ValueType::kDuration;
  r.i = nanos;
  return r;
}
Value Value::Status(StatusValue v) {
  Value r;
  r.type = ValueType::kStatus;
  r.i = static_cast<int64_t>(v);
  return r;
}
Value Value::Kind(KindValue v) {
  Value r;
  r.type = ValueType::kKind;
  r.i = static_cast<int64_t>(v);
  return r;
}

bool Value::IsNumeric() const { return IsNumericType(type); }

double Value::AsDouble() const {
  return type == ValueType::kFloat ? f : static_cast<double>(i);
}

bool IsNumericType(ValueType t) {
  return t == ValueType::kInt || t == ValueType::kFloat || t == ValueType::kDuration;
}

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNil: return "nil";
    case ValueType::kBool: return "boolean";
    case ValueType::kInt: return "int";
    case ValueType::kFloat: return "float";
    case ValueType::kString: return "string";
    case ValueType::kDuration: return "duration";
    case ValueType::kStatus: return "status";
    case ValueType::kKind: return "kind";
    case ValueType::kAttribute: return "attribute";
  }
  return "?";
}

namespace {

struct IntrinsicInfo {
  Intrinsic intrinsic;
  ValueType type;
  Scope scope;
  std::string_view scoped;
  std::string_view legacy;
};

// One row per intrinsic; the lexer, printer and validation all read this table.
constexpr IntrinsicInfo kIntrinsics[] = {
    {Intrinsic::kDuration, ValueType::kDuration, Scope::kSpan, "span:duration", "duration"},
    {Intrinsic::kName, ValueType::kString, Scope::kSpan, "span:name", "name"},
    {Intrinsic::kStatus, ValueType::kStatus, Scope::kSpan, "span:status", "status"},
    {Intrinsic::kStatusMessage, ValueType::kString, Scope::kSpan, "span:statusMessage",
     "statusMessage"},
    {Intrinsic::kKind, ValueType::kKind, Scope::kSpan, "span:kind", "kind"},
    {Intrinsic::kSpanId, ValueType::kString, Scope::kSpan, "span:id", ""},
    {Intrinsic::kParentId, ValueType::kString, Scope::kSpan, "span:parentID", ""},
    {Intrinsic::kChildCount, ValueType::kInt, Scope::kSpan, "span:childCount", ""},
    {Intrinsic::kTraceDuration, ValueType::kDuration, Scope::kTrace, "trace:duration",
     "traceDuration"},
    {Intrinsic::kTraceRootName, ValueType::kString, Scope::kTrace, "trace:rootName", "rootName"},
    {Intrinsic::kTraceRootService, ValueType::kString, Scope::kTrace, "trace:rootService",
     "rootServiceName"},
    {Intrinsic::kTraceId, ValueType::kString, Scope::kTrace, "trace:id", ""},
    {Intrinsic::kEventName, ValueType::kString, Scope::kEvent, "event:name", ""},
    {Intrinsic::kEventTimeSinceStart, ValueType::kDuration, Scope::kEvent,
     "event:timeSinceStart", ""},
    {Intrinsic::kLinkTraceId, ValueType::kString, Scope::kLink, "link:traceID", ""},
    {Intrinsic::kLinkSpanId, ValueType::kString, Scope::kLink, "link:spanID", ""},
    {Intrinsic::kInstrumentationName, ValueType::kString, Scope::kInstrumentation,
     "instrumentation:name", ""},
    {Intrinsic::kInstrumentationVersion, ValueType::kString, Scope::kInstrumentation,
     "instrumentation:version", ""},
    {Intrinsic::kNestedSetLeft, ValueType::kInt, Scope::kNone, "", "nestedSetLeft"},
    {Intrinsic::kNestedSetRight, ValueType::kInt, Scope::kNone, "", "nestedSetRight"},
    {Intrinsic::kNestedSetParent, ValueType::kInt, Scope::kNone, "", "nestedSetParent"},
    {Intrinsic::kParent, ValueType::kAttribute, Scope::kNone, "", "parent"},
};

const IntrinsicInfo* Find(Intrinsic i) {
  for (const IntrinsicInfo& info : kIntrinsics) {
    if (info.intrinsic == i) return &info;
  }
  return nullptr;
}

}  // namespace

ValueType IntrinsicType(Intrinsic i) {
  const IntrinsicInfo* info = Find(i);
  return info ? info->type : ValueType::kAttribute;
}
Scope IntrinsicScope(Intrinsic i) {
  const IntrinsicInfo* info = Find(i);
  return info ? info->scope : Scope::kNone;
}
std::string_view IntrinsicScopedName(Intrinsic i) {
  const IntrinsicInfo* info = Find(i);
  return info ? info->scoped : "";
}
std::string_view IntrinsicLegacyName(Intrinsic i) {
  const IntrinsicInfo* info = Find(i);
  return info ? info->legacy : "";
}

std::string_view ScopeName(Scope s) {
  switch (s) {
    case Scope::kNone: return "";
    case Scope::kSpan: return "span";
    case Scope::kResource: return "resource";
    case Scope::kEvent: return "event";
    case Scope::kLink: return "link";
    case Scope::kInstrumentation: return "instrumentation";
    case Scope::kTrace: return "trace";
  }
  return "";
}

bool IsArithmetic(FieldOp op) {
  return op == FieldOp::kAdd || op == FieldOp::kSub || op == FieldOp::kMul ||
         op == FieldOp::kDiv || op == FieldOp::kMod || op == FieldOp::kPow;
}

bool IsComparison(FieldOp op) {
  return op == FieldOp::kEq || op == FieldOp::kNeq || op == FieldOp::kLt ||
         op == FieldOp::kLte || op == FieldOp::kGt || op == FieldOp::kGte ||
         op == FieldOp::kRegex || op == FieldOp::kNotRegex;
}

std::string_view FieldOpSymbol(FieldOp op) {
  switch (op) {
    case FieldOp::kAdd: return "+";
    case FieldOp::kSub: return "-";
    case FieldOp::kMul: return "*";
    case FieldOp::kDiv: return "/";
    case FieldOp::kMod: return "%";
    case FieldOp::kPow: return "^";
    case FieldOp::kEq: return "=";
    case FieldOp::kNeq: return "!=";
    case FieldOp::kLt: return "<";
    case FieldOp::kLte: return "<=";
    case FieldOp::kGt: return ">";
    case FieldOp::kGte: return ">=";
    case FieldOp::kRegex: return "=~";
    case FieldOp::kNotRegex: return "!~";
    case FieldOp::kAnd: return "&&";
    case FieldOp::kOr: return "||";
    case FieldOp::kNot: return "!";
    case FieldOp::kNeg: return "-";
    case FieldOp::kExists:
    case FieldOp::kNotExists: return "";
  }
  return "";
}

std::string_view SpansetOpSymbol(SpansetOp op) {
  switch (op) {
    case SpansetOp::kAnd: return "&&";
    case SpansetOp::kUnion: return "||";
    case SpansetOp::kChild: return ">";
    case SpansetOp::kParent: return "<";
    case SpansetOp::kDescendant: return ">>";
    case SpansetOp::kAncestor: return "<<";
    case SpansetOp::kSibling: return "~";
    case SpansetOp::kNotChild: return "!>";
    case SpansetOp::kNotParent: return "!<";
    case SpansetOp::kNotDescendant: return "!>>";
    case SpansetOp::kNotAncestor: return "!<<";
    case SpansetOp::kNotSibling: return "!~";
    case SpansetOp::kUnionChild: return "&>";
    case SpansetOp::kUnionParent: return "&<";
    case SpansetOp::kUnionDescendant: return "&>>";
    case SpansetOp::kUnionAncestor: return "&<<";
    case SpansetOp::kUnionSibling: return "&~";
  }
  return "";
}

std::string_view AggregateName(AggregateOp op) {
  switch (op) {
    case AggregateOp::kCount: return "count";
    case AggregateOp::kAvg: return "avg";
    case AggregateOp::kMin: return "min";
    case AggregateOp::kMax: return "max";
    case AggregateOp::kSum: return "sum";
  }
  return "";
}

std::string_view ArithSymbol(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd: return "+";
    case ArithOp::kSub: return "-";
    case ArithOp::kMul: return "*";
    case ArithOp::kDiv: return "/";
    case ArithOp::kMod: return "%";
    case ArithOp::kPow: return "^";
  }
  return "";
}

std::string_view CompareSymbol(CompareOp op) {
  switch (op) {
    case CompareOp::kEq: return "=";
    case CompareOp::kNeq: return "!=";
    case CompareOp::kLt: return "<";
    case CompareOp::kLte: return "<=";
    case CompareOp::kGt: return ">";
    case CompareOp::kGte: return ">=";
  }
  return "";
}

std::string_view MetricsFunctionName(MetricsFunction f) {
  switch (f) {
    case MetricsFunction::kRate: return "rate";
    case MetricsFunction::kCountOverTime: return "count_over_time";
    case MetricsFunction::kMinOverTime: return "min_over_time";
    case MetricsFunction::kMaxOverTime: return "max_over_time";
    case MetricsFunction::kAvgOverTime: return "avg_over_time";
    case MetricsFunction::kSumOverTime: return "sum_over_time";
    case MetricsFunction::kQuantileOverTime: return "quantile_over_time";
    case MetricsFunction::kHistogramOverTime: return "histogram_over_time";
    case MetricsFunction::kCompare: return "compare";
  }
  return "";
}

}  // namespace th::query::traceql

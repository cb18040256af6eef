// The TraceQL abstract syntax tree: what Parse() (traceql.h) produces and what the planner and
// executor (src/query/planner, src/query/exec) consume. Grammar and semantics follow Tempo's
// TraceQL (reference/tempo.md §a).
//
// Ownership: a Query owns its whole tree through unique_ptr; nodes never point upwards or
// sideways. The tree is immutable after Parse() returns (execution keeps its state elsewhere), so
// a const Query may be shared between threads.
//
// Shape of a query:
//   * search:  Query::pipeline, a list of stages applied to each trace's spanset in turn;
//   * metrics: Query::metrics, either one leaf (pipeline | metrics function | second stages) or
//     arithmetic between parenthesised leaves and numbers, followed by Query::second_stages.
// Every node records the position (line:column, 1-based, columns count code points) where it
// starts; binary nodes record their operator's position, which is where errors point.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace th::query::traceql {

struct Position {
  int line = 0;
  int column = 0;
};

// Static type of a value or field expression. kAttribute means "known only at run time": an
// attribute may hold any type on any span, so it matches every operand during validation.
enum class ValueType { kNil, kBool, kInt, kFloat, kString, kDuration, kStatus, kKind, kAttribute };

enum class StatusValue { kError, kOk, kUnset };
enum class KindValue { kUnspecified, kInternal, kServer, kClient, kProducer, kConsumer };

// A literal. Which member is meaningful depends on `type`: kBool `b`; kInt `i`; kDuration `i`
// (nanoseconds); kStatus/kKind `i` (a StatusValue/KindValue ordinal); kFloat `f`; kString `s`.
struct Value {
  ValueType type = ValueType::kNil;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;

  static Value Nil() { return {}; }
  static Value Bool(bool v);
  static Value Int(int64_t v);
  static Value Float(double v);
  static Value String(std::string v);
  static Value Duration(int64_t nanos);
  static Value Status(StatusValue v);
  static Value Kind(KindValue v);
  bool IsNumeric() const;
  // The value as a double, for numeric types (durations in nanoseconds).
  double AsDouble() const;
};

bool IsNumericType(ValueType t);
std::string_view ValueTypeName(ValueType t);

// Where an attribute is looked up. kNone is the unscoped `.attr` (span, then resource, event,
// link and instrumentation, first hit wins). kTrace only appears on intrinsics (`trace:id`).
enum class Scope { kNone, kSpan, kResource, kEvent, kLink, kInstrumentation, kTrace };

enum class Intrinsic {
  kNone,  // a plain attribute, not an intrinsic
  kDuration,
  kName,
  kStatus,
  kStatusMessage,
  kKind,
  kSpanId,
  kParentId,
  kChildCount,
  kTraceDuration,
  kTraceRootName,
  kTraceRootService,
  kTraceId,
  kEventName,
  kEventTimeSinceStart,
  kLinkTraceId,
  kLinkSpanId,
  kInstrumentationName,
  kInstrumentationVersion,
  kNestedSetLeft,
  kNestedSetRight,
  kNestedSetParent,
  kParent,  // reserved by Tempo; parses, validation answers "unsupported"
};

// An attribute or intrinsic reference. For intrinsics `scope` is the scope the intrinsic belongs
// to and `legacy` says it was written unscoped (`duration` rather than `span:duration`); the two
// spellings mean the same, the flag only lets the printer keep the user's form.
struct Attribute {
  Scope scope = Scope::kNone;
  bool parent = false;  // `parent.` prefix (unsupported by validation, as in Tempo)
  std::string name;     // attribute name, empty for intrinsics
  Intrinsic intrinsic = Intrinsic::kNone;
  bool legacy = false;

  bool IsIntrinsic() const { return intrinsic != Intrinsic::kNone; }
};

// Static type of an intrinsic (kAttribute for kNone and kParent).
ValueType IntrinsicType(Intrinsic i);
// Scope an intrinsic belongs to (kSpan for span:*, kTrace for trace:*, …; kNone for the
// nested-set ones and `parent`, which have no scoped spelling).
Scope IntrinsicScope(Intrinsic i);
// Spellings: scoped ("span:duration", "" when there is none) and legacy ("duration", "" when
// there is none). Also the keys Tempo's search and tag APIs use.
std::string_view IntrinsicScopedName(Intrinsic i);
std::string_view IntrinsicLegacyName(Intrinsic i);
std::string_view ScopeName(Scope s);  // "span", "resource", …; "" for kNone

enum class FieldOp {
  // binary arithmetic
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  // binary comparison
  kEq,
  kNeq,
  kLt,
  kLte,
  kGt,
  kGte,
  kRegex,
  kNotRegex,
  // binary logic
  kAnd,
  kOr,
  // unary
  kNot,
  kNeg,
  kExists,     // `x != nil`
  kNotExists,  // `x = nil`
};

bool IsArithmetic(FieldOp op);
bool IsComparison(FieldOp op);
std::string_view FieldOpSymbol(FieldOp op);  // "" for kExists / kNotExists

// An expression evaluated against one span: `{ … }` bodies, aggregate arguments, by(), select().
struct FieldExpr {
  enum class Kind { kLiteral, kAttribute, kUnary, kBinary };
  Kind kind = Kind::kLiteral;
  Position pos;
  ValueType type = ValueType::kAttribute;  // static type, as validation infers it
  Value value;                             // kLiteral
  Attribute attribute;                     // kAttribute
  FieldOp op = FieldOp::kAdd;              // kUnary, kBinary
  std::unique_ptr<FieldExpr> lhs;          // kUnary operand, kBinary left
  std::unique_ptr<FieldExpr> rhs;          // kBinary right
};

enum class SpansetOp {
  kAnd,    // &&
  kUnion,  // ||
  kChild,  // >
  kParent,  // <
  kDescendant,  // >>
  kAncestor,    // <<
  kSibling,     // ~
  kNotChild,
  kNotParent,
  kNotDescendant,
  kNotAncestor,
  kNotSibling,
  kUnionChild,
  kUnionParent,
  kUnionDescendant,
  kUnionAncestor,
  kUnionSibling,
};
std::string_view SpansetOpSymbol(SpansetOp op);

struct Pipeline;

// A spanset-valued expression: a filter `{ … }`, an operation between two spansets, or (only in
// pipeline expressions such as `({a} | count() > 1) && ({b})`) a parenthesised pipeline.
struct SpansetExpr {
  enum class Kind { kFilter, kOperation, kPipeline };
  Kind kind = Kind::kFilter;
  Position pos;
  std::unique_ptr<FieldExpr> filter;  // kFilter; `{}` holds the literal true
  SpansetOp op = SpansetOp::kAnd;     // kOperation
  std::unique_ptr<SpansetExpr> lhs;
  std::unique_ptr<SpansetExpr> rhs;
  std::unique_ptr<Pipeline> pipeline;  // kPipeline
};

enum class AggregateOp { kCount, kAvg, kMin, kMax, kSum };
std::string_view AggregateName(AggregateOp op);

enum class ArithOp { kAdd, kSub, kMul, kDiv, kMod, kPow };
std::string_view ArithSymbol(ArithOp op);

enum class CompareOp { kEq, kNeq, kLt, kLte, kGt, kGte };
std::string_view CompareSymbol(CompareOp op);

// A number computed over a spanset: aggregates, numeric literals, arithmetic between them, or a
// parenthesised pipeline ending in an aggregate (`({a} | count())`).
struct ScalarExpr {
  enum class Kind { kAggregate, kLiteral, kBinary, kPipeline };
  Kind kind = Kind::kLiteral;
  Position pos;
  AggregateOp aggregate = AggregateOp::kCount;  // kAggregate
  std::unique_ptr<FieldExpr> argument;          // kAggregate; null for count()
  Value value;                                  // kLiteral: kInt, kFloat, kDuration, or any static
  ArithOp op = ArithOp::kAdd;                   // kBinary
  std::unique_ptr<ScalarExpr> lhs;
  std::unique_ptr<ScalarExpr> rhs;
  std::unique_ptr<Pipeline> pipeline;  // kPipeline; its last stage is kAggregate
};

// `lhs op rhs` between scalars; keeps the spanset when true (`count() > 2`).
struct ScalarFilter {
  Position pos;
  CompareOp op = CompareOp::kEq;
  std::unique_ptr<ScalarExpr> lhs;
  std::unique_ptr<ScalarExpr> rhs;
};

struct Stage {
  enum class Kind { kSpanset, kScalarFilter, kGroupBy, kCoalesce, kSelect, kAggregate };
  Kind kind = Kind::kSpanset;
  Position pos;
  std::unique_ptr<SpansetExpr> spanset;                // kSpanset
  std::unique_ptr<ScalarFilter> scalar_filter;         // kScalarFilter
  std::unique_ptr<FieldExpr> group_by;                 // kGroupBy
  std::vector<std::unique_ptr<FieldExpr>> select;      // kSelect: attribute nodes only
  std::unique_ptr<ScalarExpr> aggregate;               // kAggregate (kind kAggregate)
};

// Stages applied in order to every spanset. Never empty.
struct Pipeline {
  std::vector<Stage> stages;
};

enum class MetricsFunction {
  kRate,
  kCountOverTime,
  kMinOverTime,
  kMaxOverTime,
  kAvgOverTime,
  kSumOverTime,
  kQuantileOverTime,
  kHistogramOverTime,
  kCompare,
};
std::string_view MetricsFunctionName(MetricsFunction f);

// The first metrics stage: turns spans into time series.
struct MetricsAggregate {
  Position pos;
  MetricsFunction function = MetricsFunction::kRate;
  std::unique_ptr<FieldExpr> attribute;        // *_over_time argument (an attribute node)
  std::vector<double> quantiles;               // quantile_over_time
  std::vector<std::unique_ptr<FieldExpr>> by;  // attribute nodes
  // compare(filter[, top_n[, start_ns, end_ns]])
  std::unique_ptr<SpansetExpr> compare_filter;
  int compare_args = 1;  // 1, 2 or 4: how many arguments were written
  int64_t compare_top_n = 10;
  int64_t compare_start_ns = 0;
  int64_t compare_end_ns = 0;
};

// Stages on series: topk(n), bottomk(n), or a comparison filter (`> 10`).
struct SecondStage {
  enum class Kind { kTopK, kBottomK, kFilter };
  Kind kind = Kind::kTopK;
  Position pos;
  int64_t limit = 0;              // kTopK, kBottomK
  CompareOp op = CompareOp::kGt;  // kFilter
  Value threshold;                // kFilter
};

// A metrics query or a term of metrics arithmetic.
struct MetricsExpr {
  enum class Kind { kLeaf, kLiteral, kBinary };
  Kind kind = Kind::kLeaf;
  Position pos;
  std::unique_ptr<Pipeline> pipeline;          // kLeaf: spans feeding the function
  std::unique_ptr<MetricsAggregate> aggregate;  // kLeaf
  std::vector<SecondStage> second_stages;       // kLeaf
  Value value;                                  // kLiteral
  ArithOp op = ArithOp::kAdd;                   // kBinary
  std::unique_ptr<MetricsExpr> lhs;
  std::unique_ptr<MetricsExpr> rhs;
};

// `with(name = value, …)`; unknown names are kept and ignored, as Tempo does.
struct Hint {
  Position pos;
  std::string name;
  Value value;
};

struct Query {
  std::unique_ptr<Pipeline> pipeline;     // search query; null for metrics queries
  std::unique_ptr<MetricsExpr> metrics;   // metrics query; null for search queries
  std::vector<SecondStage> second_stages;  // after metrics arithmetic (kBinary) only
  std::vector<Hint> hints;

  bool IsMetrics() const { return metrics != nullptr; }
};

}  // namespace th::query::traceql

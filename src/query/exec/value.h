// Value: what a TraceQL field expression evaluates to on one span at run time, and the rules
// for comparing and combining values (reference/tempo.md §a.2, §a.8):
//   * int, float and duration are all numbers and compare with each other (a duration is its
//     nanoseconds); int op int stays int, anything else with a float or duration becomes float;
//   * strings compare lexicographically (bytes), regexes are fully anchored;
//   * bool, status and kind only compare for equality with their own type;
//   * nil (a missing attribute) and values of different types never compare true, not even `!=`.
// Arrays are handled by the caller (field.cc): a Value of kind kArray only points at the
// attribute in its batch.
//
// Ownership: `s`, `batch` and `any` point into the span batch, the compiled query or the
// per-trace state; a Value never outlives the batch it was read from.
// Thread-safety: plain values; the functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/span_batch.h"
#include "query/traceql/ast.h"

namespace re2 {
class RE2;
}

namespace th::query::exec {

enum class ValueKind : uint8_t {
  kNil,  // missing attribute, or an expression that has no value (1 / 0, "a" + 1)
  kBool,
  kInt,
  kFloat,
  kString,
  kDuration,  // nanoseconds in `i`
  kStatus,    // traceql::StatusValue ordinal in `i`; unknown OTLP codes get ordinals >= 16
  kKind,      // traceql::KindValue ordinal in `i` (the OTLP number); unknown ones kept as is
  kArray,     // an array attribute: `any` in `batch`, at least one element
  kOther,     // bytes or kvlist attributes: present (for `!= nil`), never equal to anything
};

struct Value {
  ValueKind kind = ValueKind::kNil;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string_view s;
  const model::SpanBatch* batch = nullptr;  // kArray, kOther
  const model::AnyValue* any = nullptr;      // kArray, kOther

  static Value Nil() { return {}; }
  static Value Bool(bool v);
  static Value Int(int64_t v);
  static Value Float(double v);
  static Value String(std::string_view v);
  static Value Duration(int64_t nanos);
  static Value Status(int64_t ordinal);
  static Value Kind(int64_t ordinal);

  bool IsNil() const { return kind == ValueKind::kNil; }
  bool IsNumeric() const {
    return kind == ValueKind::kInt || kind == ValueKind::kFloat || kind == ValueKind::kDuration;
  }
  double AsDouble() const;
};

// The Value of a literal of the AST. Strings point into `v`.
Value FromLiteral(const traceql::Value& v);

// The Value of an attribute as stored in `batch`. Empty values and empty arrays are nil.
Value FromAny(const model::SpanBatch& batch, const model::AnyValue& v);

// Maps OTLP status codes and span kinds to the ordinals of traceql::StatusValue / KindValue.
int64_t StatusOrdinal(int32_t otlp_code);
int64_t KindOrdinal(int32_t otlp_kind);

// `l op r` for two non-array values and a comparison op (kEq … kNotRegex). False whenever either
// side is nil or the types do not match. For kRegex/kNotRegex `re` is the compiled pattern `r`;
// when it is null, the pattern is compiled here (slow path: patterns read from attributes).
bool CompareScalars(traceql::FieldOp op, const Value& l, const Value& r, const re2::RE2* re);

// `l op r` for an arithmetic op (kAdd … kPow). Nil when either side is not a number, on division
// or modulo by zero, and for int overflow that Go would trap (minInt / -1).
Value Arithmetic(traceql::FieldOp op, const Value& l, const Value& r);

// Unary minus; nil for non-numbers.
Value Negate(const Value& v);

// Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "0s" (how Tempo prints durations).
std::string GoDurationString(int64_t nanos);

// The value as an OTLP/JSON AnyValue in Tempo's search response (Static.AsAnyValue): durations,
// status and kind as strings, nil as the string "nil", array and other attributes as stored.
std::string ValueJson(const Value& v);

// Display text of status and kind ordinals ("error", "server").
std::string StatusName(int64_t ordinal);
std::string KindName(int64_t ordinal);

}  // namespace th::query::exec

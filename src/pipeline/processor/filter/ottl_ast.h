// Parsed OTTL conditions (see ottl.h): boolean nodes over value expressions. Paths are resolved
// to a field at parse time, so evaluation does no string lookups besides attribute keys.
// Private to the filter processor.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace re2 {
class RE2;
}

namespace th::pipeline::ottl {

enum class Field {
  // Span (in the span-event context reached with `span.`).
  kName,
  kKind,
  kStatusCode,
  kStatusMessage,
  kTraceIdString,
  kSpanIdString,
  kParentSpanIdString,
  kTraceId,
  kSpanId,
  kParentSpanId,
  kTraceState,
  kStartTime,
  kEndTime,
  kAttributes,
  kDroppedAttributesCount,
  kDroppedEventsCount,
  kDroppedLinksCount,
  // Resource and scope of the span.
  kResourceAttributes,
  kResourceDroppedAttributesCount,
  kScopeName,
  kScopeVersion,
  kScopeAttributes,
  // Span event (span-event context only).
  kEventName,
  kEventTime,
  kEventAttributes,
  kEventDroppedAttributesCount,
};

enum class Func { kIsMatch, kIsString, kIsInt, kIsDouble, kIsBool, kIsMap, kIsList, kLen };

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct PathKey {
  bool is_index = false;
  std::string name;
  int64_t index = 0;
};

struct ValueNode {
  enum class Kind { kNil, kBool, kInt, kDouble, kString, kBytes, kPath, kCall };
  Kind kind = Kind::kNil;
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::string text;  // kString, kBytes
  Field field = Field::kName;
  std::vector<PathKey> keys;
  Func func = Func::kIsString;
  std::vector<ValueNode> args;
  std::shared_ptr<const re2::RE2> pattern;  // IsMatch
};

struct BoolNode {
  enum class Kind { kOr, kAnd, kNot, kCompare, kConst, kCall };
  Kind kind = Kind::kConst;
  std::vector<BoolNode> children;  // kOr, kAnd, kNot (one)
  CompareOp op = CompareOp::kEq;
  std::vector<ValueNode> operands;  // kCompare: two; kCall: one (the converter)
  bool constant = false;
};

}  // namespace th::pipeline::ottl

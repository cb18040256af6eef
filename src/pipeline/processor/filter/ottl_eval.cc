// Evaluation of parsed OTTL conditions against a span or span event (semantics in ottl.h).
#include "common/strings.h"
#include "model/ids.h"
#include "pipeline/processor/filter/ottl.h"
#include "pipeline/processor/filter/ottl_ast.h"
#include "pipeline/processor/internal/attribute_value.h"

#include <re2/re2.h>

namespace th::pipeline::ottl {
namespace {

using model::ValueType;

// A runtime value. Strings usually view the batch or the parsed condition; computed strings
// (hex ids) live in `owned`.
struct Value {
  enum class Type { kNil, kBool, kInt, kDouble, kString, kBytes, kMap, kSlice };
  Type type = Type::kNil;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string_view s;
  std::string owned;
  bool uses_owned = false;
  model::Range range;  // kMap: key_values, kSlice: array_values

  std::string_view str() const { return uses_owned ? std::string_view(owned) : s; }
};

Value Int(int64_t i) {
  Value v;
  v.type = Value::Type::kInt;
  v.i = i;
  return v;
}
Value OwnedString(std::string s) {
  Value v;
  v.type = Value::Type::kString;
  v.owned = std::move(s);
  v.uses_owned = true;
  return v;
}
Value View(Value::Type type, std::string_view s) {
  Value v;
  v.type = type;
  v.s = s;
  return v;
}
Value Map(model::Range r) {
  Value v;
  v.type = Value::Type::kMap;
  v.range = r;
  return v;
}

Value FromAny(const model::AnyValue& a) {
  Value v;
  switch (a.type) {
    case ValueType::kEmpty:
      break;
    case ValueType::kString:
      return View(Value::Type::kString, a.bytes);
    case ValueType::kBytes:
      return View(Value::Type::kBytes, a.bytes);
    case ValueType::kBool:
      v.type = Value::Type::kBool;
      v.b = a.bool_value;
      break;
    case ValueType::kInt:
      return Int(a.int_value);
    case ValueType::kDouble:
      v.type = Value::Type::kDouble;
      v.d = a.double_value;
      break;
    case ValueType::kArray:
      v.type = Value::Type::kSlice;
      v.range = a.range;
      break;
    case ValueType::kKvList:
      return Map(a.range);
  }
  return v;
}

template <typename T>
bool Ordered(const T& a, const T& b, CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return a == b;
    case CompareOp::kNe:
      return a != b;
    case CompareOp::kLt:
      return a < b;
    case CompareOp::kLe:
      return a <= b;
    case CompareOp::kGt:
      return a > b;
    case CompareOp::kGe:
      return a >= b;
  }
  return false;
}

bool Compare(const Value& a, const Value& b, CompareOp op) {
  using T = Value::Type;
  if (a.type == T::kNil && b.type == T::kNil) {
    return op == CompareOp::kEq || op == CompareOp::kLe || op == CompareOp::kGe;
  }
  bool invalid = op == CompareOp::kNe;  // different types: never equal, never ordered
  if (a.type == T::kNil || b.type == T::kNil) return invalid;
  switch (a.type) {
    case T::kBool:
      if (b.type != T::kBool) return invalid;
      return Ordered(static_cast<int>(a.b), static_cast<int>(b.b), op);
    case T::kInt:
      if (b.type == T::kInt) return Ordered(a.i, b.i, op);
      if (b.type == T::kDouble) return Ordered(static_cast<double>(a.i), b.d, op);
      return invalid;
    case T::kDouble:
      if (b.type == T::kInt) return Ordered(a.d, static_cast<double>(b.i), op);
      if (b.type == T::kDouble) return Ordered(a.d, b.d, op);
      return invalid;
    case T::kString:
      if (b.type != T::kString) return invalid;
      return Ordered(a.str(), b.str(), op);
    case T::kBytes:
      if (b.type != T::kBytes) return invalid;
      return Ordered(a.str(), b.str(), op);
    case T::kMap:
    case T::kSlice:
      // Go compares these by identity: the same attribute read twice is equal.
      if (op != CompareOp::kEq && op != CompareOp::kNe) return false;
      return (a.type == b.type && a.range == b.range) == (op == CompareOp::kEq);
    case T::kNil:
      break;
  }
  return false;
}

class Evaluator {
 public:
  explicit Evaluator(const EvalTarget& t) : t_(t), b_(*t.batch) {}

  Result<bool> EvalBool(const BoolNode& n) {
    switch (n.kind) {
      case BoolNode::Kind::kOr:
        for (const BoolNode& c : n.children) {
          ASSIGN_OR_RETURN(bool r, EvalBool(c));
          if (r) return true;
        }
        return false;
      case BoolNode::Kind::kAnd:
        for (const BoolNode& c : n.children) {
          ASSIGN_OR_RETURN(bool r, EvalBool(c));
          if (!r) return false;
        }
        return true;
      case BoolNode::Kind::kNot: {
        ASSIGN_OR_RETURN(bool r, EvalBool(n.children[0]));
        return !r;
      }
      case BoolNode::Kind::kConst:
        return n.constant;
      case BoolNode::Kind::kCompare: {
        ASSIGN_OR_RETURN(Value a, EvalValue(n.operands[0]));
        ASSIGN_OR_RETURN(Value b, EvalValue(n.operands[1]));
        return Compare(a, b, n.op);
      }
      case BoolNode::Kind::kCall: {
        ASSIGN_OR_RETURN(Value v, EvalValue(n.operands[0]));
        if (v.type != Value::Type::kBool) {
          return absl::InvalidArgumentError("converter in a condition did not return a bool");
        }
        return v.b;
      }
    }
    return false;
  }

  Result<Value> EvalValue(const ValueNode& n) {
    Value v;
    switch (n.kind) {
      case ValueNode::Kind::kNil:
        return v;
      case ValueNode::Kind::kBool:
        v.type = Value::Type::kBool;
        v.b = n.bool_value;
        return v;
      case ValueNode::Kind::kInt:
        return Int(n.int_value);
      case ValueNode::Kind::kDouble:
        v.type = Value::Type::kDouble;
        v.d = n.double_value;
        return v;
      case ValueNode::Kind::kString:
        return View(Value::Type::kString, n.text);
      case ValueNode::Kind::kBytes:
        return View(Value::Type::kBytes, n.text);
      case ValueNode::Kind::kPath:
        return EvalPath(n);
      case ValueNode::Kind::kCall:
        return EvalCall(n);
    }
    return v;
  }

 private:
  uint32_t ScopeIndex() const { return b_.spans.scope[t_.span]; }
  const model::Scope& Scope() const { return b_.scopes[ScopeIndex()]; }
  const model::Resource& Resource() const { return b_.resources[Scope().resource]; }
  const model::Event& Event() const { return b_.events[t_.event]; }

  Value ReadField(ottl::Field f) const {
    const model::SpanColumns& c = b_.spans;
    uint32_t i = t_.span;
    switch (f) {
      case Field::kName:
        return View(Value::Type::kString, c.name[i]);
      case Field::kKind:
        return Int(c.kind[i]);
      case Field::kStatusCode:
        return Int(c.status_code[i]);
      case Field::kStatusMessage:
        return View(Value::Type::kString, c.status_message[i]);
      case Field::kTraceIdString:
        return OwnedString(model::ToHex(c.trace_id[i].View()));
      case Field::kSpanIdString:
        return OwnedString(model::ToHex(c.span_id[i].View()));
      case Field::kParentSpanIdString:
        return OwnedString(model::ToHex(c.parent_span_id[i].View()));
      case Field::kTraceId:
        return View(Value::Type::kBytes, c.trace_id[i].View());
      case Field::kSpanId:
        return View(Value::Type::kBytes, c.span_id[i].View());
      case Field::kParentSpanId:
        return View(Value::Type::kBytes, c.parent_span_id[i].View());
      case Field::kTraceState:
        return View(Value::Type::kString, c.trace_state[i]);
      case Field::kStartTime:
        return Int(static_cast<int64_t>(c.start_time_unix_nano[i]));
      case Field::kEndTime:
        return Int(static_cast<int64_t>(c.end_time_unix_nano[i]));
      case Field::kAttributes:
        return Map(c.attributes[i]);
      case Field::kDroppedAttributesCount:
        return Int(c.dropped_attributes_count[i]);
      case Field::kDroppedEventsCount:
        return Int(c.dropped_events_count[i]);
      case Field::kDroppedLinksCount:
        return Int(c.dropped_links_count[i]);
      case Field::kResourceAttributes:
        return Map(Resource().attributes);
      case Field::kResourceDroppedAttributesCount:
        return Int(Resource().dropped_attributes_count);
      case Field::kScopeName:
        return View(Value::Type::kString, Scope().name);
      case Field::kScopeVersion:
        return View(Value::Type::kString, Scope().version);
      case Field::kScopeAttributes:
        return Map(Scope().attributes);
      case Field::kEventName:
        return View(Value::Type::kString, Event().name);
      case Field::kEventTime:
        return Int(static_cast<int64_t>(Event().time_unix_nano));
      case Field::kEventAttributes:
        return Map(Event().attributes);
      case Field::kEventDroppedAttributesCount:
        return Int(Event().dropped_attributes_count);
    }
    return Value();
  }

  Value EvalPath(const ValueNode& n) const {
    Value v = ReadField(n.field);
    for (const PathKey& k : n.keys) {
      if (k.is_index) {
        if (v.type != Value::Type::kSlice || k.index < 0 || k.index >= v.range.count) {
          return Value();
        }
        v = FromAny(b_.array_values[v.range.begin + static_cast<uint32_t>(k.index)]);
      } else {
        if (v.type != Value::Type::kMap) return Value();
        const model::KeyValue* kv = processor::FindAttribute(b_, v.range, k.name);
        if (kv == nullptr) return Value();
        v = FromAny(kv->value);
      }
    }
    return v;
  }

  // StringLikeGetter: what IsMatch reads; nullopt for nil.
  std::optional<std::string> StringLike(const Value& v) const {
    model::AnyValue a;
    switch (v.type) {
      case Value::Type::kNil:
        return std::nullopt;
      case Value::Type::kString:
        return std::string(v.str());
      case Value::Type::kBool:
        return std::string(v.b ? "true" : "false");
      case Value::Type::kInt:
        return th::StrCat(v.i);
      case Value::Type::kDouble:
        return processor::FormatDoubleFixed(v.d);
      case Value::Type::kBytes:
        return model::ToHex(v.str());
      case Value::Type::kMap:
        a.type = ValueType::kKvList;
        a.range = v.range;
        return processor::ValueAsString(b_, a);
      case Value::Type::kSlice:
        a.type = ValueType::kArray;
        a.range = v.range;
        return processor::ValueAsString(b_, a);
    }
    return std::nullopt;
  }

  Result<Value> EvalCall(const ValueNode& n) {
    ASSIGN_OR_RETURN(Value arg, EvalValue(n.args[0]));
    Value out;
    out.type = Value::Type::kBool;
    switch (n.func) {
      case Func::kIsMatch: {
        std::optional<std::string> s = StringLike(arg);
        out.b = s && RE2::PartialMatch(*s, *n.pattern);
        return out;
      }
      case Func::kIsString:
        out.b = arg.type == Value::Type::kString;
        return out;
      case Func::kIsInt:
        out.b = arg.type == Value::Type::kInt;
        return out;
      case Func::kIsDouble:
        out.b = arg.type == Value::Type::kDouble;
        return out;
      case Func::kIsBool:
        out.b = arg.type == Value::Type::kBool;
        return out;
      case Func::kIsMap:
        out.b = arg.type == Value::Type::kMap;
        return out;
      case Func::kIsList:
        out.b = arg.type == Value::Type::kSlice;
        return out;
      case Func::kLen:
        switch (arg.type) {
          case Value::Type::kString:
          case Value::Type::kBytes:
            return Int(static_cast<int64_t>(arg.str().size()));
          case Value::Type::kMap:
          case Value::Type::kSlice:
            return Int(arg.range.count);
          default:
            return absl::InvalidArgumentError("Len: value is not a string, bytes, map or list");
        }
    }
    return out;
  }

  const EvalTarget& t_;
  const model::SpanBatch& b_;
};

}  // namespace

Result<bool> Condition::Eval(const EvalTarget& target) const {
  Evaluator e(target);
  return e.EvalBool(*root_);
}

}  // namespace th::pipeline::ottl

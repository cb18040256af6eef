#include "query/exec/internal/field.h"

#include <re2/re2.h>

#include "common/strings.h"
#include "query/traceql/traceql.h"

namespace th::query::exec::internal {

using traceql::FieldExpr;
using traceql::FieldOp;
using traceql::Intrinsic;
using traceql::Scope;

FieldNode::FieldNode() = default;
FieldNode::~FieldNode() = default;

namespace {

bool IsIdIntrinsic(Intrinsic i) {
  return i == Intrinsic::kSpanId || i == Intrinsic::kParentId || i == Intrinsic::kTraceId ||
         i == Intrinsic::kLinkTraceId || i == Intrinsic::kLinkSpanId;
}

// Hex ids compare without leading zeros (Tempo pads both sides to the id's width).
std::string_view TrimZeros(std::string_view s) {
  size_t k = s.find_first_not_of('0');
  return k == std::string_view::npos ? std::string_view() : s.substr(k);
}

void NoteReads(const traceql::Attribute& a, FieldNode* node, TraceNeeds* needs) {
  switch (a.intrinsic) {
    case Intrinsic::kNone:
      if (a.scope == Scope::kEvent || a.scope == Scope::kNone) node->uses_event = true;
      if (a.scope == Scope::kLink || a.scope == Scope::kNone) node->uses_link = true;
      break;
    case Intrinsic::kEventName:
    case Intrinsic::kEventTimeSinceStart: node->uses_event = true; break;
    case Intrinsic::kLinkTraceId:
    case Intrinsic::kLinkSpanId:
      node->uses_link = true;
      needs->link_ids = true;
      break;
    case Intrinsic::kSpanId:
    case Intrinsic::kParentId: needs->span_ids = true; break;
    case Intrinsic::kChildCount:
    case Intrinsic::kNestedSetLeft:
    case Intrinsic::kNestedSetRight:
    case Intrinsic::kNestedSetParent: needs->tree = true; break;
    default: break;
  }
}

bool IsStringLiteral(const FieldNode& n) {
  return n.kind == FieldExpr::Kind::kLiteral && n.literal.kind == ValueKind::kString;
}

}  // namespace

Result<std::unique_ptr<FieldNode>> CompileField(const FieldExpr& expr, TraceNeeds* needs) {
  auto node = std::make_unique<FieldNode>();
  node->kind = expr.kind;
  node->op = expr.op;
  switch (expr.kind) {
    case FieldExpr::Kind::kLiteral:
      node->literal = FromLiteral(expr.value);
      if (node->literal.kind == ValueKind::kString) {
        node->literal_text = expr.value.s;
        node->literal.s = node->literal_text;  // the node is on the heap and never moves
      }
      return node;
    case FieldExpr::Kind::kAttribute:
      node->attribute = expr.attribute;
      NoteReads(expr.attribute, node.get(), needs);
      return node;
    case FieldExpr::Kind::kUnary:
    case FieldExpr::Kind::kBinary: break;
  }
  ASSIGN_OR_RETURN(node->lhs, CompileField(*expr.lhs, needs));
  node->uses_event = node->lhs->uses_event;
  node->uses_link = node->lhs->uses_link;
  if (expr.kind == FieldExpr::Kind::kUnary) return node;
  ASSIGN_OR_RETURN(node->rhs, CompileField(*expr.rhs, needs));
  node->uses_event |= node->rhs->uses_event;
  node->uses_link |= node->rhs->uses_link;

  if ((expr.op == FieldOp::kRegex || expr.op == FieldOp::kNotRegex) &&
      IsStringLiteral(*node->rhs)) {
    node->regex = std::make_unique<re2::RE2>(node->rhs->literal.s, re2::RE2::Quiet);
    if (!node->regex->ok()) {
      return absl::InvalidArgumentError(
          StrCat("invalid regex `", node->rhs->literal.s, "`: ", node->regex->error()));
    }
  }
  if (expr.op == FieldOp::kEq || expr.op == FieldOp::kNeq) {
    const FieldNode* attr = node->lhs.get();
    const FieldNode* lit = node->rhs.get();
    if (attr->kind != FieldExpr::Kind::kAttribute) std::swap(attr, lit);
    if (attr->kind == FieldExpr::Kind::kAttribute && IsIdIntrinsic(attr->attribute.intrinsic) &&
        IsStringLiteral(*lit)) {
      node->id_compare = true;
      std::string lower(lit->literal.s);
      for (char& ch : lower) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      }
      node->id_literal = std::string(TrimZeros(lower));
    }
  }
  return node;
}

namespace {

const model::AnyValue* FindKey(const model::SpanBatch& b, model::Range r, std::string_view key) {
  for (uint32_t k = r.begin; k < r.end(); ++k) {
    const model::KeyValue& kv = b.key_values[k];
    if (kv.key == key && kv.value.type != model::ValueType::kEmpty) return &kv.value;
  }
  return nullptr;
}

Value Found(const model::SpanBatch& b, const model::AnyValue* v) {
  return v == nullptr ? Value::Nil() : FromAny(b, *v);
}

model::Range ResourceAttributes(const model::SpanBatch& b, uint32_t span) {
  return b.resources[b.scopes[b.spans.scope[span]].resource].attributes;
}

// The event a lookup reads: the bound one, else the first of the span's events for which
// `has` holds; -1 when there is none.
template <typename Has>
int64_t PickEvent(SpanRef& ref, Has&& has) {
  if (ref.event >= 0) {
    ref.binding_read = true;
    return has(static_cast<uint32_t>(ref.event)) ? ref.event : -1;
  }
  model::Range r = ref.trace->batch().spans.events[ref.span];
  for (uint32_t e = r.begin; e < r.end(); ++e) {
    if (has(e)) return e;
  }
  return -1;
}

template <typename Has>
int64_t PickLink(SpanRef& ref, Has&& has) {
  if (ref.link >= 0) {
    ref.binding_read = true;
    return has(static_cast<uint32_t>(ref.link)) ? ref.link : -1;
  }
  model::Range r = ref.trace->batch().spans.links[ref.span];
  for (uint32_t l = r.begin; l < r.end(); ++l) {
    if (has(l)) return l;
  }
  return -1;
}

const model::AnyValue* EventAttribute(SpanRef& ref, std::string_view name) {
  const model::SpanBatch& b = ref.trace->batch();
  const model::AnyValue* found = nullptr;
  PickEvent(ref, [&](uint32_t e) { return (found = FindKey(b, b.events[e].attributes, name)); });
  return found;
}

const model::AnyValue* LinkAttribute(SpanRef& ref, std::string_view name) {
  const model::SpanBatch& b = ref.trace->batch();
  const model::AnyValue* found = nullptr;
  PickLink(ref, [&](uint32_t l) { return (found = FindKey(b, b.links[l].attributes, name)); });
  return found;
}

Value IntrinsicValue(Intrinsic intrinsic, SpanRef& ref) {
  const TraceContext& t = *ref.trace;
  const model::SpanBatch& b = t.batch();
  const model::SpanColumns& c = b.spans;
  const uint32_t i = ref.span;
  auto any = [](uint32_t) { return true; };
  switch (intrinsic) {
    case Intrinsic::kDuration: {
      uint64_t s = c.start_time_unix_nano[i], e = c.end_time_unix_nano[i];
      return Value::Duration(e > s ? static_cast<int64_t>(e - s) : 0);
    }
    case Intrinsic::kName: return Value::String(c.name[i]);
    case Intrinsic::kStatus: return Value::Status(StatusOrdinal(c.status_code[i]));
    case Intrinsic::kStatusMessage: return Value::String(c.status_message[i]);
    case Intrinsic::kKind: return Value::Kind(KindOrdinal(c.kind[i]));
    case Intrinsic::kSpanId: return Value::String(t.span_id_hex(i));
    case Intrinsic::kParentId:
      return c.parent_span_id[i].IsZero() ? Value::Nil() : Value::String(t.parent_id_hex(i));
    case Intrinsic::kChildCount: return Value::Int(t.child_count(i));
    case Intrinsic::kTraceDuration: return Value::Duration(t.trace_duration());
    case Intrinsic::kTraceRootName:
      return t.root() < 0 ? Value::Nil() : Value::String(c.name[static_cast<size_t>(t.root())]);
    case Intrinsic::kTraceRootService:
      return t.root() < 0 ? Value::Nil() : Value::String(t.root_service());
    case Intrinsic::kTraceId: return Value::String(t.trace_id_hex());
    case Intrinsic::kEventName: {
      int64_t e = PickEvent(ref, any);
      return e < 0 ? Value::Nil() : Value::String(b.events[static_cast<size_t>(e)].name);
    }
    case Intrinsic::kEventTimeSinceStart: {
      int64_t e = PickEvent(ref, any);
      if (e < 0) return Value::Nil();
      uint64_t at = b.events[static_cast<size_t>(e)].time_unix_nano;
      return Value::Duration(static_cast<int64_t>(at - c.start_time_unix_nano[i]));
    }
    case Intrinsic::kLinkTraceId: {
      int64_t l = PickLink(ref, any);
      return l < 0 ? Value::Nil() : Value::String(t.link_trace_id_hex(static_cast<uint32_t>(l)));
    }
    case Intrinsic::kLinkSpanId: {
      int64_t l = PickLink(ref, any);
      return l < 0 ? Value::Nil() : Value::String(t.link_span_id_hex(static_cast<uint32_t>(l)));
    }
    case Intrinsic::kInstrumentationName: return Value::String(b.scopes[c.scope[i]].name);
    case Intrinsic::kInstrumentationVersion: return Value::String(b.scopes[c.scope[i]].version);
    case Intrinsic::kNestedSetLeft: return Value::Int(t.nested(i).left);
    case Intrinsic::kNestedSetRight: return Value::Int(t.nested(i).right);
    case Intrinsic::kNestedSetParent: return Value::Int(t.nested(i).parent);
    case Intrinsic::kNone:
    case Intrinsic::kParent: return Value::Nil();
  }
  return Value::Nil();
}

}  // namespace

Value Lookup(const traceql::Attribute& a, SpanRef& ref) {
  if (a.IsIntrinsic()) return IntrinsicValue(a.intrinsic, ref);
  if (a.parent) return Value::Nil();  // `parent.` is unsupported; validation rejects it
  const model::SpanBatch& b = ref.trace->batch();
  const uint32_t i = ref.span;
  switch (a.scope) {
    case Scope::kSpan: return Found(b, FindKey(b, b.spans.attributes[i], a.name));
    case Scope::kResource: return Found(b, FindKey(b, ResourceAttributes(b, i), a.name));
    case Scope::kEvent: return Found(b, EventAttribute(ref, a.name));
    case Scope::kLink: return Found(b, LinkAttribute(ref, a.name));
    case Scope::kInstrumentation:
      return Found(b, FindKey(b, b.scopes[b.spans.scope[i]].attributes, a.name));
    case Scope::kTrace: return Value::Nil();
    case Scope::kNone: break;
  }
  // Unscoped: first hit in span, resource, event, link, instrumentation scope.
  const model::AnyValue* v = FindKey(b, b.spans.attributes[i], a.name);
  if (v == nullptr) v = FindKey(b, ResourceAttributes(b, i), a.name);
  if (v == nullptr) v = EventAttribute(ref, a.name);
  if (v == nullptr) v = LinkAttribute(ref, a.name);
  if (v == nullptr) v = FindKey(b, b.scopes[b.spans.scope[i]].attributes, a.name);
  return Found(b, v);
}

namespace {

bool IsRegexOp(FieldOp op) { return op == FieldOp::kRegex || op == FieldOp::kNotRegex; }

// `l op r` for two scalars, with the pattern of a regex compiled once per query.
bool CompareWithRegex(FieldOp op, const Value& l, const Value& r, const re2::RE2* literal_re,
                      SpanRef& ref) {
  if (!IsRegexOp(op)) return CompareScalars(op, l, r, nullptr);
  if (l.kind != ValueKind::kString || r.kind != ValueKind::kString) return false;
  const re2::RE2* re = literal_re != nullptr ? literal_re : ref.trace->DynamicRegex(r.s);
  if (re == nullptr) return false;  // a pattern read from an attribute that does not compile
  return CompareScalars(op, l, r, re);
}

// One side is an array (Tempo ≥ 3.0): `!=` and `!~` hold when they hold for every element
// ("no element equals / matches"), every other operator when it holds for any element.
bool CompareArray(FieldOp op, const Value& l, const Value& r, const re2::RE2* literal_re,
                  SpanRef& ref) {
  if (l.kind == ValueKind::kArray && r.kind == ValueKind::kArray) return false;
  const Value& array = l.kind == ValueKind::kArray ? l : r;
  const bool array_left = &array == &l;
  const bool match_all = op == FieldOp::kNeq || op == FieldOp::kNotRegex;
  const model::SpanBatch& b = *array.batch;
  const model::Range range = array.any->range;
  uint32_t matched = 0;
  for (uint32_t k = range.begin; k < range.end(); ++k) {
    Value element = FromAny(b, b.array_values[k]);
    bool m = array_left ? CompareWithRegex(op, element, r, literal_re, ref)
                        : CompareWithRegex(op, l, element, nullptr, ref);
    if (m) {
      ++matched;
      if (!match_all) return true;
    } else if (match_all) {
      return false;
    }
  }
  return match_all ? matched == range.count : false;
}

bool CompareOnce(const FieldNode& n, SpanRef& ref) {
  Value l = Evaluate(*n.lhs, ref);
  Value r = Evaluate(*n.rhs, ref);
  if (l.IsNil() || r.IsNil()) return false;
  if (n.id_compare) {
    const Value& id = n.lhs->kind == FieldExpr::Kind::kAttribute ? l : r;
    if (id.kind != ValueKind::kString) return false;
    bool equal = TrimZeros(id.s) == n.id_literal;
    return n.op == FieldOp::kEq ? equal : !equal;
  }
  if (l.kind == ValueKind::kArray || r.kind == ValueKind::kArray) {
    return CompareArray(n.op, l, r, n.regex.get(), ref);
  }
  return CompareWithRegex(n.op, l, r, n.regex.get(), ref);
}

// Runs `once` with `ref` bound to each event and/or link of the span that `n` reads (see
// field.h) and returns the first true answer; otherwise the last boolean one, else nullopt.
template <typename Once>
auto ForEachBinding(const FieldNode& n, SpanRef& ref, Once&& once) -> decltype(once()) {
  if (ref.bound || (!n.uses_event && !n.uses_link)) return once();
  const model::SpanBatch& b = ref.trace->batch();
  const model::Range events = b.spans.events[ref.span];
  const model::Range links = b.spans.links[ref.span];
  const bool per_event = n.uses_event && events.count > 0;
  const bool per_link = n.uses_link && links.count > 0;
  const int64_t e_first = per_event ? static_cast<int64_t>(events.begin) : -1;
  const int64_t e_last = per_event ? static_cast<int64_t>(events.end()) - 1 : -1;
  const int64_t l_first = per_link ? static_cast<int64_t>(links.begin) : -1;
  const int64_t l_last = per_link ? static_cast<int64_t>(links.end()) - 1 : -1;
  ref.bound = true;
  decltype(once()) result{};
  bool done = false;
  for (int64_t e = e_first; e <= e_last && !done; ++e) {
    for (int64_t l = l_first; l <= l_last && !done; ++l) {
      ref.event = e;
      ref.link = l;
      ref.binding_read = false;
      auto r = once();
      if (r == true) {
        result = r;
        done = true;
      } else {
        if (r.has_value()) result = r;
        // When nothing bound was read, every other binding gives the same answer.
        if (!ref.binding_read) done = true;
      }
    }
  }
  ref.bound = false;
  ref.event = -1;
  ref.link = -1;
  return result;
}

}  // namespace

std::optional<bool> EvaluateBool(const FieldNode& n, SpanRef& ref) {
  switch (n.kind) {
    case FieldExpr::Kind::kLiteral:
      if (n.literal.kind == ValueKind::kBool) return n.literal.b;
      return std::nullopt;
    case FieldExpr::Kind::kAttribute:
      return ForEachBinding(n, ref, [&]() -> std::optional<bool> {
        Value v = Lookup(n.attribute, ref);
        if (v.kind == ValueKind::kBool) return v.b;
        return std::nullopt;
      });
    case FieldExpr::Kind::kUnary:
      switch (n.op) {
        case FieldOp::kNot: {
          std::optional<bool> v = EvaluateBool(*n.lhs, ref);
          if (!v.has_value()) return std::nullopt;
          return !*v;
        }
        case FieldOp::kExists: return !Evaluate(*n.lhs, ref).IsNil();
        case FieldOp::kNotExists: return Evaluate(*n.lhs, ref).IsNil();
        default: return std::nullopt;
      }
    case FieldExpr::Kind::kBinary:
      break;
  }
  switch (n.op) {
    case FieldOp::kAnd: {
      std::optional<bool> l = EvaluateBool(*n.lhs, ref);
      if (l == false) return false;
      std::optional<bool> r = EvaluateBool(*n.rhs, ref);
      return l.has_value() && r.has_value() && *r;
    }
    case FieldOp::kOr: {
      std::optional<bool> l = EvaluateBool(*n.lhs, ref);
      if (l == true) return true;
      std::optional<bool> r = EvaluateBool(*n.rhs, ref);
      return l.has_value() && r.has_value() && *r;
    }
    case FieldOp::kEq:
    case FieldOp::kNeq:
    case FieldOp::kLt:
    case FieldOp::kLte:
    case FieldOp::kGt:
    case FieldOp::kGte:
    case FieldOp::kRegex:
    case FieldOp::kNotRegex:
      return ForEachBinding(n, ref, [&]() -> std::optional<bool> { return CompareOnce(n, ref); })
          .value_or(false);
    default: return std::nullopt;  // arithmetic
  }
}

Value Evaluate(const FieldNode& n, SpanRef& ref) {
  switch (n.kind) {
    case FieldExpr::Kind::kLiteral: return n.literal;
    case FieldExpr::Kind::kAttribute: return Lookup(n.attribute, ref);
    case FieldExpr::Kind::kUnary:
      if (n.op == FieldOp::kNeg) return Negate(Evaluate(*n.lhs, ref));
      break;
    case FieldExpr::Kind::kBinary:
      if (traceql::IsArithmetic(n.op)) {
        Value l = Evaluate(*n.lhs, ref);
        Value r = Evaluate(*n.rhs, ref);
        return Arithmetic(n.op, l, r);
      }
      break;
  }
  std::optional<bool> b = EvaluateBool(n, ref);
  return b.has_value() ? Value::Bool(*b) : Value::Nil();
}

}  // namespace th::query::exec::internal

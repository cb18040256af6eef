// Canonical printing. Parentheses are emitted only where precedence needs them, so the output
// re-parses to the same tree (the round-trip property in traceql.h).
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "common/strings.h"
#include "query/traceql/traceql.h"

namespace th::query::traceql {
namespace {

constexpr int kPrecUnaryMinus = 8;
constexpr int kPrecPrimary = 9;

int Precedence(FieldOp op) {
  switch (op) {
    case FieldOp::kAnd: case FieldOp::kOr: return 2;
    case FieldOp::kAdd: case FieldOp::kSub: return 4;
    case FieldOp::kNot: return 5;
    case FieldOp::kMul: case FieldOp::kDiv: case FieldOp::kMod: return 6;
    case FieldOp::kPow: return 7;
    case FieldOp::kNeg: return kPrecUnaryMinus;
    default: return 3;  // comparisons, and `x != nil`
  }
}

int Precedence(ArithOp op) {
  switch (op) {
    case ArithOp::kAdd: case ArithOp::kSub: return 4;
    case ArithOp::kPow: return 7;
    default: return 6;
  }
}

int Precedence(SpansetOp op) {
  return op == SpansetOp::kAnd || op == SpansetOp::kUnion ? 2 : 3;
}

bool NeedsQuotes(const Attribute& a) {
  const std::string& n = a.name;
  if (n.empty() || (n[0] >= '0' && n[0] <= '9')) return true;
  // `parent."span.x"` must not re-lex as the scope `parent.span.`
  if (a.parent && a.scope == Scope::kNone &&
      (n.rfind("span.", 0) == 0 || n.rfind("resource.", 0) == 0)) {
    return true;
  }
  for (char c : n) {
    switch (c) {
      case ' ': case '\t': case '\n': case '\r': case '\f': case '\v': case '{': case '}':
      case '(': case ')': case '=': case '~': case '!': case '<': case '>': case '&': case '|':
      case '^': case ',': case '"': case '\\':
        return true;
      default:
        break;
    }
  }
  return false;
}

void AppendAttribute(std::string* out, const Attribute& a) {
  if (a.IsIntrinsic()) {
    std::string_view legacy = IntrinsicLegacyName(a.intrinsic);
    std::string_view scoped = IntrinsicScopedName(a.intrinsic);
    StrAppend(out, (a.legacy && !legacy.empty()) || scoped.empty() ? legacy : scoped);
    return;
  }
  if (a.parent) out->append("parent.");
  if (a.scope != Scope::kNone) StrAppend(out, ScopeName(a.scope), ".");
  if (a.scope == Scope::kNone && !a.parent) out->push_back('.');
  if (!NeedsQuotes(a)) {
    out->append(a.name);
    return;
  }
  out->push_back('"');
  for (char c : a.name) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendString(std::string* out, const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\t': out->append("\\t"); break;
      case '\r': out->append("\\r"); break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out->append("\\x");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 15]);
        } else {
          out->push_back(c);  // UTF-8 (even invalid) passes through byte for byte
        }
    }
  }
  out->push_back('"');
}

void AppendDuration(std::string* out, int64_t nanos) {
  if (nanos == 0) {
    out->append("0s");
    return;
  }
  uint64_t rest = nanos < 0 ? uint64_t{0} - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  if (nanos < 0) out->push_back('-');
  struct Unit {
    const char* name;
    uint64_t nanos;
  };
  static constexpr Unit kUnits[] = {{"h", 3600000000000ULL}, {"m", 60000000000ULL},
                                    {"s", 1000000000ULL},    {"ms", 1000000ULL},
                                    {"us", 1000ULL},         {"ns", 1ULL}};
  for (const Unit& u : kUnits) {
    if (rest >= u.nanos) {
      StrAppend(out, rest / u.nanos, u.name);
      rest %= u.nanos;
    }
  }
}

void AppendValue(std::string* out, const Value& v) {
  switch (v.type) {
    case ValueType::kNil: out->append("nil"); return;
    case ValueType::kBool: out->append(v.b ? "true" : "false"); return;
    case ValueType::kInt:
      if (v.i == INT64_MIN) {
        out->append("minInt");  // its digits would overflow before the minus applies
      } else {
        StrAppend(out, v.i);
      }
      return;
    case ValueType::kFloat: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof(buf), v.f);
      std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
      out->append(s);
      if (s.find_first_of(".en") == std::string_view::npos) out->append(".0");
      return;
    }
    case ValueType::kString: AppendString(out, v.s); return;
    case ValueType::kDuration: AppendDuration(out, v.i); return;
    case ValueType::kStatus: {
      static constexpr const char* kNames[] = {"error", "ok", "unset"};
      out->append(kNames[v.i]);
      return;
    }
    case ValueType::kKind: {
      static constexpr const char* kNames[] = {"unspecified", "internal", "server",
                                               "client",      "producer", "consumer"};
      out->append(kNames[v.i]);
      return;
    }
    case ValueType::kAttribute: return;
  }
}

bool IsNegativeLiteral(const Value& v) {
  return (v.type == ValueType::kInt && v.i < 0 && v.i != INT64_MIN) ||
         (v.type == ValueType::kDuration && v.i < 0) ||
         (v.type == ValueType::kFloat && std::signbit(v.f));
}

int PrecedenceOf(const FieldExpr& e) {
  switch (e.kind) {
    case FieldExpr::Kind::kLiteral:
      return IsNegativeLiteral(e.value) ? kPrecUnaryMinus : kPrecPrimary;
    case FieldExpr::Kind::kAttribute: return kPrecPrimary;
    default: return Precedence(e.op);
  }
}

class Printer {
 public:
  std::string out;

  // Prints `e`, parenthesised when its precedence is below `min_prec`.
  void Field(const FieldExpr& e, int min_prec) {
    bool parens = PrecedenceOf(e) < min_prec;
    if (parens) out.push_back('(');
    switch (e.kind) {
      case FieldExpr::Kind::kLiteral: AppendValue(&out, e.value); break;
      case FieldExpr::Kind::kAttribute: AppendAttribute(&out, e.attribute); break;
      case FieldExpr::Kind::kUnary:
        if (e.op == FieldOp::kExists || e.op == FieldOp::kNotExists) {
          Field(*e.lhs, 4);
          out.append(e.op == FieldOp::kExists ? " != nil" : " = nil");
        } else if (e.op == FieldOp::kNot) {
          out.push_back('!');
          Field(*e.lhs, 6);
        } else {
          out.push_back('-');
          // `-(-x)` rather than `--x`, which reads like a typo
          Field(*e.lhs, PrecedenceOf(*e.lhs) == kPrecUnaryMinus ? kPrecPrimary : kPrecUnaryMinus);
        }
        break;
      case FieldExpr::Kind::kBinary: {
        int p = Precedence(e.op);
        bool right_assoc = e.op == FieldOp::kPow;
        Field(*e.lhs, right_assoc ? p + 1 : p);
        StrAppend(&out, " ", FieldOpSymbol(e.op), " ");
        Field(*e.rhs, right_assoc ? p : p + 1);
        break;
      }
    }
    if (parens) out.push_back(')');
  }

  void Filter(const FieldExpr& f) {
    if (f.kind == FieldExpr::Kind::kLiteral && f.value.type == ValueType::kBool && f.value.b) {
      out.append("{ }");
      return;
    }
    out.append("{ ");
    Field(f, 0);
    out.append(" }");
  }

  void Spanset(const SpansetExpr& e, int min_prec) {
    switch (e.kind) {
      case SpansetExpr::Kind::kFilter: Filter(*e.filter); return;
      case SpansetExpr::Kind::kPipeline:
        out.push_back('(');
        PipelineBody(*e.pipeline);
        out.push_back(')');
        return;
      case SpansetExpr::Kind::kOperation: {
        int p = Precedence(e.op);
        bool parens = p < min_prec;
        if (parens) out.push_back('(');
        Spanset(*e.lhs, p);
        StrAppend(&out, " ", SpansetOpSymbol(e.op), " ");
        Spanset(*e.rhs, p + 1);
        if (parens) out.push_back(')');
        return;
      }
    }
  }

  void Scalar(const ScalarExpr& e, int min_prec) {
    switch (e.kind) {
      case ScalarExpr::Kind::kAggregate:
        StrAppend(&out, AggregateName(e.aggregate), "(");
        if (e.argument) Field(*e.argument, 0);
        out.push_back(')');
        return;
      case ScalarExpr::Kind::kLiteral: AppendValue(&out, e.value); return;
      case ScalarExpr::Kind::kPipeline:
        out.push_back('(');
        PipelineBody(*e.pipeline);
        out.push_back(')');
        return;
      case ScalarExpr::Kind::kBinary: {
        int p = Precedence(e.op);
        bool right_assoc = e.op == ArithOp::kPow;
        bool parens = p < min_prec;
        if (parens) out.push_back('(');
        Scalar(*e.lhs, right_assoc ? p + 1 : p);
        StrAppend(&out, " ", ArithSymbol(e.op), " ");
        Scalar(*e.rhs, right_assoc ? p : p + 1);
        if (parens) out.push_back(')');
        return;
      }
    }
  }

  void List(const std::vector<std::unique_ptr<FieldExpr>>& items) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out.append(", ");
      Field(*items[i], 0);
    }
  }

  void StageText(const Stage& s) {
    switch (s.kind) {
      case Stage::Kind::kSpanset: Spanset(*s.spanset, 0); return;
      case Stage::Kind::kScalarFilter:
        Scalar(*s.scalar_filter->lhs, 4);
        StrAppend(&out, " ", CompareSymbol(s.scalar_filter->op), " ");
        Scalar(*s.scalar_filter->rhs, 4);
        return;
      case Stage::Kind::kGroupBy:
        out.append("by(");
        Field(*s.group_by, 0);
        out.push_back(')');
        return;
      case Stage::Kind::kCoalesce: out.append("coalesce()"); return;
      case Stage::Kind::kSelect:
        out.append("select(");
        List(s.select);
        out.push_back(')');
        return;
      case Stage::Kind::kAggregate: Scalar(*s.aggregate, 0); return;
    }
  }

  void PipelineBody(const Pipeline& p) {
    for (size_t i = 0; i < p.stages.size(); ++i) {
      if (i > 0) out.append(" | ");
      StageText(p.stages[i]);
    }
  }

  void Aggregate(const MetricsAggregate& m) {
    StrAppend(&out, MetricsFunctionName(m.function), "(");
    if (m.function == MetricsFunction::kCompare) {
      Spanset(*m.compare_filter, 0);
      if (m.compare_args >= 2) StrAppend(&out, ", ", m.compare_top_n);
      if (m.compare_args >= 4) StrAppend(&out, ", ", m.compare_start_ns, ", ", m.compare_end_ns);
    } else if (m.attribute) {
      Field(*m.attribute, 0);
      for (double q : m.quantiles) {
        out.append(", ");
        AppendValue(&out, Value::Float(q));
      }
    }
    out.push_back(')');
    if (!m.by.empty()) {
      out.append(" by (");
      List(m.by);
      out.push_back(')');
    }
  }

  void Second(const std::vector<SecondStage>& stages) {
    for (const SecondStage& s : stages) {
      switch (s.kind) {
        case SecondStage::Kind::kTopK: StrAppend(&out, " | topk(", s.limit, ")"); break;
        case SecondStage::Kind::kBottomK: StrAppend(&out, " | bottomk(", s.limit, ")"); break;
        case SecondStage::Kind::kFilter:
          StrAppend(&out, " ", CompareSymbol(s.op), " ");
          AppendValue(&out, s.threshold);
          break;
      }
    }
  }

  void Metrics(const MetricsExpr& e, int min_prec, bool top) {
    switch (e.kind) {
      case MetricsExpr::Kind::kLeaf:
        if (!top) out.push_back('(');
        PipelineBody(*e.pipeline);
        out.append(" | ");
        Aggregate(*e.aggregate);
        Second(e.second_stages);
        if (!top) out.push_back(')');
        return;
      case MetricsExpr::Kind::kLiteral: AppendValue(&out, e.value); return;
      case MetricsExpr::Kind::kBinary: {
        int p = Precedence(e.op);
        bool right_assoc = e.op == ArithOp::kPow;
        bool parens = p < min_prec;
        if (parens) out.push_back('(');
        Metrics(*e.lhs, right_assoc ? p + 1 : p, false);
        StrAppend(&out, " ", ArithSymbol(e.op), " ");
        Metrics(*e.rhs, right_assoc ? p : p + 1, false);
        if (parens) out.push_back(')');
        return;
      }
    }
  }

  void QueryText(const Query& q) {
    if (q.metrics) {
      Metrics(*q.metrics, 0, true);
      Second(q.second_stages);
    } else if (q.pipeline) {
      PipelineBody(*q.pipeline);
    }
    if (!q.hints.empty()) {
      out.append(" with (");
      for (size_t i = 0; i < q.hints.size(); ++i) {
        if (i > 0) out.append(", ");
        StrAppend(&out, q.hints[i].name, " = ");
        AppendValue(&out, q.hints[i].value);
      }
      out.push_back(')');
    }
  }
};

}  // namespace

std::string Print(const Query& query) {
  Printer p;
  p.QueryText(query);
  return std::move(p.out);
}

std::string Print(const FieldExpr& expr) {
  Printer p;
  p.Field(expr, 0);
  return std::move(p.out);
}

}  // namespace th::query::traceql

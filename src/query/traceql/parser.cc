// Pass one of parsing (see internal/syntax.h): tokens -> surface tree, by precedence climbing.
// Precedence, lowest first (reference/tempo.md §a.5):
//   1 `|`   2 `&&` `||`   3 comparisons and structural operators   4 `+` `-`   5 `!`
//   6 `*` `/` `%`   7 `^` (right-associative)   8 unary minus.
#include <string>

#include "common/strings.h"
#include "query/traceql/internal/syntax.h"

namespace th::query::traceql::internal {
namespace {

// Binding power of a binary operator inside a field expression; -1 if `t` is not one.
int FieldPrecedence(Tok t) {
  switch (t) {
    case Tok::kAnd: case Tok::kOr: return 2;
    case Tok::kEq: case Tok::kNeq: case Tok::kLt: case Tok::kLte: case Tok::kGt: case Tok::kGte:
    case Tok::kRegex: case Tok::kNotRegex: return 3;
    case Tok::kAdd: case Tok::kSub: return 4;
    case Tok::kMul: case Tok::kDiv: case Tok::kMod: return 6;
    case Tok::kPow: return 7;
    default: return -1;
  }
}

// Binding power at the pipeline level: adds `|` and the structural operators.
int PipelinePrecedence(Tok t) {
  switch (t) {
    case Tok::kPipe: return 1;
    case Tok::kDesc: case Tok::kAnce: case Tok::kTilde: case Tok::kNotChild:
    case Tok::kNotParent: case Tok::kNotDesc: case Tok::kNotAnce: case Tok::kUnionChild:
    case Tok::kUnionParent: case Tok::kUnionDesc: case Tok::kUnionAnce: case Tok::kUnionSibl:
      return 3;
    default: return FieldPrecedence(t);
  }
}

FieldOp ToFieldOp(Tok t) {
  switch (t) {
    case Tok::kAdd: return FieldOp::kAdd;
    case Tok::kSub: return FieldOp::kSub;
    case Tok::kMul: return FieldOp::kMul;
    case Tok::kDiv: return FieldOp::kDiv;
    case Tok::kMod: return FieldOp::kMod;
    case Tok::kPow: return FieldOp::kPow;
    case Tok::kEq: return FieldOp::kEq;
    case Tok::kNeq: return FieldOp::kNeq;
    case Tok::kLt: return FieldOp::kLt;
    case Tok::kLte: return FieldOp::kLte;
    case Tok::kGt: return FieldOp::kGt;
    case Tok::kGte: return FieldOp::kGte;
    case Tok::kRegex: return FieldOp::kRegex;
    case Tok::kNotRegex: return FieldOp::kNotRegex;
    case Tok::kAnd: return FieldOp::kAnd;
    default: return FieldOp::kOr;
  }
}

bool IsStaticToken(Tok t) {
  switch (t) {
    case Tok::kString: case Tok::kInt: case Tok::kFloat: case Tok::kDuration: case Tok::kTrue:
    case Tok::kFalse: case Tok::kNil: case Tok::kStatus: case Tok::kKind:
      return true;
    default:
      return false;
  }
}

Value StaticValue(const Token& t) {
  switch (t.kind) {
    case Tok::kTrue: return Value::Bool(true);
    case Tok::kFalse: return Value::Bool(false);
    case Tok::kNil: return Value::Nil();
    default: return t.value;
  }
}

// Deep nesting is legal TraceQL but would overflow the stack; Tempo's LALR parser has no such
// limit, so we pick one far above any real query.
constexpr int kMaxDepth = 500;

class Parser {
 public:
  Parser(std::vector<Token> tokens, ParseError* error) : toks_(std::move(tokens)), error_(error) {}

  bool Run(SyntaxTree* tree) {
    tree->root = Expr(0);
    if (!tree->root) return false;
    if (Peek().kind == Tok::kWith && !Hints(&tree->hints)) return false;
    if (Peek().kind != Tok::kEnd) return Unexpected("an operator or end of query");
    return true;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, toks_.size() - 1);
    return toks_[i];
  }
  const Token& Take() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool Fail(Position at, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_->kind = ParseError::Kind::kParse;
      error_->line = at.line;
      error_->column = at.column;
      error_->message = std::move(message);
    }
    return false;
  }
  bool Unexpected(std::string_view expected) {
    return Fail(Peek().pos, StrCat("unexpected ", Describe(Peek()), ", expected ", expected));
  }
  bool Expect(Tok kind, std::string_view what) {
    if (Peek().kind != kind) return Unexpected(what);
    Take();
    return true;
  }

  // ---- field expressions ----

  std::unique_ptr<FieldExpr> Field(int min_prec) {
    if (++depth_ > kMaxDepth) {
      Fail(Peek().pos, "query nests too deeply");
      return nullptr;
    }
    std::unique_ptr<FieldExpr> lhs = FieldUnary();
    while (lhs) {
      Tok t = Peek().kind;
      int prec = FieldPrecedence(t);
      if (prec < 0 || prec < min_prec) break;
      Position at = Take().pos;
      std::unique_ptr<FieldExpr> rhs = Field(t == Tok::kPow ? prec : prec + 1);
      if (!rhs) return nullptr;
      lhs = MakeBinary(ToFieldOp(t), at, std::move(lhs), std::move(rhs));
    }
    --depth_;
    return lhs;
  }

  std::unique_ptr<FieldExpr> FieldUnary() {
    const Token& t = Peek();
    Position at = t.pos;
    if (t.kind == Tok::kNot) {
      Take();
      auto operand = Field(6);  // `!a * b` is `!(a * b)`, `!a + b` is `(!a) + b`
      return operand ? MakeUnary(FieldOp::kNot, at, std::move(operand)) : nullptr;
    }
    if (t.kind == Tok::kSub) {
      Take();
      if (++depth_ > kMaxDepth) {
        Fail(at, "query nests too deeply");
        return nullptr;
      }
      auto operand = FieldUnary();
      --depth_;
      return operand ? MakeUnary(FieldOp::kNeg, at, std::move(operand)) : nullptr;
    }
    if (t.kind == Tok::kOpenParen) {
      Take();
      auto inner = Field(0);
      if (!inner || !Expect(Tok::kCloseParen, "`)`")) return nullptr;
      return inner;
    }
    if (IsStaticToken(t.kind)) return MakeLiteral(StaticValue(Take()), at);
    if (t.kind == Tok::kAttribute || t.kind == Tok::kIntrinsic) {
      return MakeAttribute(Take().attribute, at);
    }
    Unexpected("a field expression");
    return nullptr;
  }

  // An attribute or intrinsic, for select(), by (…) and *_over_time().
  std::unique_ptr<FieldExpr> AttributeArg() {
    const Token& t = Peek();
    if (t.kind != Tok::kAttribute && t.kind != Tok::kIntrinsic) {
      Unexpected("an attribute or intrinsic");
      return nullptr;
    }
    Position at = t.pos;
    return MakeAttribute(Take().attribute, at);
  }

  bool AttributeList(std::vector<std::unique_ptr<FieldExpr>>* out) {
    do {
      auto a = AttributeArg();
      if (!a) return false;
      out->push_back(std::move(a));
    } while (Peek().kind == Tok::kComma && (Take(), true));
    return true;
  }

  // ---- pipeline-level expressions ----

  std::unique_ptr<Node> Expr(int min_prec) {
    if (++depth_ > kMaxDepth) {
      Fail(Peek().pos, "query nests too deeply");
      return nullptr;
    }
    std::unique_ptr<Node> lhs = Primary();
    while (lhs) {
      Tok t = Peek().kind;
      int prec = PipelinePrecedence(t);
      if (prec < 0 || prec < min_prec) break;
      Position at = Take().pos;
      std::unique_ptr<Node> rhs = Expr(t == Tok::kPow ? prec : prec + 1);
      if (!rhs) return nullptr;
      auto n = std::make_unique<Node>();
      n->kind = Node::Kind::kBinary;
      n->pos = at;
      n->op = t;
      n->lhs = std::move(lhs);
      n->rhs = std::move(rhs);
      lhs = std::move(n);
    }
    --depth_;
    return lhs;
  }

  std::unique_ptr<Node> NewNode(Node::Kind kind, Position at, Tok op = Tok::kEnd) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->pos = at;
    n->op = op;
    return n;
  }

  std::unique_ptr<Node> Primary() {
    const Token& t = Peek();
    Position at = t.pos;
    Tok kind = t.kind;
    switch (kind) {
      case Tok::kOpenBrace: return Filter();
      case Tok::kOpenParen: {
        Take();
        auto n = NewNode(Node::Kind::kParen, at);
        n->lhs = Expr(0);
        if (!n->lhs || !Expect(Tok::kCloseParen, "`)`")) return nullptr;
        return n;
      }
      case Tok::kCount: case Tok::kAvg: case Tok::kMin: case Tok::kMax: case Tok::kSum: {
        Take();
        auto n = NewNode(Node::Kind::kAggregate, at, kind);
        if (!Expect(Tok::kOpenParen, "`(`")) return nullptr;
        if (kind == Tok::kCount) {
          if (!Expect(Tok::kCloseParen, "`)` (count() takes no argument)")) return nullptr;
          return n;
        }
        n->field = Field(0);
        if (!n->field || !Expect(Tok::kCloseParen, "`)`")) return nullptr;
        return n;
      }
      case Tok::kBy: {
        Take();
        auto n = NewNode(Node::Kind::kBy, at);
        if (!Expect(Tok::kOpenParen, "`(`")) return nullptr;
        n->field = Field(0);
        if (!n->field || !Expect(Tok::kCloseParen, "`)`")) return nullptr;
        return n;
      }
      case Tok::kCoalesce: {
        Take();
        if (!Expect(Tok::kOpenParen, "`(`") || !Expect(Tok::kCloseParen, "`)`")) return nullptr;
        return NewNode(Node::Kind::kCoalesce, at);
      }
      case Tok::kSelect: {
        Take();
        auto n = NewNode(Node::Kind::kSelect, at);
        if (!Expect(Tok::kOpenParen, "`(`") || !AttributeList(&n->attrs) ||
            !Expect(Tok::kCloseParen, "`)`")) {
          return nullptr;
        }
        return n;
      }
      case Tok::kTopK: case Tok::kBottomK: {
        Take();
        auto n = NewNode(Node::Kind::kSecondStage, at, kind);
        if (!Expect(Tok::kOpenParen, "`(`")) return nullptr;
        if (Peek().kind != Tok::kInt) {
          Unexpected("a non-negative integer");
          return nullptr;
        }
        n->limit = Take().value.i;
        if (!Expect(Tok::kCloseParen, "`)`")) return nullptr;
        return n;
      }
      case Tok::kRate: case Tok::kCountOverTime: case Tok::kMinOverTime: case Tok::kMaxOverTime:
      case Tok::kAvgOverTime: case Tok::kSumOverTime: case Tok::kQuantileOverTime:
      case Tok::kHistogramOverTime: case Tok::kCompare:
        return Metrics();
      case Tok::kSub: {
        Take();
        Tok k = Peek().kind;
        if (k != Tok::kInt && k != Tok::kFloat && k != Tok::kDuration) {
          Unexpected("a number after unary `-`");
          return nullptr;
        }
        auto n = NewNode(Node::Kind::kStatic, at);
        auto folded = MakeUnary(FieldOp::kNeg, at, MakeLiteral(Take().value, at));
        if (folded->kind != FieldExpr::Kind::kLiteral) {
          Fail(at, "number out of range");
          return nullptr;
        }
        n->value = folded->value;
        return n;
      }
      default:
        break;
    }
    if (IsStaticToken(kind)) {
      auto n = NewNode(Node::Kind::kStatic, at);
      n->value = StaticValue(Take());
      return n;
    }
    Unexpected("`{`, `(`, an aggregate, by(), select() or a metrics function");
    return nullptr;
  }

  std::unique_ptr<Node> Filter() {
    auto n = NewNode(Node::Kind::kFilter, Take().pos);
    if (Peek().kind == Tok::kCloseBrace) {
      n->field = MakeLiteral(Value::Bool(true), Take().pos);
      return n;
    }
    n->field = Field(0);
    if (!n->field || !Expect(Tok::kCloseBrace, "`}` or an operator")) return nullptr;
    return n;
  }

  bool Integer(int64_t* out) {
    if (Peek().kind != Tok::kInt) return Unexpected("an integer");
    *out = Take().value.i;
    return true;
  }

  std::unique_ptr<Node> Metrics() {
    const Token& t = Take();
    Position at = t.pos;
    auto m = std::make_unique<MetricsAggregate>();
    m->pos = at;
    switch (t.kind) {
      case Tok::kRate: m->function = MetricsFunction::kRate; break;
      case Tok::kCountOverTime: m->function = MetricsFunction::kCountOverTime; break;
      case Tok::kMinOverTime: m->function = MetricsFunction::kMinOverTime; break;
      case Tok::kMaxOverTime: m->function = MetricsFunction::kMaxOverTime; break;
      case Tok::kAvgOverTime: m->function = MetricsFunction::kAvgOverTime; break;
      case Tok::kSumOverTime: m->function = MetricsFunction::kSumOverTime; break;
      case Tok::kQuantileOverTime: m->function = MetricsFunction::kQuantileOverTime; break;
      case Tok::kHistogramOverTime: m->function = MetricsFunction::kHistogramOverTime; break;
      default: m->function = MetricsFunction::kCompare; break;
    }
    if (!Expect(Tok::kOpenParen, "`(`")) return nullptr;
    switch (m->function) {
      case MetricsFunction::kRate:
      case MetricsFunction::kCountOverTime:
        break;
      case MetricsFunction::kCompare: {
        if (Peek().kind != Tok::kOpenBrace) {
          Unexpected("a spanset filter `{ … }`");
          return nullptr;
        }
        auto f = Filter();
        if (!f) return nullptr;
        m->compare_filter = std::make_unique<SpansetExpr>();
        m->compare_filter->kind = SpansetExpr::Kind::kFilter;
        m->compare_filter->pos = f->pos;
        m->compare_filter->filter = std::move(f->field);
        if (Peek().kind == Tok::kComma) {
          Take();
          if (!Integer(&m->compare_top_n)) return nullptr;
          m->compare_args = 2;
          if (Peek().kind == Tok::kComma) {
            Take();
            if (!Integer(&m->compare_start_ns) || !Expect(Tok::kComma, "`,`") ||
                !Integer(&m->compare_end_ns)) {
              return nullptr;
            }
            m->compare_args = 4;
          }
        }
        break;
      }
      default: {
        m->attribute = AttributeArg();
        if (!m->attribute) return nullptr;
        if (m->function == MetricsFunction::kQuantileOverTime) {
          if (!Expect(Tok::kComma, "`,` and quantiles")) return nullptr;
          do {
            Tok k = Peek().kind;
            if (k != Tok::kInt && k != Tok::kFloat) {
              Unexpected("a quantile");
              return nullptr;
            }
            m->quantiles.push_back(Take().value.AsDouble());
          } while (Peek().kind == Tok::kComma && (Take(), true));
        }
        break;
      }
    }
    if (!Expect(Tok::kCloseParen, "`)`")) return nullptr;
    if (Peek().kind == Tok::kBy) {
      Take();
      if (!Expect(Tok::kOpenParen, "`(`") || !AttributeList(&m->by) ||
          !Expect(Tok::kCloseParen, "`)`")) {
        return nullptr;
      }
    }
    auto n = NewNode(Node::Kind::kMetrics, at);
    n->metrics = std::move(m);
    return n;
  }

  bool Hints(std::vector<Hint>* hints) {
    Take();  // with
    if (!Expect(Tok::kOpenParen, "`(`")) return false;
    do {
      const Token& name = Peek();
      // Hint names are identifiers; keywords (`count`, `rate`, …) are not hint names in Tempo.
      if (name.kind != Tok::kIdentifier) return Unexpected("a hint name");
      Hint h;
      h.pos = name.pos;
      h.name = std::string(Take().text);
      if (!Expect(Tok::kEq, "`=`")) return false;
      if (!IsStaticToken(Peek().kind)) return Unexpected("a hint value");
      h.value = StaticValue(Take());
      hints->push_back(std::move(h));
    } while (Peek().kind == Tok::kComma && (Take(), true));
    return Expect(Tok::kCloseParen, "`,` or `)`");
  }

  std::vector<Token> toks_;
  ParseError* error_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool failed_ = false;
};

}  // namespace

bool ParseSyntaxTree(std::string_view text, SyntaxTree* tree, ParseError* error) {
  std::vector<Token> tokens;
  if (!Lex(text, &tokens, error)) return false;
  Parser p(std::move(tokens), error);
  return p.Run(tree);
}

}  // namespace th::query::traceql::internal

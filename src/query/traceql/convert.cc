// Pass two of parsing (see internal/syntax.h): checks the surface tree's shape against Tempo's
// grammar and builds the typed AST. Every failure here is a parse error, as in Tempo, whose
// grammar rejects these shapes outright:
//   root := spansetPipeline | spansetPipelineExpression | scalarPipelineExpressionFilter
//         | spansetPipeline `|` metricsFunction secondStages | metricsExpression secondStages
#include <string>

#include "common/strings.h"
#include "query/traceql/internal/syntax.h"

namespace th::query::traceql::internal {
namespace {

using K = Node::Kind;

bool IsSpansetOpTok(Tok t) {
  switch (t) {
    case Tok::kAnd:
    case Tok::kOr:
    case Tok::kGt:
    case Tok::kLt:
    case Tok::kDesc:
    case Tok::kAnce:
    case Tok::kTilde:
    case Tok::kNotChild:
    case Tok::kNotParent:
    case Tok::kNotDesc:
    case Tok::kNotAnce:
    case Tok::kNotRegex:
    case Tok::kUnionChild:
    case Tok::kUnionParent:
    case Tok::kUnionDesc:
    case Tok::kUnionAnce:
    case Tok::kUnionSibl:
      return true;
    default:
      return false;
  }
}

bool IsCompareTok(Tok t) {
  return t == Tok::kEq || t == Tok::kNeq || t == Tok::kLt || t == Tok::kLte || t == Tok::kGt ||
         t == Tok::kGte;
}

bool IsArithTok(Tok t) {
  return t == Tok::kAdd || t == Tok::kSub || t == Tok::kMul || t == Tok::kDiv || t == Tok::kMod ||
         t == Tok::kPow;
}

SpansetOp ToSpansetOp(Tok t) {
  switch (t) {
    case Tok::kAnd:
      return SpansetOp::kAnd;
    case Tok::kOr:
      return SpansetOp::kUnion;
    case Tok::kGt:
      return SpansetOp::kChild;
    case Tok::kLt:
      return SpansetOp::kParent;
    case Tok::kDesc:
      return SpansetOp::kDescendant;
    case Tok::kAnce:
      return SpansetOp::kAncestor;
    case Tok::kTilde:
      return SpansetOp::kSibling;
    case Tok::kNotChild:
      return SpansetOp::kNotChild;
    case Tok::kNotParent:
      return SpansetOp::kNotParent;
    case Tok::kNotDesc:
      return SpansetOp::kNotDescendant;
    case Tok::kNotAnce:
      return SpansetOp::kNotAncestor;
    case Tok::kNotRegex:
      return SpansetOp::kNotSibling;
    case Tok::kUnionChild:
      return SpansetOp::kUnionChild;
    case Tok::kUnionParent:
      return SpansetOp::kUnionParent;
    case Tok::kUnionDesc:
      return SpansetOp::kUnionDescendant;
    case Tok::kUnionAnce:
      return SpansetOp::kUnionAncestor;
    default:
      return SpansetOp::kUnionSibling;
  }
}

CompareOp ToCompareOp(Tok t) {
  switch (t) {
    case Tok::kEq:
      return CompareOp::kEq;
    case Tok::kNeq:
      return CompareOp::kNeq;
    case Tok::kLt:
      return CompareOp::kLt;
    case Tok::kLte:
      return CompareOp::kLte;
    case Tok::kGt:
      return CompareOp::kGt;
    default:
      return CompareOp::kGte;
  }
}

ArithOp ToArithOp(Tok t) {
  switch (t) {
    case Tok::kAdd:
      return ArithOp::kAdd;
    case Tok::kSub:
      return ArithOp::kSub;
    case Tok::kMul:
      return ArithOp::kMul;
    case Tok::kDiv:
      return ArithOp::kDiv;
    case Tok::kMod:
      return ArithOp::kMod;
    default:
      return ArithOp::kPow;
  }
}

AggregateOp ToAggregateOp(Tok t) {
  switch (t) {
    case Tok::kAvg:
      return AggregateOp::kAvg;
    case Tok::kMin:
      return AggregateOp::kMin;
    case Tok::kMax:
      return AggregateOp::kMax;
    case Tok::kSum:
      return AggregateOp::kSum;
    default:
      return AggregateOp::kCount;
  }
}

bool IsBinary(const Node& n, bool (*pred)(Tok)) { return n.kind == K::kBinary && pred(n.op); }

// The stages of a left-associative `|` chain, in order.
void Flatten(Node* n, std::vector<Node*>* out) {
  if (n->kind == K::kBinary && n->op == Tok::kPipe) {
    Flatten(n->lhs.get(), out);
    out->push_back(n->rhs.get());
  } else {
    out->push_back(n);
  }
}

std::vector<Node*> Stages(Node* n) {
  std::vector<Node*> out;
  Flatten(n, &out);
  return out;
}

// `{a} && ({b} > {c})`: filters joined by spanset operators, any parentheses.
bool IsPureSpanset(const Node& n) {
  if (n.kind == K::kFilter) return true;
  if (n.kind == K::kParen) return IsPureSpanset(*n.lhs);
  return IsBinary(n, IsSpansetOpTok) && IsPureSpanset(*n.lhs) && IsPureSpanset(*n.rhs);
}

// count(), numbers, and arithmetic between them.
bool IsScalar(const Node& n) {
  if (n.kind == K::kAggregate) return true;
  if (n.kind == K::kStatic) return n.value.IsNumeric();
  if (n.kind == K::kParen) return IsScalar(*n.lhs);
  return IsBinary(n, IsArithTok) && IsScalar(*n.lhs) && IsScalar(*n.rhs);
}

bool ContainsMetrics(const Node& n) {
  if (n.kind == K::kMetrics || n.kind == K::kSecondStage) return true;
  if (n.kind == K::kParen) return ContainsMetrics(*n.lhs);
  if (n.kind == K::kBinary) return ContainsMetrics(*n.lhs) || ContainsMetrics(*n.rhs);
  return false;
}

// A metrics function, possibly followed by comparison filters: `rate() by (x) > 10`.
bool IsMetricsHead(const Node& n, Node::Kind head) {
  if (n.kind == head) return true;
  return IsBinary(n, IsCompareTok) && n.rhs->kind == K::kStatic && IsMetricsHead(*n.lhs, head);
}

enum class PipeKind { kSpanset, kScalar, kMetrics };

PipeKind KindOfPipeline(Node* n) {
  if (ContainsMetrics(*n)) return PipeKind::kMetrics;
  std::vector<Node*> stages = Stages(n);
  if (stages.size() > 1 && stages.back()->kind == K::kAggregate) return PipeKind::kScalar;
  return PipeKind::kSpanset;
}

// `({a} | count() > 1) && ({b})`: parenthesised spanset pipelines joined by spanset operators.
bool IsPipelineExprTree(Node* n) {
  if (n->kind == K::kParen) {
    Node* inner = n->lhs.get();
    return IsPipelineExprTree(inner) || KindOfPipeline(inner) == PipeKind::kSpanset;
  }
  return IsBinary(*n, IsSpansetOpTok) && IsPipelineExprTree(n->lhs.get()) &&
         IsPipelineExprTree(n->rhs.get());
}

// `({a} | count()) + ({b} | avg(duration))`.
bool ContainsScalarPipeline(Node* n) {
  if (n->kind == K::kParen) {
    return KindOfPipeline(n->lhs.get()) == PipeKind::kScalar ||
           ContainsScalarPipeline(n->lhs.get());
  }
  if (IsBinary(*n, IsArithTok)) {
    return ContainsScalarPipeline(n->lhs.get()) || ContainsScalarPipeline(n->rhs.get());
  }
  return false;
}

class Converter {
 public:
  explicit Converter(ParseError* error) : error_(error) {}

  bool Root(SyntaxTree tree, Query* q) {
    q->hints = std::move(tree.hints);
    Node* root = tree.root.get();
    std::vector<Node*> stages = Stages(root);
    if (ContainsMetrics(*root)) return MetricsRoot(stages, q);
    if (IsBinary(*root, IsCompareTok) && ContainsScalarPipeline(root->lhs.get())) {
      return ScalarPipelineFilter(root, q);
    }
    if (stages.size() == 1 && !IsPureSpanset(*root) && IsPipelineExprTree(root)) {
      auto e = PipelineExprTree(root);
      if (!e) return false;
      q->pipeline = std::make_unique<Pipeline>();
      Stage s;
      s.kind = Stage::Kind::kSpanset;
      s.pos = e->pos;
      s.spanset = std::move(e);
      q->pipeline->stages.push_back(std::move(s));
      return true;
    }
    q->pipeline = SpansetPipeline(stages, /*aggregate_last=*/false);
    return q->pipeline != nullptr;
  }

 private:
  bool Fail(Position at, std::string message) {
    return SetParseError(error_, at, std::move(message));
  }

  std::unique_ptr<SpansetExpr> PureSpanset(Node* n) {
    if (n->kind == K::kParen) return PureSpanset(n->lhs.get());
    auto e = std::make_unique<SpansetExpr>();
    e->pos = n->pos;
    if (n->kind == K::kFilter) {
      e->kind = SpansetExpr::Kind::kFilter;
      e->filter = std::move(n->field);
      return e;
    }
    e->kind = SpansetExpr::Kind::kOperation;
    e->op = ToSpansetOp(n->op);
    e->lhs = PureSpanset(n->lhs.get());
    e->rhs = PureSpanset(n->rhs.get());
    return e;
  }

  std::unique_ptr<SpansetExpr> PipelineExprTree(Node* n) {
    auto e = std::make_unique<SpansetExpr>();
    e->pos = n->pos;
    if (n->kind == K::kParen) {
      Node* inner = n->lhs.get();
      if (inner->kind == K::kParen ||
          (IsBinary(*inner, IsSpansetOpTok) && IsPipelineExprTree(inner))) {
        return PipelineExprTree(inner);
      }
      e->kind = SpansetExpr::Kind::kPipeline;
      e->pipeline = SpansetPipeline(Stages(inner), false);
      if (!e->pipeline) return nullptr;
      return e;
    }
    e->kind = SpansetExpr::Kind::kOperation;
    e->op = ToSpansetOp(n->op);
    e->lhs = PipelineExprTree(n->lhs.get());
    if (!e->lhs) return nullptr;
    e->rhs = PipelineExprTree(n->rhs.get());
    if (!e->rhs) return nullptr;
    return e;
  }

  std::unique_ptr<ScalarExpr> Scalar(Node* n) {
    if (n->kind == K::kParen) return Scalar(n->lhs.get());
    auto e = std::make_unique<ScalarExpr>();
    e->pos = n->pos;
    switch (n->kind) {
      case K::kAggregate:
        e->kind = ScalarExpr::Kind::kAggregate;
        e->aggregate = ToAggregateOp(n->op);
        e->argument = std::move(n->field);
        return e;
      case K::kStatic:
        e->kind = ScalarExpr::Kind::kLiteral;
        e->value = n->value;
        return e;
      default:
        e->kind = ScalarExpr::Kind::kBinary;
        e->op = ToArithOp(n->op);
        e->lhs = Scalar(n->lhs.get());
        e->rhs = Scalar(n->rhs.get());
        return e;
    }
  }

  // Arithmetic whose leaves are parenthesised pipelines ending in an aggregate.
  std::unique_ptr<ScalarExpr> ScalarPipelineExpr(Node* n) {
    if (n->kind == K::kParen) {
      Node* inner = n->lhs.get();
      if (KindOfPipeline(inner) != PipeKind::kScalar) return ScalarPipelineExpr(inner);
      auto e = std::make_unique<ScalarExpr>();
      e->kind = ScalarExpr::Kind::kPipeline;
      e->pos = n->pos;
      e->pipeline = SpansetPipeline(Stages(inner), /*aggregate_last=*/true);
      if (!e->pipeline) return nullptr;
      return e;
    }
    if (IsBinary(*n, IsArithTok)) {
      auto e = std::make_unique<ScalarExpr>();
      e->kind = ScalarExpr::Kind::kBinary;
      e->pos = n->pos;
      e->op = ToArithOp(n->op);
      e->lhs = ScalarPipelineExpr(n->lhs.get());
      if (!e->lhs) return nullptr;
      e->rhs = ScalarPipelineExpr(n->rhs.get());
      if (!e->rhs) return nullptr;
      return e;
    }
    Fail(n->pos, "expected a parenthesised pipeline ending in an aggregate, as in ({ } | count())");
    return nullptr;
  }

  bool ScalarPipelineFilter(Node* root, Query* q) {
    auto f = std::make_unique<ScalarFilter>();
    f->pos = root->pos;
    f->op = ToCompareOp(root->op);
    f->lhs = ScalarPipelineExpr(root->lhs.get());
    if (!f->lhs) return false;
    if (root->rhs->kind == K::kStatic) {
      f->rhs = std::make_unique<ScalarExpr>();
      f->rhs->kind = ScalarExpr::Kind::kLiteral;
      f->rhs->pos = root->rhs->pos;
      f->rhs->value = root->rhs->value;
    } else {
      f->rhs = ScalarPipelineExpr(root->rhs.get());
      if (!f->rhs) return false;
    }
    q->pipeline = std::make_unique<Pipeline>();
    Stage s;
    s.kind = Stage::Kind::kScalarFilter;
    s.pos = f->pos;
    s.scalar_filter = std::move(f);
    q->pipeline->stages.push_back(std::move(s));
    return true;
  }

  // One stage of a spanset pipeline. `first` forbids coalesce(); `aggregate_ok` allows a bare
  // aggregate (the last stage of a scalar pipeline).
  bool PipelineStage(Node* n, bool first, bool aggregate_ok, Pipeline* p) {
    Stage s;
    s.pos = n->pos;
    if (IsPureSpanset(*n)) {
      s.kind = Stage::Kind::kSpanset;
      s.spanset = PureSpanset(n);
    } else if (n->kind == K::kBy) {
      s.kind = Stage::Kind::kGroupBy;
      s.group_by = std::move(n->field);
    } else if (n->kind == K::kCoalesce) {
      if (first) return Fail(n->pos, "a pipeline cannot start with coalesce()");
      s.kind = Stage::Kind::kCoalesce;
    } else if (n->kind == K::kSelect) {
      s.kind = Stage::Kind::kSelect;
      s.select = std::move(n->attrs);
    } else if (n->kind == K::kAggregate) {
      if (!aggregate_ok) {
        return Fail(n->pos, "an aggregate must be compared with a value, as in count() > 1");
      }
      s.kind = Stage::Kind::kAggregate;
      s.aggregate = Scalar(n);
    } else if (IsBinary(*n, IsCompareTok) && IsScalar(*n->lhs) && IsScalar(*n->rhs)) {
      s.kind = Stage::Kind::kScalarFilter;
      s.scalar_filter = std::make_unique<ScalarFilter>();
      s.scalar_filter->pos = n->pos;
      s.scalar_filter->op = ToCompareOp(n->op);
      s.scalar_filter->lhs = Scalar(n->lhs.get());
      s.scalar_filter->rhs = Scalar(n->rhs.get());
    } else {
      return Fail(n->pos, Complaint(*n));
    }
    p->stages.push_back(std::move(s));
    return true;
  }

  static std::string Complaint(const Node& n) {
    switch (n.kind) {
      case K::kBinary:
        if (IsArithTok(n.op) || IsCompareTok(n.op) || IsSpansetOpTok(n.op) || n.op == Tok::kRegex) {
          return "operator cannot combine these operands (spansets combine with && || and "
                 "structural operators, aggregates with comparisons)";
        }
        return "unexpected operator";
      case K::kStatic:
        return "expected a spanset filter `{ … }`, not a value";
      case K::kParen:
        return "a parenthesised pipeline cannot be used here";
      case K::kMetrics:
        return "a metrics function must follow a spanset pipeline, as in { } | rate()";
      case K::kSecondStage:
        return "topk() and bottomk() must follow a metrics function";
      default:
        return "unexpected pipeline stage";
    }
  }

  std::unique_ptr<Pipeline> SpansetPipeline(const std::vector<Node*>& stages, bool aggregate_last) {
    auto p = std::make_unique<Pipeline>();
    for (size_t i = 0; i < stages.size(); ++i) {
      bool last = i + 1 == stages.size();
      if (!PipelineStage(stages[i], i == 0, aggregate_last && last && i > 0, p.get())) {
        return nullptr;
      }
    }
    if (aggregate_last && p->stages.back().kind != Stage::Kind::kAggregate) {
      Fail(stages.back()->pos, "expected an aggregate");
      return nullptr;
    }
    return p;
  }

  // Appends `> 10`-style filters (and the topk/bottomk they follow) to `out`.
  bool SecondStages(Node* n, std::vector<SecondStage>* out) {
    if (n->kind == K::kSecondStage) {
      SecondStage s;
      s.kind = n->op == Tok::kTopK ? SecondStage::Kind::kTopK : SecondStage::Kind::kBottomK;
      s.pos = n->pos;
      s.limit = n->limit;
      out->push_back(s);
      return true;
    }
    if (IsBinary(*n, IsCompareTok) && n->rhs->kind == K::kStatic) {
      if (n->lhs->kind != K::kMetrics && !SecondStages(n->lhs.get(), out)) return false;
      SecondStage s;
      s.kind = SecondStage::Kind::kFilter;
      s.pos = n->pos;
      s.op = ToCompareOp(n->op);
      s.threshold = n->rhs->value;
      out->push_back(std::move(s));
      return true;
    }
    return Fail(n->pos, "expected topk(), bottomk() or a comparison with a number");
  }

  Node* HeadOf(Node* n) {
    while (IsBinary(*n, IsCompareTok) && n->rhs->kind == K::kStatic) n = n->lhs.get();
    return n;
  }

  // `stages` = spanset pipeline, then the metrics function, then second stages.
  std::unique_ptr<MetricsExpr> MetricsLeaf(const std::vector<Node*>& stages, Position pos) {
    size_t i = 0;
    while (i < stages.size() && !IsMetricsHead(*stages[i], K::kMetrics)) ++i;
    if (i == stages.size()) {
      for (Node* s : stages) {
        if (ContainsMetrics(*s)) {
          Fail(s->pos, "a metrics function must follow a spanset pipeline, as in { } | rate()");
          return nullptr;
        }
      }
      Fail(pos, "expected a metrics function");
      return nullptr;
    }
    if (i == 0) {
      Fail(stages[0]->pos, "a metrics function must follow a spanset pipeline, as in { } | rate()");
      return nullptr;
    }
    auto leaf = std::make_unique<MetricsExpr>();
    leaf->kind = MetricsExpr::Kind::kLeaf;
    leaf->pos = pos;
    leaf->pipeline = SpansetPipeline(std::vector<Node*>(stages.begin(), stages.begin() + i), false);
    if (!leaf->pipeline) return nullptr;
    leaf->aggregate = std::move(HeadOf(stages[i])->metrics);
    if (stages[i]->kind != K::kMetrics && !SecondStages(stages[i], &leaf->second_stages)) {
      return nullptr;
    }
    for (size_t k = i + 1; k < stages.size(); ++k) {
      if (!IsMetricsHead(*stages[k], K::kSecondStage)) {
        Fail(stages[k]->pos,
             "only topk(), bottomk() or a comparison may follow a metrics function");
        return nullptr;
      }
      if (!SecondStages(stages[k], &leaf->second_stages)) return nullptr;
    }
    return leaf;
  }

  // Arithmetic between parenthesised metrics pipelines and numbers.
  std::unique_ptr<MetricsExpr> MetricsMath(Node* n) {
    if (n->kind == K::kParen) {
      Node* inner = n->lhs.get();
      if (inner->kind == K::kBinary && inner->op == Tok::kPipe) {
        return MetricsLeaf(Stages(inner), n->pos);
      }
      return MetricsMath(inner);
    }
    auto e = std::make_unique<MetricsExpr>();
    e->pos = n->pos;
    if (n->kind == K::kStatic) {
      e->kind = MetricsExpr::Kind::kLiteral;
      e->value = n->value;
      return e;
    }
    if (IsBinary(*n, IsArithTok)) {
      e->kind = MetricsExpr::Kind::kBinary;
      e->op = ToArithOp(n->op);
      e->lhs = MetricsMath(n->lhs.get());
      if (!e->lhs) return nullptr;
      e->rhs = MetricsMath(n->rhs.get());
      if (!e->rhs) return nullptr;
      return e;
    }
    Fail(n->pos, "expected a parenthesised metrics pipeline or a number, as in ({ } | rate()) / 2");
    return nullptr;
  }

  bool MetricsRoot(const std::vector<Node*>& stages, Query* q) {
    Node* first = stages[0];
    bool math = ContainsMetrics(*first) && !IsMetricsHead(*first, K::kMetrics) &&
                !IsMetricsHead(*first, K::kSecondStage);
    if (!math) {
      q->metrics = MetricsLeaf(stages, first->pos);
      return q->metrics != nullptr;
    }
    // metricsExpression followed by second stages; the filters directly on the expression
    // (`(…) / (…) > 10`) come first.
    Node* head = HeadOf(first);
    q->metrics = MetricsMath(head);
    if (!q->metrics) return false;
    std::vector<SecondStage> second;
    if (head != first) {
      // Collect the filters wrapped around `head`, innermost first.
      std::vector<Node*> chain;
      for (Node* n = first; n != head; n = n->lhs.get()) chain.push_back(n);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        SecondStage s;
        s.kind = SecondStage::Kind::kFilter;
        s.pos = (*it)->pos;
        s.op = ToCompareOp((*it)->op);
        s.threshold = (*it)->rhs->value;
        second.push_back(std::move(s));
      }
    }
    for (size_t k = 1; k < stages.size(); ++k) {
      if (!IsMetricsHead(*stages[k], K::kSecondStage)) {
        return Fail(stages[k]->pos,
                    "only topk(), bottomk() or a comparison may follow a metrics expression");
      }
      if (!SecondStages(stages[k], &second)) return false;
    }
    if (q->metrics->kind == MetricsExpr::Kind::kLeaf) {
      // `({ } | rate()) > 1` is the same query as `{ } | rate() > 1`.
      for (SecondStage& s : second) q->metrics->second_stages.push_back(std::move(s));
    } else if (q->metrics->kind == MetricsExpr::Kind::kLiteral) {
      return Fail(head->pos, "expected a parenthesised metrics pipeline");
    } else {
      q->second_stages = std::move(second);
    }
    return true;
  }

  ParseError* error_;
};

}  // namespace

bool ConvertSyntaxTree(SyntaxTree tree, Query* query, ParseError* error) {
  return Converter(error).Root(std::move(tree), query);
}

}  // namespace th::query::traceql::internal

// Recursive-descent parser for OTTL conditions (grammar in ottl.h).
#include <map>

#include "common/strings.h"
#include "pipeline/processor/filter/ottl.h"
#include "pipeline/processor/filter/ottl_ast.h"
#include "pipeline/processor/filter/ottl_lexer.h"

#include <re2/re2.h>

namespace th::pipeline::ottl {
namespace {

constexpr int kMaxDepth = 64;

const std::map<std::string, int64_t, std::less<>>& Enums() {
  static const auto* enums = new std::map<std::string, int64_t, std::less<>>{
      {"SPAN_KIND_UNSPECIFIED", 0}, {"SPAN_KIND_INTERNAL", 1}, {"SPAN_KIND_SERVER", 2},
      {"SPAN_KIND_CLIENT", 3},      {"SPAN_KIND_PRODUCER", 4}, {"SPAN_KIND_CONSUMER", 5},
      {"STATUS_CODE_UNSET", 0},     {"STATUS_CODE_OK", 1},     {"STATUS_CODE_ERROR", 2},
  };
  return *enums;
}

struct FuncInfo {
  Func func;
  size_t arity;
  bool returns_bool;
};

const std::map<std::string, FuncInfo, std::less<>>& Funcs() {
  static const auto* funcs = new std::map<std::string, FuncInfo, std::less<>>{
      {"IsMatch", {Func::kIsMatch, 2, true}}, {"IsString", {Func::kIsString, 1, true}},
      {"IsInt", {Func::kIsInt, 1, true}},     {"IsDouble", {Func::kIsDouble, 1, true}},
      {"IsBool", {Func::kIsBool, 1, true}},   {"IsMap", {Func::kIsMap, 1, true}},
      {"IsList", {Func::kIsList, 1, true}},   {"Len", {Func::kLen, 1, false}},
  };
  return *funcs;
}

// Field paths (dotted, without keys) per context.
const std::map<std::string, Field, std::less<>>& SpanPaths() {
  static const auto* paths = new std::map<std::string, Field, std::less<>>{
      {"name", Field::kName},
      {"kind", Field::kKind},
      {"status.code", Field::kStatusCode},
      {"status.message", Field::kStatusMessage},
      {"trace_id.string", Field::kTraceIdString},
      {"span_id.string", Field::kSpanIdString},
      {"parent_span_id.string", Field::kParentSpanIdString},
      {"trace_id", Field::kTraceId},
      {"span_id", Field::kSpanId},
      {"parent_span_id", Field::kParentSpanId},
      {"trace_state", Field::kTraceState},
      {"start_time_unix_nano", Field::kStartTime},
      {"end_time_unix_nano", Field::kEndTime},
      {"attributes", Field::kAttributes},
      {"dropped_attributes_count", Field::kDroppedAttributesCount},
      {"dropped_events_count", Field::kDroppedEventsCount},
      {"dropped_links_count", Field::kDroppedLinksCount},
  };
  return *paths;
}

const std::map<std::string, Field, std::less<>>& SharedPaths() {
  static const auto* paths = new std::map<std::string, Field, std::less<>>{
      {"resource.attributes", Field::kResourceAttributes},
      {"resource.dropped_attributes_count", Field::kResourceDroppedAttributesCount},
      {"instrumentation_scope.name", Field::kScopeName},
      {"instrumentation_scope.version", Field::kScopeVersion},
      {"instrumentation_scope.attributes", Field::kScopeAttributes},
  };
  return *paths;
}

const std::map<std::string, Field, std::less<>>& EventPaths() {
  static const auto* paths = new std::map<std::string, Field, std::less<>>{
      {"name", Field::kEventName},
      {"time_unix_nano", Field::kEventTime},
      {"attributes", Field::kEventAttributes},
      {"dropped_attributes_count", Field::kEventDroppedAttributesCount},
  };
  return *paths;
}

bool IsMapField(Field f) {
  return f == Field::kAttributes || f == Field::kResourceAttributes ||
         f == Field::kScopeAttributes || f == Field::kEventAttributes;
}

bool ResolvePath(std::string_view dotted, Context context, Field* out) {
  auto find = [&](const std::map<std::string, Field, std::less<>>& m, std::string_view p) {
    auto it = m.find(p);
    if (it == m.end()) return false;
    *out = it->second;
    return true;
  };
  if (find(SharedPaths(), dotted)) return true;
  if (context == Context::kSpan) {
    if (dotted.starts_with("span.")) dotted.remove_prefix(5);
    return find(SpanPaths(), dotted);
  }
  if (dotted.starts_with("span.")) return find(SpanPaths(), dotted.substr(5));
  if (dotted.starts_with("spanevent.")) dotted.remove_prefix(10);
  return find(EventPaths(), dotted);
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, Context context)
      : tokens_(std::move(tokens)), context_(context) {}

  Result<BoolNode> ParseCondition() {
    ASSIGN_OR_RETURN(BoolNode root, ParseOr(0));
    if (Peek().kind != TokenKind::kEnd) {
      return SyntaxError(Peek().pos, th::StrCat("unexpected ", Describe(Peek()),
                                                "; expected \"and\", \"or\" or the end"));
    }
    return root;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsKeyword(const Token& t, std::string_view word) const {
    return t.kind == TokenKind::kIdent && t.text == word;
  }
  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEnd:
        return "end of condition";
      case TokenKind::kString:
        return th::StrCat("string \"", t.text, "\"");
      case TokenKind::kBytes:
        return "bytes literal";
      default:
        return th::StrCat("\"", t.text, "\"");
    }
  }
  Status Expect(TokenKind kind, std::string_view what) {
    if (Peek().kind != kind) {
      return SyntaxError(Peek().pos, th::StrCat("expected ", what, ", found ", Describe(Peek())));
    }
    Next();
    return absl::OkStatus();
  }

  Result<BoolNode> ParseOr(int depth) {
    if (depth > kMaxDepth) return SyntaxError(Peek().pos, "condition is nested too deeply");
    ASSIGN_OR_RETURN(BoolNode first, ParseAnd(depth));
    if (!IsKeyword(Peek(), "or")) return first;
    BoolNode node;
    node.kind = BoolNode::Kind::kOr;
    node.children.push_back(std::move(first));
    while (IsKeyword(Peek(), "or")) {
      Next();
      ASSIGN_OR_RETURN(BoolNode rhs, ParseAnd(depth));
      node.children.push_back(std::move(rhs));
    }
    return node;
  }

  Result<BoolNode> ParseAnd(int depth) {
    ASSIGN_OR_RETURN(BoolNode first, ParseBoolValue(depth));
    if (!IsKeyword(Peek(), "and")) return first;
    BoolNode node;
    node.kind = BoolNode::Kind::kAnd;
    node.children.push_back(std::move(first));
    while (IsKeyword(Peek(), "and")) {
      Next();
      ASSIGN_OR_RETURN(BoolNode rhs, ParseBoolValue(depth));
      node.children.push_back(std::move(rhs));
    }
    return node;
  }

  Result<BoolNode> ParseBoolValue(int depth) {
    if (depth > kMaxDepth) return SyntaxError(Peek().pos, "condition is nested too deeply");
    if (IsKeyword(Peek(), "not")) {
      Next();
      ASSIGN_OR_RETURN(BoolNode inner, ParseBoolValue(depth + 1));
      BoolNode node;
      node.kind = BoolNode::Kind::kNot;
      node.children.push_back(std::move(inner));
      return node;
    }
    if (Peek().kind == TokenKind::kLParen) {
      Next();
      ASSIGN_OR_RETURN(BoolNode inner, ParseOr(depth + 1));
      RETURN_IF_ERROR(Expect(TokenKind::kRParen, "\")\""));
      return inner;
    }
    size_t start = Peek().pos;
    ASSIGN_OR_RETURN(ValueNode lhs, ParseValue(depth));
    if (Peek().kind == TokenKind::kOp) {
      const Token& op = Next();
      BoolNode node;
      node.kind = BoolNode::Kind::kCompare;
      if (op.text == "==")
        node.op = CompareOp::kEq;
      else if (op.text == "!=")
        node.op = CompareOp::kNe;
      else if (op.text == "<")
        node.op = CompareOp::kLt;
      else if (op.text == "<=")
        node.op = CompareOp::kLe;
      else if (op.text == ">")
        node.op = CompareOp::kGt;
      else
        node.op = CompareOp::kGe;
      ASSIGN_OR_RETURN(ValueNode rhs, ParseValue(depth));
      node.operands.push_back(std::move(lhs));
      node.operands.push_back(std::move(rhs));
      return node;
    }
    if (Peek().kind == TokenKind::kMath) {
      return SyntaxError(Peek().pos, "arithmetic is not supported in filter conditions");
    }
    if (lhs.kind == ValueNode::Kind::kBool) {
      BoolNode node;
      node.kind = BoolNode::Kind::kConst;
      node.constant = lhs.bool_value;
      return node;
    }
    if (lhs.kind == ValueNode::Kind::kCall) {
      for (const auto& [name, info] : Funcs()) {
        if (info.func == lhs.func && !info.returns_bool) {
          return SyntaxError(start,
                             th::StrCat(name, " does not return a bool; compare its result"));
        }
      }
      BoolNode node;
      node.kind = BoolNode::Kind::kCall;
      node.operands.push_back(std::move(lhs));
      return node;
    }
    return SyntaxError(Peek().pos, th::StrCat("expected a comparison operator after the value at "
                                              "column ",
                                              start + 1, ", found ", Describe(Peek())));
  }

  Result<ValueNode> ParseValue(int depth) {
    if (depth > kMaxDepth) return SyntaxError(Peek().pos, "condition is nested too deeply");
    const Token& t = Peek();
    ValueNode v;
    switch (t.kind) {
      case TokenKind::kString:
        v.kind = ValueNode::Kind::kString;
        v.text = Next().text;
        return v;
      case TokenKind::kBytes:
        v.kind = ValueNode::Kind::kBytes;
        v.text = Next().text;
        return v;
      case TokenKind::kInt:
        v.kind = ValueNode::Kind::kInt;
        v.int_value = Next().int_value;
        return v;
      case TokenKind::kFloat:
        v.kind = ValueNode::Kind::kDouble;
        v.double_value = Next().double_value;
        return v;
      case TokenKind::kIdent:
        break;
      default:
        return SyntaxError(t.pos, th::StrCat("expected a value, found ", Describe(t)));
    }
    if (t.text == "true" || t.text == "false") {
      v.kind = ValueNode::Kind::kBool;
      v.bool_value = Next().text == "true";
      return v;
    }
    if (t.text == "nil") {
      Next();
      v.kind = ValueNode::Kind::kNil;
      return v;
    }
    if (t.text == "and" || t.text == "or" || t.text == "not") {
      return SyntaxError(t.pos, th::StrCat("expected a value, found keyword \"", t.text, "\""));
    }
    bool upper = t.text[0] >= 'A' && t.text[0] <= 'Z';
    if (Peek(1).kind == TokenKind::kLParen) {
      if (!upper) {
        return SyntaxError(
            t.pos, th::StrCat("editor function ", t.text, " cannot be used in a condition"));
      }
      return ParseCall(depth);
    }
    if (upper) {
      auto it = Enums().find(t.text);
      if (it == Enums().end()) {
        return SyntaxError(t.pos, th::StrCat("unknown enum ", t.text));
      }
      Next();
      v.kind = ValueNode::Kind::kInt;
      v.int_value = it->second;
      return v;
    }
    return ParsePath();
  }

  Result<ValueNode> ParsePath() {
    const Token& first = Next();
    size_t start = first.pos;
    std::string dotted = first.text;
    while (Peek().kind == TokenKind::kDot) {
      Next();
      if (Peek().kind != TokenKind::kIdent) {
        return SyntaxError(
            Peek().pos, th::StrCat("expected a field name after \".\", found ", Describe(Peek())));
      }
      StrAppend(&dotted, ".", Next().text);
    }
    ValueNode v;
    v.kind = ValueNode::Kind::kPath;
    if (!ResolvePath(dotted, context_, &v.field)) {
      return SyntaxError(start,
                         th::StrCat("unknown path \"", dotted, "\" in the ",
                                    context_ == Context::kSpan ? "span" : "spanevent", " context"));
    }
    while (Peek().kind == TokenKind::kLBracket) {
      size_t at = Peek().pos;
      Next();
      if (!IsMapField(v.field)) {
        return SyntaxError(at, th::StrCat("\"", dotted, "\" does not take keys"));
      }
      PathKey key;
      if (Peek().kind == TokenKind::kString) {
        key.name = Next().text;
      } else if (Peek().kind == TokenKind::kInt && !v.keys.empty()) {
        key.is_index = true;
        key.index = Next().int_value;
      } else {
        return SyntaxError(Peek().pos,
                           th::StrCat("expected a string key", v.keys.empty() ? "" : " or an index",
                                      ", found ", Describe(Peek())));
      }
      RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "\"]\""));
      v.keys.push_back(std::move(key));
    }
    return v;
  }

  Result<ValueNode> ParseCall(int depth) {
    const Token& name = Next();
    auto it = Funcs().find(name.text);
    if (it == Funcs().end()) {
      std::string known;
      for (const auto& [n, info] : Funcs()) StrAppend(&known, known.empty() ? "" : ", ", n);
      return SyntaxError(
          name.pos, th::StrCat("unsupported converter ", name.text, " (supported: ", known, ")"));
    }
    ValueNode v;
    v.kind = ValueNode::Kind::kCall;
    v.func = it->second.func;
    size_t arity = it->second.arity;
    RETURN_IF_ERROR(Expect(TokenKind::kLParen, "\"(\""));
    std::vector<size_t> positions;
    if (Peek().kind != TokenKind::kRParen) {
      while (true) {
        positions.push_back(Peek().pos);
        ASSIGN_OR_RETURN(ValueNode arg, ParseValue(depth + 1));
        v.args.push_back(std::move(arg));
        if (Peek().kind != TokenKind::kComma) break;
        Next();
      }
    }
    RETURN_IF_ERROR(Expect(TokenKind::kRParen, "\",\" or \")\""));
    if (v.args.size() != arity) {
      return SyntaxError(name.pos, th::StrCat(name.text, " takes ", arity, " argument",
                                              arity == 1 ? "" : "s", ", got ", v.args.size()));
    }
    if (v.func == Func::kIsMatch) {
      if (v.args[1].kind != ValueNode::Kind::kString) {
        return SyntaxError(positions[1], "IsMatch needs a string literal pattern");
      }
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_shared<const re2::RE2>(v.args[1].text, options);
      if (!re->ok()) {
        return SyntaxError(positions[1],
                           th::StrCat("invalid regexp \"", v.args[1].text, "\": ", re->error()));
      }
      v.pattern = std::move(re);
    }
    return v;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  Context context_;
};

}  // namespace

Result<Condition> Condition::Parse(std::string_view text, Context context) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(text));
  Parser parser(std::move(tokens), context);
  ASSIGN_OR_RETURN(BoolNode root, parser.ParseCondition());
  Condition c;
  c.text_ = std::string(text);
  c.root_ = std::make_shared<const BoolNode>(std::move(root));
  return c;
}

}  // namespace th::pipeline::ottl

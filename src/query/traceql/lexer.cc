#include "query/traceql/internal/lexer.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "common/strings.h"

namespace th::query::traceql::internal {
namespace {

struct Keyword {
  std::string_view word;
  Tok tok;
};

constexpr Keyword kKeywords[] = {
    {"true", Tok::kTrue},
    {"false", Tok::kFalse},
    {"nil", Tok::kNil},
    {"count", Tok::kCount},
    {"avg", Tok::kAvg},
    {"min", Tok::kMin},
    {"max", Tok::kMax},
    {"sum", Tok::kSum},
    {"by", Tok::kBy},
    {"coalesce", Tok::kCoalesce},
    {"select", Tok::kSelect},
    {"with", Tok::kWith},
    {"rate", Tok::kRate},
    {"count_over_time", Tok::kCountOverTime},
    {"min_over_time", Tok::kMinOverTime},
    {"max_over_time", Tok::kMaxOverTime},
    {"avg_over_time", Tok::kAvgOverTime},
    {"sum_over_time", Tok::kSumOverTime},
    {"quantile_over_time", Tok::kQuantileOverTime},
    {"histogram_over_time", Tok::kHistogramOverTime},
    {"compare", Tok::kCompare},
    {"topk", Tok::kTopK},
    {"bottomk", Tok::kBottomK},
};

struct EnumWord {
  std::string_view word;
  Value value;
};

const EnumWord* FindEnumWord(std::string_view w) {
  static const EnumWord kWords[] = {
      {"ok", Value::Status(StatusValue::kOk)},
      {"error", Value::Status(StatusValue::kError)},
      {"unset", Value::Status(StatusValue::kUnset)},
      {"unspecified", Value::Kind(KindValue::kUnspecified)},
      {"internal", Value::Kind(KindValue::kInternal)},
      {"server", Value::Kind(KindValue::kServer)},
      {"client", Value::Kind(KindValue::kClient)},
      {"producer", Value::Kind(KindValue::kProducer)},
      {"consumer", Value::Kind(KindValue::kConsumer)},
  };
  for (const EnumWord& e : kWords) {
    if (e.word == w) return &e;
  }
  return nullptr;
}

// Unscoped intrinsic words (`duration`, `rootServiceName`, `parent`, …).
Intrinsic FindLegacyIntrinsic(std::string_view w) {
  for (int i = static_cast<int>(Intrinsic::kDuration); i <= static_cast<int>(Intrinsic::kParent);
       ++i) {
    auto in = static_cast<Intrinsic>(i);
    if (IntrinsicLegacyName(in) == w) return in;
  }
  return Intrinsic::kNone;
}

Intrinsic FindScopedIntrinsic(std::string_view scoped) {
  for (int i = static_cast<int>(Intrinsic::kDuration); i <= static_cast<int>(Intrinsic::kParent);
       ++i) {
    auto in = static_cast<Intrinsic>(i);
    if (!IntrinsicScopedName(in).empty() && IntrinsicScopedName(in) == scoped) return in;
  }
  return Intrinsic::kNone;
}

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
// Characters that end an attribute name (besides whitespace), per Tempo's lexer.
bool EndsAttribute(char c) {
  switch (c) {
    case '{':
    case '}':
    case '(':
    case ')':
    case '=':
    case '~':
    case '!':
    case '<':
    case '>':
    case '&':
    case '|':
    case '^':
    case ',':
      return true;
    default:
      return false;
  }
}
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Lexer {
 public:
  Lexer(std::string_view text, std::vector<Token>* out, ParseError* error)
      : text_(text), out_(out), error_(error) {}

  bool Run() {
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size()) {
        Token t;
        t.kind = Tok::kEnd;
        t.pos = Here();
        out_->push_back(std::move(t));
        return true;
      }
      if (!Next()) return false;
    }
  }

 private:
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  Position Here() const { return {line_, column_}; }
  void Advance(size_t n = 1) {
    for (size_t k = 0; k < n && pos_ < text_.size(); ++k) {
      char c = text_[pos_++];
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
        ++column_;  // count code points, not UTF-8 continuation bytes
      } else {
        // continuation byte: same column as its lead byte
      }
    }
  }
  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) Advance();
  }
  bool Fail(Position at, std::string message) {
    return SetParseError(error_, at, std::move(message));
  }
  void Emit(Tok kind, Position at, size_t start, Value value = {}, Attribute attr = {}) {
    Token t;
    t.kind = kind;
    t.pos = at;
    t.text = text_.substr(start, pos_ - start);
    t.value = std::move(value);
    t.attribute = std::move(attr);
    out_->push_back(std::move(t));
  }

  bool Next() {
    Position at = Here();
    size_t start = pos_;
    char c = Peek();
    if (c == '.' && IsDigit(Peek(1))) return Number(at, start);
    if (c == '.') {
      Advance();
      return AttributeName(at, start, Scope::kNone, false);
    }
    if (IsDigit(c)) return Number(at, start);
    if (c == '"' || c == '`') return String(at, start);
    if (IsIdentStart(c)) return Word(at, start);
    return Operator(at, start);
  }

  bool Operator(Position at, size_t start) {
    struct Op {
      std::string_view s;
      Tok tok;
    };
    // Longest first, so `&>>` wins over `&>` and `!=` over `!`.
    static constexpr Op kOps[] = {
        {"&>>", Tok::kUnionDesc}, {"&<<", Tok::kUnionAnce},  {"!>>", Tok::kNotDesc},
        {"!<<", Tok::kNotAnce},   {"&&", Tok::kAnd},         {"||", Tok::kOr},
        {"&>", Tok::kUnionChild}, {"&<", Tok::kUnionParent}, {"&~", Tok::kUnionSibl},
        {"!=", Tok::kNeq},        {"!~", Tok::kNotRegex},    {"!>", Tok::kNotChild},
        {"!<", Tok::kNotParent},  {"=~", Tok::kRegex},       {">=", Tok::kGte},
        {"<=", Tok::kLte},        {">>", Tok::kDesc},        {"<<", Tok::kAnce},
        {"{", Tok::kOpenBrace},   {"}", Tok::kCloseBrace},   {"(", Tok::kOpenParen},
        {")", Tok::kCloseParen},  {",", Tok::kComma},        {"=", Tok::kEq},
        {"<", Tok::kLt},          {">", Tok::kGt},           {"!", Tok::kNot},
        {"+", Tok::kAdd},         {"-", Tok::kSub},          {"*", Tok::kMul},
        {"/", Tok::kDiv},         {"%", Tok::kMod},          {"^", Tok::kPow},
        {"~", Tok::kTilde},       {"|", Tok::kPipe},
    };
    std::string_view rest = text_.substr(pos_);
    for (const Op& op : kOps) {
      if (rest.substr(0, op.s.size()) == op.s) {
        Advance(op.s.size());
        Emit(op.tok, at, start);
        return true;
      }
    }
    unsigned char uc = static_cast<unsigned char>(Peek());
    if (uc < 0x20 || uc >= 0x7F)
      return Fail(at, StrCat("unexpected character (byte 0x", HexByte(uc), ")"));
    return Fail(at, StrCat("unexpected character `", std::string(1, Peek()), "`"));
  }

  static std::string HexByte(unsigned char b) {
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string{kHex[b >> 4], kHex[b & 15]};
  }

  bool Word(Position at, size_t start) {
    while (IsIdentChar(Peek())) Advance();
    std::string_view w = text_.substr(start, pos_ - start);
    if (Peek() == '.') {
      Scope scope = Scope::kNone;
      bool parent = false;
      if (w == "span")
        scope = Scope::kSpan;
      else if (w == "resource")
        scope = Scope::kResource;
      else if (w == "event")
        scope = Scope::kEvent;
      else if (w == "link")
        scope = Scope::kLink;
      else if (w == "instrumentation")
        scope = Scope::kInstrumentation;
      else if (w == "parent")
        parent = true;
      if (scope != Scope::kNone || parent) {
        Advance();  // the dot
        if (parent) {
          // Only `parent.span.` and `parent.resource.` nest; anything else is the name.
          std::string_view rest = text_.substr(pos_);
          if (rest.substr(0, 5) == "span.") {
            scope = Scope::kSpan;
            Advance(5);
          } else if (rest.substr(0, 9) == "resource.") {
            scope = Scope::kResource;
            Advance(9);
          }
        }
        return AttributeName(at, start, scope, parent);
      }
    }
    if (Peek() == ':' &&
        (w == "span" || w == "trace" || w == "event" || w == "link" || w == "instrumentation")) {
      Advance();
      size_t name_start = pos_;
      while (IsIdentChar(Peek())) Advance();
      std::string_view full = text_.substr(start, pos_ - start);
      if (pos_ == name_start)
        return Fail(at, StrCat("expected an intrinsic name after `", w, ":`"));
      Intrinsic in = FindScopedIntrinsic(full);
      if (in == Intrinsic::kNone) return Fail(at, StrCat("unknown intrinsic `", full, "`"));
      Attribute attr;
      attr.intrinsic = in;
      attr.scope = IntrinsicScope(in);
      Emit(Tok::kIntrinsic, at, start, {}, std::move(attr));
      return true;
    }
    for (const Keyword& k : kKeywords) {
      if (k.word == w) {
        Emit(k.tok, at, start);
        return true;
      }
    }
    if (const EnumWord* e = FindEnumWord(w)) {
      Emit(e->value.type == ValueType::kStatus ? Tok::kStatus : Tok::kKind, at, start, e->value);
      return true;
    }
    if (w == "minInt" || w == "maxInt") {
      Emit(Tok::kInt, at, start,
           Value::Int(w == "minInt" ? std::numeric_limits<int64_t>::min()
                                    : std::numeric_limits<int64_t>::max()));
      return true;
    }
    if (Intrinsic in = FindLegacyIntrinsic(w); in != Intrinsic::kNone) {
      Attribute attr;
      attr.intrinsic = in;
      attr.scope = IntrinsicScope(in);
      attr.legacy = true;
      Emit(Tok::kIntrinsic, at, start, {}, std::move(attr));
      return true;
    }
    Emit(Tok::kIdentifier, at, start);
    return true;
  }

  // The name after `.` or a scope prefix: runs until whitespace or a terminator; `"…"` parts
  // may hold anything, with only \" and \\ as escapes.
  bool AttributeName(Position at, size_t start, Scope scope, bool parent) {
    std::string name;
    while (pos_ < text_.size()) {
      char c = Peek();
      if (IsSpace(c) || EndsAttribute(c)) break;
      if (c == '"') {
        Position quote_at = Here();
        Advance();
        bool closed = false;
        while (pos_ < text_.size()) {
          char q = Peek();
          if (q == '"') {
            Advance();
            closed = true;
            break;
          }
          if (q == '\\') {
            char e = Peek(1);
            if (e != '"' && e != '\\') {
              return Fail(Here(), "invalid escape in quoted attribute name (only \\\" and \\\\)");
            }
            name.push_back(e);
            Advance(2);
            continue;
          }
          name.push_back(q);
          Advance();
        }
        if (!closed) return Fail(quote_at, "unterminated quoted attribute name");
        continue;
      }
      name.push_back(c);
      Advance();
    }
    if (name.empty()) return Fail(at, "expected an attribute name");
    Attribute attr;
    attr.scope = scope;
    attr.parent = parent;
    attr.name = std::move(name);
    Emit(Tok::kAttribute, at, start, {}, std::move(attr));
    return true;
  }

  bool Number(Position at, size_t start) {
    // A number directly followed by unit letters is first tried as a duration.
    if (IsDurationChar(Peek(NumberLength()))) {
      size_t end = pos_;
      while (end < text_.size() && IsDurationChar(text_[end])) ++end;
      int64_t nanos = 0;
      bool overflow = false;
      std::string_view run = text_.substr(pos_, end - pos_);
      if (ParseDuration(run, &nanos, &overflow)) {
        Advance(run.size());
        Emit(Tok::kDuration, at, start, Value::Duration(nanos));
        return true;
      }
      if (overflow) return Fail(at, StrCat("duration `", run, "` out of range"));
    }
    size_t len = NumberLength();
    std::string_view digits = text_.substr(pos_, len);
    bool is_float = digits.find_first_of(".eE") != std::string_view::npos;
    Advance(len);
    if (is_float) {
      double d = 0;
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), d);
      if (r.ec != std::errc() || !std::isfinite(d)) {
        return Fail(at, StrCat("invalid number `", digits, "`"));
      }
      Emit(Tok::kFloat, at, start, Value::Float(d));
      return true;
    }
    int64_t v = 0;
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (r.ec != std::errc()) return Fail(at, StrCat("integer `", digits, "` out of range"));
    Emit(Tok::kInt, at, start, Value::Int(v));
    return true;
  }

  static bool IsDurationChar(char c) {
    // 0xC2 0xB5 is µ (MICRO SIGN) in UTF-8.
    return IsIdentChar(c) || c == '.' || c == '\xC2' || c == '\xB5';
  }

  // Length of the number at pos_: digits, optional `.digits`, optional exponent.
  size_t NumberLength() const {
    size_t i = pos_;
    while (i < text_.size() && IsDigit(text_[i])) ++i;
    if (i < text_.size() && text_[i] == '.') {
      ++i;
      while (i < text_.size() && IsDigit(text_[i])) ++i;
    }
    if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
      size_t j = i + 1;
      if (j < text_.size() && (text_[j] == '+' || text_[j] == '-')) ++j;
      if (j < text_.size() && IsDigit(text_[j])) {
        while (j < text_.size() && IsDigit(text_[j])) ++j;
        i = j;
      }
    }
    return i - pos_;
  }

  bool String(Position at, size_t start) {
    char quote = Peek();
    Advance();
    std::string out;
    if (quote == '`') {
      while (pos_ < text_.size() && Peek() != '`') {
        if (Peek() != '\r') out.push_back(Peek());  // Go drops \r from raw strings
        Advance();
      }
      if (pos_ >= text_.size()) return Fail(at, "unterminated string");
      Advance();
      Emit(Tok::kString, at, start, Value::String(std::move(out)));
      return true;
    }
    while (true) {
      if (pos_ >= text_.size() || Peek() == '\n') return Fail(at, "unterminated string");
      char c = Peek();
      if (c == '"') {
        Advance();
        break;
      }
      if (c != '\\') {
        out.push_back(c);
        Advance();
        continue;
      }
      Position esc_at = Here();
      char e = Peek(1);
      Advance(2);
      switch (e) {
        case 'a':
          out.push_back('\a');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'v':
          out.push_back('\v');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '"':
          out.push_back('"');
          break;
        case 'x':
        case 'u':
        case 'U': {
          int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          uint32_t v = 0;
          for (int k = 0; k < n; ++k) {
            int h = HexValue(Peek());
            if (h < 0) return Fail(esc_at, "invalid escape in string");
            v = v * 16 + static_cast<uint32_t>(h);
            Advance();
          }
          if (e == 'x') {
            out.push_back(static_cast<char>(v));
          } else {
            if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) {
              return Fail(esc_at, "invalid unicode escape in string");
            }
            AppendUtf8(&out, v);
          }
          break;
        }
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7': {
          uint32_t v = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2; ++k) {
            char o = Peek();
            if (o < '0' || o > '7') return Fail(esc_at, "invalid octal escape in string");
            v = v * 8 + static_cast<uint32_t>(o - '0');
            Advance();
          }
          if (v > 255) return Fail(esc_at, "octal escape value > 255 in string");
          out.push_back(static_cast<char>(v));
          break;
        }
        default:
          return Fail(esc_at, "invalid escape in string");
      }
    }
    Emit(Tok::kString, at, start, Value::String(std::move(out)));
    return true;
  }

  std::string_view text_;
  std::vector<Token>* out_;
  ParseError* error_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

}  // namespace

bool ParseDuration(std::string_view s, int64_t* nanos, bool* overflow) {
  if (overflow) *overflow = false;
  struct Unit {
    std::string_view name;
    double nanos;
  };
  // Longest names first so "ms" is not read as "m" followed by "s".
  static constexpr Unit kUnits[] = {
      {"ns", 1},   {"us", 1e3},   {"\xC2\xB5s", 1e3}, {"ms", 1e6},        {"s", 1e9},
      {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9},     {"w", 7 * 86400e9}, {"y", 365 * 86400e9},
  };
  if (s.empty()) return false;
  long double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t num_start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    size_t int_end = i;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && IsDigit(s[i])) ++i;
    }
    std::string_view num = s.substr(num_start, i - num_start);
    if (num.empty() || num == "." || (int_end == num_start && i == int_end + 1)) return false;
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (s.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return false;
    i += unit->name.size();
    // Integer part exactly, fraction in floating point (Go does the same).
    long double whole = 0;
    for (size_t k = num_start; k < int_end; ++k) whole = whole * 10 + (s[k] - '0');
    long double frac = 0, scale = 1;
    for (size_t k = int_end + 1; k < num_start + num.size(); ++k) {
      scale /= 10;
      frac += (s[k] - '0') * scale;
    }
    total += (whole + frac) * unit->nanos;
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) {
      if (overflow) *overflow = true;
      return false;
    }
  }
  *nanos = static_cast<int64_t>(std::llroundl(total));
  return true;
}

bool Lex(std::string_view text, std::vector<Token>* tokens, ParseError* error) {
  tokens->clear();
  return Lexer(text, tokens, error).Run();
}

std::string Describe(const Token& t) {
  if (t.kind == Tok::kEnd) return "end of query";
  return StrCat("`", t.text, "`");
}

}  // namespace th::query::traceql::internal

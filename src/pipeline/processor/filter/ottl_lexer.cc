#include "pipeline/processor/filter/ottl_lexer.h"

#include <charconv>

#include "common/strings.h"

namespace th::pipeline::ottl {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
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

// Reads a string literal starting at s[i] == '"'; advances i past the closing quote.
Status LexString(std::string_view s, size_t& i, Token* t) {
  size_t start = i++;
  while (i < s.size() && s[i] != '"') {
    if (s[i] != '\\') {
      t->text.push_back(s[i++]);
      continue;
    }
    if (i + 1 >= s.size()) break;
    char e = s[i + 1];
    i += 2;
    switch (e) {
      case '"':
        t->text.push_back('"');
        break;
      case '\\':
        t->text.push_back('\\');
        break;
      case '/':
        t->text.push_back('/');
        break;
      case 'n':
        t->text.push_back('\n');
        break;
      case 't':
        t->text.push_back('\t');
        break;
      case 'r':
        t->text.push_back('\r');
        break;
      case 'u': {
        uint32_t cp = 0;
        for (int k = 0; k < 4; ++k) {
          int h = i < s.size() ? HexValue(s[i]) : -1;
          if (h < 0) return SyntaxError(i, "\\u needs four hex digits");
          cp = cp * 16 + static_cast<uint32_t>(h);
          ++i;
        }
        AppendUtf8(&t->text, cp);
        break;
      }
      default:
        return SyntaxError(i - 2,
                           th::StrCat("invalid escape \\", std::string_view(&e, 1), " in string"));
    }
  }
  if (i >= s.size()) return SyntaxError(start, "unterminated string");
  ++i;
  return absl::OkStatus();
}

}  // namespace

Status SyntaxError(size_t pos, std::string_view message) {
  return absl::InvalidArgumentError(th::StrCat("column ", pos + 1, ": ", message));
}

Result<std::vector<Token>> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    Token t;
    t.pos = i;
    if (i >= s.size()) {
      out.push_back(std::move(t));
      return out;
    }
    char c = s[i];
    char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (c == '"') {
      t.kind = TokenKind::kString;
      RETURN_IF_ERROR(LexString(s, i, &t));
    } else if (c == '0' && (next == 'x' || next == 'X')) {
      size_t j = i + 2;
      while (j < s.size() && HexValue(s[j]) >= 0) ++j;
      size_t digits = j - i - 2;
      if (digits == 0 || digits % 2 != 0) {
        return SyntaxError(i, "a bytes literal needs an even, non-zero number of hex digits");
      }
      t.kind = TokenKind::kBytes;
      for (size_t k = i + 2; k < j; k += 2) {
        t.text.push_back(static_cast<char>(HexValue(s[k]) * 16 + HexValue(s[k + 1])));
      }
      i = j;
    } else if (IsDigit(c) || c == '.' ||
               ((c == '-' || c == '+') &&
                (IsDigit(next) || (next == '.' && i + 2 < s.size() && IsDigit(s[i + 2]))))) {
      if (c == '.' && !IsDigit(next)) {
        t.kind = TokenKind::kDot;
        t.text = ".";
        ++i;
        out.push_back(std::move(t));
        continue;
      }
      size_t j = i;
      if (s[j] == '-' || s[j] == '+') ++j;
      bool is_float = false;
      while (j < s.size() && IsDigit(s[j])) ++j;
      if (j < s.size() && s[j] == '.' && j + 1 < s.size() && IsDigit(s[j + 1])) {
        is_float = true;
        ++j;
        while (j < s.size() && IsDigit(s[j])) ++j;
      }
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && IsDigit(s[k])) {
          is_float = true;
          j = k;
          while (j < s.size() && IsDigit(s[j])) ++j;
        }
      }
      t.text = std::string(s.substr(i, j - i));
      std::string_view num = t.text;
      if (!num.empty() && num.front() == '+') num.remove_prefix(1);
      if (is_float) {
        t.kind = TokenKind::kFloat;
        auto r = std::from_chars(num.data(), num.data() + num.size(), t.double_value);
        if (r.ec != std::errc()) return SyntaxError(i, th::StrCat("invalid number ", t.text));
      } else {
        t.kind = TokenKind::kInt;
        auto r = std::from_chars(num.data(), num.data() + num.size(), t.int_value);
        if (r.ec != std::errc()) {
          return SyntaxError(i, th::StrCat("integer ", t.text, " is out of range"));
        }
      }
      if (j < s.size() && IsIdentChar(s[j])) {
        return SyntaxError(
            j, th::StrCat("unexpected character '", std::string_view(&s[j], 1), "' after number"));
      }
      i = j;
    } else if (IsIdentStart(c)) {
      size_t j = i;
      while (j < s.size() && IsIdentChar(s[j])) ++j;
      t.kind = TokenKind::kIdent;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      t.kind = TokenKind::kOp;
      if (next == '=') {
        t.text = std::string(s.substr(i, 2));
        i += 2;
      } else if (c == '<' || c == '>') {
        t.text = std::string(1, c);
        ++i;
      } else {
        return SyntaxError(
            i, c == '=' ? "expected == (a condition compares, it does not assign)" : "expected !=");
      }
    } else {
      switch (c) {
        case '(':
          t.kind = TokenKind::kLParen;
          break;
        case ')':
          t.kind = TokenKind::kRParen;
          break;
        case '[':
          t.kind = TokenKind::kLBracket;
          break;
        case ']':
          t.kind = TokenKind::kRBracket;
          break;
        case ',':
          t.kind = TokenKind::kComma;
          break;
        case '+':
        case '-':
        case '*':
        case '/':
          t.kind = TokenKind::kMath;
          break;
        default:
          return SyntaxError(i,
                             th::StrCat("unexpected character '", std::string_view(&s[i], 1), "'"));
      }
      t.text = std::string(1, c);
      ++i;
    }
    out.push_back(std::move(t));
  }
}

}  // namespace th::pipeline::ottl

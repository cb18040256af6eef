// Tokens of an OTTL condition (the subset the filter processor evaluates, see ottl.h). Positions
// are 0-based byte offsets into the condition; errors report them 1-based as "column N".
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace th::pipeline::ottl {

enum class TokenKind {
  kEnd,
  kIdent,   // [A-Za-z_][A-Za-z0-9_]*: paths, keywords (and, or, not, true, false, nil),
            // converters and enums (upper-case first letter)
  kString,  // "..." with escapes resolved into `text`
  kInt,     // [-+]?[0-9]+
  kFloat,   // [-+]?[0-9]*\.[0-9]+([eE][-+]?[0-9]+)? and 1e5 forms
  kBytes,   // 0x followed by hex digits; `text` holds the raw bytes
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kOp,    // == != < <= > >=
  kMath,  // + - * / (arithmetic is outside the supported subset)
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // identifier, operator, literal text (strings unescaped)
  size_t pos = 0;
  int64_t int_value = 0;
  double double_value = 0;
};

// Splits `condition` into tokens ending with kEnd. Errors (InvalidArgument "column N: ..."):
// unterminated strings, bad escapes, integers out of range, odd hex, stray characters.
Result<std::vector<Token>> Lex(std::string_view condition);

// "column N: message" for position `pos`.
Status SyntaxError(size_t pos, std::string_view message);

}  // namespace th::pipeline::ottl

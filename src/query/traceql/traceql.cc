#include "query/traceql/traceql.h"

#include "common/strings.h"
#include "query/traceql/internal/syntax.h"

namespace th::query::traceql {

std::string ParseError::ToString() const {
  std::string_view what = kind == Kind::kParse        ? "parse error"
                          : kind == Kind::kValidation ? "validation error"
                                                      : "unsupported";
  // Tempo's wording ("parse error at line 1, col 19: …"), which users and scripts already know.
  return StrCat(what, " at line ", line, ", col ", column, ": ", message);
}

Status ParseError::ToStatus() const {
  std::string text = ToString();
  if (kind == Kind::kUnsupported) return absl::UnimplementedError(text);
  return absl::InvalidArgumentError(text);
}

Result<std::unique_ptr<Query>> ParseSyntax(std::string_view text, ParseError* error) {
  ParseError local;
  ParseError* e = error ? error : &local;
  internal::SyntaxTree tree;
  auto query = std::make_unique<Query>();
  if (!internal::ParseSyntaxTree(text, &tree, e) ||
      !internal::ConvertSyntaxTree(std::move(tree), query.get(), e)) {
    return e->ToStatus();
  }
  return query;
}

Result<std::unique_ptr<Query>> Parse(std::string_view text, ParseError* error) {
  ASSIGN_OR_RETURN(std::unique_ptr<Query> query, ParseSyntax(text, error));
  RETURN_IF_ERROR(Validate(*query, error));
  return query;
}

}  // namespace th::query::traceql

#include "store/backend/s3/internal/xml.h"

#include <climits>

#include "common/strings.h"

#include <expat.h>

namespace th::store::backend::s3::internal {
namespace {

struct ParseState {
  std::vector<XmlField>* fields;
  std::string path;
  // Text of each open element, innermost last.
  std::vector<std::string> text;
};

void OnStart(void* user, const XML_Char* name, const XML_Char** /*attributes*/) {
  auto* s = static_cast<ParseState*>(user);
  if (!s->path.empty()) s->path.push_back('/');
  s->path += name;
  s->text.emplace_back();
}

void OnEnd(void* user, const XML_Char* /*name*/) {
  auto* s = static_cast<ParseState*>(user);
  s->fields->push_back(XmlField{.path = s->path, .text = std::move(s->text.back())});
  s->text.pop_back();
  size_t slash = s->path.rfind('/');
  s->path.resize(slash == std::string::npos ? 0 : slash);
}

void OnText(void* user, const XML_Char* data, int len) {
  auto* s = static_cast<ParseState*>(user);
  if (!s->text.empty()) s->text.back().append(data, static_cast<size_t>(len));
}

}  // namespace

Result<std::vector<XmlField>> ParseXml(std::string_view xml) {
  if (xml.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InternalError("s3 response XML too large");
  }
  std::vector<XmlField> fields;
  ParseState state{.fields = &fields};
  XML_Parser parser = XML_ParserCreate("UTF-8");
  if (parser == nullptr) return absl::InternalError("XML_ParserCreate failed");
  XML_SetUserData(parser, &state);
  XML_SetElementHandler(parser, &OnStart, &OnEnd);
  XML_SetCharacterDataHandler(parser, &OnText);
  Status status;
  if (XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), /*isFinal=*/1) ==
      XML_STATUS_ERROR) {
    status = absl::InternalError(th::StrCat(
        "malformed s3 response XML at line ", XML_GetCurrentLineNumber(parser), " column ",
        XML_GetCurrentColumnNumber(parser), ": ", XML_ErrorString(XML_GetErrorCode(parser))));
  }
  XML_ParserFree(parser);
  if (!status.ok()) return status;
  return fields;
}

std::string_view FieldText(const std::vector<XmlField>& fields, std::string_view path) {
  for (const XmlField& f : fields) {
    if (f.path == path) return f.text;
  }
  return {};
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace th::store::backend::s3::internal

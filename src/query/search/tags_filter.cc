#include "query/search/tags_filter.h"

#include "common/strings.h"
#include "query/search/span_keywords.h"

namespace th::query {
namespace {

const model::AnyValue* FindAttribute(const model::SpanBatch& b, model::Range r,
                                     std::string_view key) {
  for (uint32_t k = r.begin; k < r.end(); ++k) {
    if (b.key_values[k].key == key) return &b.key_values[k].value;
  }
  return nullptr;
}

}  // namespace

std::string ValueText(const model::SpanBatch& batch, const model::AnyValue& v) {
  switch (v.type) {
    case model::ValueType::kString:
      return std::string(v.bytes);
    case model::ValueType::kBool:
      return v.bool_value ? "true" : "false";
    case model::ValueType::kInt:
      return th::StrCat(v.int_value);
    case model::ValueType::kDouble:
      return th::StrCat(v.double_value);
    case model::ValueType::kArray: {
      std::string out = "[";
      for (uint32_t k = v.range.begin; k < v.range.end(); ++k) {
        if (k != v.range.begin) out += ",";
        out += ValueText(batch, batch.array_values[k]);
      }
      return out + "]";
    }
    default:
      return "";
  }
}

Result<TagsFilter> TagsFilter::Parse(std::string_view text) {
  TagsFilter f;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  // Reads a bare word or a double-quoted string (with \" and \\ escapes).
  auto read_token = [&](bool stop_at_equals, std::string* out) -> Status {
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        out->push_back(text[i++]);
      }
      if (i >= text.size()) {
        return absl::InvalidArgumentError(
            th::StrCat("invalid tags: unterminated quote in \"", text, "\""));
      }
      ++i;
      return absl::OkStatus();
    }
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' &&
           !(stop_at_equals && text[i] == '=')) {
      out->push_back(text[i++]);
    }
    return absl::OkStatus();
  };
  skip_space();
  while (i < text.size()) {
    std::string key, value;
    RETURN_IF_ERROR(read_token(true, &key));
    if (key.empty() || i >= text.size() || text[i] != '=') {
      return absl::InvalidArgumentError(th::StrCat("invalid tags: expected key=value at \"",
                                                   text.substr(std::min(i, text.size())),
                                                   "\" in \"", text, "\""));
    }
    ++i;
    RETURN_IF_ERROR(read_token(false, &value));
    f.tags_.emplace_back(std::move(key), std::move(value));
    skip_space();
  }
  return f;
}

std::vector<uint32_t> TagsFilter::MatchingSpans(const model::SpanBatch& b) const {
  std::vector<uint32_t> out;
  const model::SpanColumns& c = b.spans;
  for (uint32_t i = 0; i < c.size(); ++i) {
    const model::Range resource_attrs = b.resources[b.scopes[c.scope[i]].resource].attributes;
    bool all = true;
    for (const auto& [key, value] : tags_) {
      const model::AnyValue* v = FindAttribute(b, c.attributes[i], key);
      if (v == nullptr) v = FindAttribute(b, resource_attrs, key);
      bool match;
      if (v != nullptr) {
        match = ValueText(b, *v) == value;
      } else if (key == "name") {
        match = c.name[i] == value;
      } else if (key == "status") {
        match = StatusKeyword(c.status_code[i]) == value;
      } else {
        match = false;
      }
      if (!match) {
        all = false;
        break;
      }
    }
    if (all) out.push_back(i);
  }
  return out;
}

}  // namespace th::query

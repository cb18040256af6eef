#include "pipeline/processor/internal/match_properties.h"

#include "common/strings.h"
#include "pipeline/processor/internal/attribute_value.h"

#include <re2/re2.h>

namespace th::pipeline::processor {
namespace {

constexpr std::string_view kSpanKindNames[] = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER",
};

Result<std::shared_ptr<const re2::RE2>> CompileRegexp(const config::Node& where,
                                                      const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(pattern, options);
  if (!re->ok()) {
    return where.Error(th::StrCat("invalid regexp \"", pattern, "\": ", re->error()));
  }
  return re;
}

}  // namespace

std::string_view SpanKindName(int32_t kind) {
  if (kind < 0 || kind >= static_cast<int32_t>(std::size(kSpanKindNames))) return "";
  return kSpanKindNames[kind];
}

Result<StringSet> StringSet::Make(const config::Node& where, const std::vector<std::string>& items,
                                  bool regexp) {
  StringSet set;
  std::vector<config::Node> nodes = where.Items();
  for (size_t i = 0; i < items.size(); ++i) {
    if (!regexp) {
      set.strict_.push_back(items[i]);
      continue;
    }
    const config::Node& at = i < nodes.size() ? nodes[i] : where;
    ASSIGN_OR_RETURN(auto re, CompileRegexp(at, items[i]));
    set.regexps_.push_back(std::move(re));
  }
  return set;
}

bool StringSet::Matches(std::string_view s) const {
  for (const std::string& item : strict_) {
    if (item == s) return true;
  }
  for (const auto& re : regexps_) {
    if (RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *re)) return true;
  }
  return false;
}

Status PropertiesMatcher::ParseAttributes(const config::Node& list, bool regexp,
                                          std::vector<AttributeMatcher>* out) {
  if (list.IsNull()) return absl::OkStatus();
  if (!list.IsSequence()) return list.Error("expected a list of {key, value}");
  for (const config::Node& item : list.Items()) {
    RETURN_IF_ERROR(item.CheckKeys({"key", "value"}));
    AttributeMatcher m;
    RETURN_IF_ERROR(item.GetString("key", &m.key));
    if (m.key.empty()) return item.Error("can't have empty key in the list of attributes");
    config::Node value = item["value"];
    if (!value.IsNull()) {
      if (regexp) {
        if (!value.IsScalar()) {
          return value.Error("match_type=regexp only supports string values");
        }
        ASSIGN_OR_RETURN(m.regexp, CompileRegexp(value, value.Scalar()));
      } else {
        ASSIGN_OR_RETURN(ConfigValue v, ParseConfigValue(value));
        if (v.type == model::ValueType::kArray) {
          return value.Error("only scalar values can be matched");
        }
        m.value = std::move(v);
      }
    }
    out->push_back(std::move(m));
  }
  return absl::OkStatus();
}

Result<PropertiesMatcher> PropertiesMatcher::Parse(const config::Node& node) {
  RETURN_IF_ERROR(node.CheckKeys({"match_type", "regexp", "services", "span_names", "span_kinds",
                                  "attributes", "resources", "libraries", "log_bodies",
                                  "log_severity_texts", "log_severity_number", "metric_names"}));
  for (std::string_view key : {"log_bodies", "log_severity_texts", "log_severity_number"}) {
    if (!node[key].IsNull()) {
      return node[key].Error(th::StrCat(key, " should not be specified for trace spans"));
    }
  }
  std::string match_type;
  RETURN_IF_ERROR(node.GetString("match_type", &match_type));
  if (match_type != "strict" && match_type != "regexp") {
    const config::Node& at = node["match_type"].IsPresent() ? node["match_type"] : node;
    return at.Error(th::StrCat("unrecognized match_type: '", match_type,
                               "', valid types are: [regexp strict]"));
  }
  bool regexp = match_type == "regexp";
  config::Node regexp_options = node["regexp"];
  if (!regexp_options.IsNull()) {
    RETURN_IF_ERROR(regexp_options.CheckKeys({"cacheenabled", "cachemaxnumentries"}));
    bool enabled = false;
    int64_t entries = 0;
    RETURN_IF_ERROR(regexp_options.GetBool("cacheenabled", &enabled));
    RETURN_IF_ERROR(regexp_options.GetInt("cachemaxnumentries", &entries));
  }

  PropertiesMatcher m;
  auto read_set = [&](std::string_view key, std::optional<StringSet>* out) -> Status {
    std::vector<std::string> items;
    RETURN_IF_ERROR(node.GetStringList(key, &items));
    if (items.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(StringSet set, StringSet::Make(node[key], items, regexp));
    *out = std::move(set);
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(read_set("services", &m.services_));
  RETURN_IF_ERROR(read_set("span_names", &m.span_names_));
  RETURN_IF_ERROR(read_set("span_kinds", &m.span_kinds_));
  if (m.span_kinds_ && !regexp) {
    std::vector<std::string> kinds;
    RETURN_IF_ERROR(node.GetStringList("span_kinds", &kinds));
    for (const std::string& k : kinds) {
      bool known = false;
      for (size_t i = 1; i < std::size(kSpanKindNames); ++i) known |= kSpanKindNames[i] == k;
      if (!known) {
        return node["span_kinds"].Error(th::StrCat(
            "span kind \"", k,
            "\" must be one of the standard span kinds when match_type=strict: SPAN_KIND_CLIENT, "
            "SPAN_KIND_CONSUMER, SPAN_KIND_INTERNAL, SPAN_KIND_PRODUCER, SPAN_KIND_SERVER"));
      }
    }
  }
  RETURN_IF_ERROR(ParseAttributes(node["attributes"], regexp, &m.attributes_));
  RETURN_IF_ERROR(ParseAttributes(node["resources"], regexp, &m.resources_));

  config::Node libraries = node["libraries"];
  if (!libraries.IsNull()) {
    if (!libraries.IsSequence()) return libraries.Error("expected a list of {name, version}");
    for (const config::Node& item : libraries.Items()) {
      RETURN_IF_ERROR(item.CheckKeys({"name", "version"}));
      std::string name;
      RETURN_IF_ERROR(item.GetString("name", &name));
      const config::Node& name_at = item["name"].IsPresent() ? item["name"] : item;
      LibraryMatcher lib;
      ASSIGN_OR_RETURN(lib.name, StringSet::Make(name_at, {name}, regexp));
      // `version:` (null) matches any version; `version: ""` only an empty one.
      if (!item["version"].IsNull()) {
        if (!item["version"].IsScalar()) return item["version"].Error("expected a string");
        std::string version = item["version"].Scalar();
        ASSIGN_OR_RETURN(StringSet v, StringSet::Make(item["version"], {version}, regexp));
        lib.version = std::move(v);
      }
      m.libraries_.push_back(std::move(lib));
    }
  }

  if (!m.services_ && !m.span_names_ && !m.span_kinds_ && m.attributes_.empty() &&
      m.resources_.empty() && m.libraries_.empty()) {
    return node.Error(
        "at least one of \"services\", \"span_names\", \"span_kinds\", \"attributes\", "
        "\"libraries\" or \"resources\" must be specified");
  }
  return m;
}

bool PropertiesMatcher::AttributesMatch(const std::vector<AttributeMatcher>& matchers,
                                        const model::SpanBatch& batch, model::Range attrs) const {
  if (matchers.empty()) return true;
  if (attrs.count == 0) return false;
  for (const AttributeMatcher& m : matchers) {
    const model::KeyValue* kv = FindAttribute(batch, attrs, m.key);
    if (kv == nullptr) return false;
    if (m.regexp) {
      std::optional<std::string> s = MatchString(kv->value);
      if (!s || !RE2::PartialMatch(*s, *m.regexp)) return false;
    } else if (m.value) {
      bool equal =
          m.value->EqualsTyped(kv->value) ||
          (kv->value.type == model::ValueType::kString && kv->value.bytes == m.value->text);
      if (!equal) return false;
    }
  }
  return true;
}

bool PropertiesMatcher::Matches(const model::SpanBatch& batch, uint32_t span) const {
  const model::Scope& scope = batch.scopes[batch.spans.scope[span]];
  if (services_ && !services_->Matches(ServiceName(batch, scope.resource))) return false;
  if (span_names_ && !span_names_->Matches(batch.spans.name[span])) return false;
  if (span_kinds_ && !span_kinds_->Matches(SpanKindName(batch.spans.kind[span]))) return false;
  for (const LibraryMatcher& lib : libraries_) {
    if (!lib.name.Matches(scope.name)) return false;
    if (lib.version && !lib.version->Matches(scope.version)) return false;
  }
  if (!resources_.empty() &&
      !AttributesMatch(resources_, batch, batch.resources[scope.resource].attributes)) {
    return false;
  }
  return AttributesMatch(attributes_, batch, batch.spans.attributes[span]);
}

Result<SpanSelector> SpanSelector::Parse(const config::Node& parent) {
  SpanSelector s;
  if (config::Node include = parent["include"]; !include.IsNull()) {
    ASSIGN_OR_RETURN(s.include_, PropertiesMatcher::Parse(include));
  }
  if (config::Node exclude = parent["exclude"]; !exclude.IsNull()) {
    ASSIGN_OR_RETURN(s.exclude_, PropertiesMatcher::Parse(exclude));
  }
  return s;
}

bool SpanSelector::Selects(const model::SpanBatch& batch, uint32_t span) const {
  if (include_ && !include_->Matches(batch, span)) return false;
  return !(exclude_ && exclude_->Matches(batch, span));
}

}  // namespace th::pipeline::processor

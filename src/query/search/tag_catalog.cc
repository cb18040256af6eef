#include "query/search/tag_catalog.h"

#include "common/strings.h"
#include "query/search/span_keywords.h"
#include "query/search/tags_filter.h"

namespace th::query {
namespace {

enum class Source { kResource, kSpan, kUnscoped, kEvent, kLink, kInstrumentation, kIntrinsic };

struct TagRef {
  Source source;
  std::string name;  // attribute name, or the canonical intrinsic name
};

TagRef ParseTag(std::string_view tag, bool traceql_identifier) {
  if (!traceql_identifier) return {Source::kUnscoped, std::string(tag)};
  struct Prefix {
    std::string_view text;
    Source source;
  };
  static constexpr Prefix kPrefixes[] = {{"resource.", Source::kResource},
                                         {"span.", Source::kSpan},
                                         {"event.", Source::kEvent},
                                         {"link.", Source::kLink},
                                         {"instrumentation.", Source::kInstrumentation},
                                         {".", Source::kUnscoped}};
  for (const Prefix& p : kPrefixes) {
    if (tag.starts_with(p.text)) return {p.source, std::string(tag.substr(p.text.size()))};
  }
  static const std::pair<std::string_view, std::string_view> kAliases[] = {
      {"name", "span:name"},          {"status", "span:status"},
      {"kind", "span:kind"},          {"statusMessage", "span:statusMessage"},
      {"rootName", "trace:rootName"}, {"rootServiceName", "trace:rootService"}};
  for (const auto& [legacy, scoped] : kAliases) {
    if (tag == legacy) return {Source::kIntrinsic, std::string(scoped)};
  }
  return {Source::kIntrinsic, std::string(tag)};
}

class ValueCollector {
 public:
  ValueCollector(const model::SpanBatch& b, std::set<TagValue>* out, size_t limit)
      : b_(b), out_(out), limit_(limit) {}

  bool full() const { return limit_ > 0 && out_->size() >= limit_; }

  void Add(std::string type, std::string value) {
    if (!full()) out_->insert(TagValue{std::move(type), std::move(value)});
  }

  void AddValue(const model::AnyValue& v) {
    switch (v.type) {
      case model::ValueType::kString:
        Add("string", std::string(v.bytes));
        break;
      case model::ValueType::kInt:
        Add("int", ValueText(b_, v));
        break;
      case model::ValueType::kDouble:
        Add("float", ValueText(b_, v));
        break;
      case model::ValueType::kBool:
        Add("bool", ValueText(b_, v));
        break;
      case model::ValueType::kArray:
        for (uint32_t k = v.range.begin; k < v.range.end(); ++k) AddValue(b_.array_values[k]);
        break;
      default:
        break;
    }
  }

  // Adds the value of `name` in `attrs`; true when the attribute was there.
  bool AddFrom(model::Range attrs, std::string_view name) {
    for (uint32_t k = attrs.begin; k < attrs.end(); ++k) {
      if (b_.key_values[k].key == name) {
        AddValue(b_.key_values[k].value);
        return true;
      }
    }
    return false;
  }

 private:
  const model::SpanBatch& b_;
  std::set<TagValue>* out_;
  size_t limit_;
};

void CollectFromTrace(const model::SpanBatch& b, const TagRef& tag, const std::vector<bool>& keep,
                      ValueCollector& values) {
  const model::SpanColumns& c = b.spans;
  for (uint32_t i = 0; i < c.size() && !values.full(); ++i) {
    if (!keep.empty() && !keep[i]) continue;
    const model::Scope& scope = b.scopes[c.scope[i]];
    const model::Resource& resource = b.resources[scope.resource];
    switch (tag.source) {
      case Source::kResource:
        values.AddFrom(resource.attributes, tag.name);
        break;
      case Source::kSpan:
        values.AddFrom(c.attributes[i], tag.name);
        break;
      case Source::kUnscoped:
        if (!values.AddFrom(c.attributes[i], tag.name)) {
          values.AddFrom(resource.attributes, tag.name);
        }
        break;
      case Source::kEvent:
        for (uint32_t e = c.events[i].begin; e < c.events[i].end(); ++e) {
          values.AddFrom(b.events[e].attributes, tag.name);
        }
        break;
      case Source::kLink:
        for (uint32_t l = c.links[i].begin; l < c.links[i].end(); ++l) {
          values.AddFrom(b.links[l].attributes, tag.name);
        }
        break;
      case Source::kInstrumentation:
        values.AddFrom(scope.attributes, tag.name);
        break;
      case Source::kIntrinsic:
        if (tag.name == "span:name") {
          values.Add("string", std::string(c.name[i]));
        } else if (tag.name == "span:status") {
          values.Add("keyword", std::string(StatusKeyword(c.status_code[i])));
        } else if (tag.name == "span:kind") {
          values.Add("keyword", std::string(KindKeyword(c.kind[i])));
        } else if (tag.name == "span:statusMessage") {
          if (!c.status_message[i].empty()) values.Add("string", std::string(c.status_message[i]));
        } else if (tag.name == "event:name") {
          for (uint32_t e = c.events[i].begin; e < c.events[i].end(); ++e) {
            values.Add("string", std::string(b.events[e].name));
          }
        } else if (tag.name == "instrumentation:name") {
          if (!scope.name.empty()) values.Add("string", std::string(scope.name));
        } else if (tag.name == "instrumentation:version") {
          if (!scope.version.empty()) values.Add("string", std::string(scope.version));
        } else if ((tag.name == "trace:rootName" || tag.name == "trace:rootService") &&
                   c.parent_span_id[i].IsZero()) {
          if (tag.name == "trace:rootName") {
            values.Add("string", std::string(c.name[i]));
          } else {
            for (uint32_t k = resource.attributes.begin; k < resource.attributes.end(); ++k) {
              if (b.key_values[k].key == "service.name") values.AddValue(b.key_values[k].value);
            }
          }
        }
        break;
    }
  }
}

void AddNames(model::Range attrs, const model::SpanBatch& b, std::set<std::string>* out,
              size_t limit) {
  for (uint32_t k = attrs.begin; k < attrs.end(); ++k) {
    if (limit > 0 && out->size() >= limit) return;
    out->insert(std::string(b.key_values[k].key));
  }
}

}  // namespace

const std::vector<std::string>& IntrinsicTagNames() {
  static const std::vector<std::string> names = {"duration",
                                                 "event:name",
                                                 "event:timeSinceStart",
                                                 "instrumentation:name",
                                                 "instrumentation:version",
                                                 "kind",
                                                 "link:spanID",
                                                 "link:traceID",
                                                 "name",
                                                 "rootName",
                                                 "rootServiceName",
                                                 "span:duration",
                                                 "span:id",
                                                 "span:kind",
                                                 "span:name",
                                                 "span:parentID",
                                                 "span:status",
                                                 "span:statusMessage",
                                                 "status",
                                                 "statusMessage",
                                                 "trace:duration",
                                                 "trace:id",
                                                 "trace:rootName",
                                                 "trace:rootService",
                                                 "traceDuration"};
  return names;
}

Result<TagNamesByScope> CollectTagNames(const store::Store& store, const store::ScanRequest& scan,
                                        size_t limit, const SpanFilter& filter) {
  TagNamesByScope names;
  RETURN_IF_ERROR(store.Scan(
      scan,
      [&](const model::TraceId&, const model::SpanBatch& b) {
        std::vector<bool> keep = filter ? filter(b) : std::vector<bool>(b.span_count(), true);
        std::vector<bool> resources(b.resources.size()), scopes(b.scopes.size());
        for (uint32_t i = 0; i < b.span_count(); ++i) {
          if (!keep[i]) continue;
          const model::SpanColumns& c = b.spans;
          scopes[c.scope[i]] = true;
          resources[b.scopes[c.scope[i]].resource] = true;
          AddNames(c.attributes[i], b, &names.span, limit);
          for (uint32_t e = c.events[i].begin; e < c.events[i].end(); ++e) {
            AddNames(b.events[e].attributes, b, &names.event, limit);
          }
          for (uint32_t l = c.links[i].begin; l < c.links[i].end(); ++l) {
            AddNames(b.links[l].attributes, b, &names.link, limit);
          }
        }
        for (size_t r = 0; r < resources.size(); ++r) {
          if (resources[r]) AddNames(b.resources[r].attributes, b, &names.resource, limit);
        }
        for (size_t s = 0; s < scopes.size(); ++s) {
          if (scopes[s]) AddNames(b.scopes[s].attributes, b, &names.instrumentation, limit);
        }
        return true;
      },
      nullptr));
  return names;
}

Result<std::vector<TagValue>> CollectTagValues(const store::Store& store,
                                               const store::ScanRequest& scan, std::string_view tag,
                                               bool traceql_identifier, size_t limit,
                                               const SpanFilter& filter) {
  TagRef ref = ParseTag(tag, traceql_identifier);
  std::set<TagValue> found;
  RETURN_IF_ERROR(store.Scan(
      scan,
      [&](const model::TraceId&, const model::SpanBatch& b) {
        ValueCollector values(b, &found, limit);
        CollectFromTrace(b, ref, filter ? filter(b) : std::vector<bool>(), values);
        return !values.full();
      },
      nullptr));
  return std::vector<TagValue>(found.begin(), found.end());
}

}  // namespace th::query

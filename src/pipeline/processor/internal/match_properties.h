// The Collector's legacy span matcher (`include` / `exclude` blocks of MatchProperties), shared by
// the `filter` processor's `spans:` form and the `attributes` processor; semantics follow contrib's
// internal/filter/filterspan and filtermatcher:
//
//   match_type: strict | regexp (required). regexp is RE2, matched anywhere in the text (Go's
//     MatchString); strict is whole-text equality.
//   services, span_names, span_kinds: lists; a span matches a list when any item matches.
//     services reads the resource's service.name ("<nil-service-name>" when absent);
//     span_kinds compares "SPAN_KIND_SERVER" etc. (strict mode rejects other names).
//   libraries: [{name, version}] — as the Collector's code does, EVERY entry must match the span's
//     scope (the docs say "any"); an unset version matches any version, "" only an empty one.
//   attributes, resources: [{key, value}] — every entry must match; without `value` the key only
//     has to exist. strict compares typed values (plus a string attribute equal to the value as
//     written, see config_value.h); regexp matches the string form of string, bool, int and
//     double values.
//   regexp: {cacheenabled, cachemaxnumentries} is accepted; RE2 needs no result cache.
//   Within one block all the properties given must match; at least one must be given.
//
// A selector built from `include` and `exclude` selects a span when include (if given) matches
// and exclude (if given) does not. Immutable after Parse; thread-safe for concurrent reads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/config/node.h"
#include "common/status.h"
#include "model/span_batch.h"
#include "pipeline/processor/internal/config_value.h"

namespace re2 {
class RE2;
}

namespace th::pipeline::processor {

// A list of strict strings or regexps; matches when any item matches.
class StringSet {
 public:
  // Compiles `items` (read from list node `where`, whose items name errors). Errors: a regexp
  // RE2 rejects.
  static Result<StringSet> Make(const config::Node& where, const std::vector<std::string>& items,
                                bool regexp);
  bool Matches(std::string_view s) const;
  bool empty() const { return strict_.empty() && regexps_.empty(); }

 private:
  std::vector<std::string> strict_;
  std::vector<std::shared_ptr<const re2::RE2>> regexps_;
};

class PropertiesMatcher {
 public:
  // Reads one MatchProperties map. Errors carry the file:line:col of the offending key.
  static Result<PropertiesMatcher> Parse(const config::Node& node);

  // Requires: `span` < batch.span_count(), and the span's scope and resource indexes are valid.
  bool Matches(const model::SpanBatch& batch, uint32_t span) const;

 private:
  struct AttributeMatcher {
    std::string key;
    std::optional<ConfigValue> value;        // strict
    std::shared_ptr<const re2::RE2> regexp;  // regexp
  };
  struct LibraryMatcher {
    StringSet name;
    std::optional<StringSet> version;
  };

  bool AttributesMatch(const std::vector<AttributeMatcher>& matchers, const model::SpanBatch& batch,
                       model::Range attrs) const;
  static Status ParseAttributes(const config::Node& list, bool regexp,
                                std::vector<AttributeMatcher>* out);

  std::optional<StringSet> services_;
  std::optional<StringSet> span_names_;
  std::optional<StringSet> span_kinds_;
  std::vector<LibraryMatcher> libraries_;
  std::vector<AttributeMatcher> attributes_;
  std::vector<AttributeMatcher> resources_;
};

class SpanSelector {
 public:
  // Reads `include` and `exclude` under `parent` (either may be absent or null).
  static Result<SpanSelector> Parse(const config::Node& parent);

  // True when neither block was given: every span is selected.
  bool empty() const { return !include_ && !exclude_; }
  bool Selects(const model::SpanBatch& batch, uint32_t span) const;

 private:
  std::optional<PropertiesMatcher> include_;
  std::optional<PropertiesMatcher> exclude_;
};

// "SPAN_KIND_SERVER" etc. for an OTLP span kind; "" for values this code does not know.
std::string_view SpanKindName(int32_t kind);

}  // namespace th::pipeline::processor

// Tag names and values for Tempo's autocomplete APIs (/api/search/tags, /api/v2/search/tags,
// /api/search/tag/<tag>/values, /api/v2/search/tag/<tag>/values), found by scanning the traces
// in the requested time range. Values are distinct and sorted; a limit caps how many are kept.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace th::query {

// Which spans of a trace count for autocomplete (a TraceQL filter in `q`); all when unset.
// Returns one flag per span of the trace.
using SpanFilter = std::function<std::vector<bool>(const model::SpanBatch& trace)>;

struct TagNamesByScope {
  std::set<std::string> resource, span, event, link, instrumentation;
};

// Attribute names per scope. `limit_per_scope` 0 means no limit.
Result<TagNamesByScope> CollectTagNames(const store::Store& store, const store::ScanRequest& scan,
                                        size_t limit_per_scope, const SpanFilter& filter = {});

// The intrinsic names Tempo lists under the "intrinsic" scope.
const std::vector<std::string>& IntrinsicTagNames();

struct TagValue {
  std::string type;  // string, int, float, bool, keyword
  std::string value;
  friend bool operator<(const TagValue& a, const TagValue& b) {
    return a.type != b.type ? a.type < b.type : a.value < b.value;
  }
};

// Values of `tag`. With `traceql_identifier` (v2) the tag is a TraceQL identifier
// (`resource.service.name`, `.service.name`, `span:name`, `status`, …); otherwise (v1) a bare
// attribute name looked up on spans and resources. Unknown intrinsics give no values.
Result<std::vector<TagValue>> CollectTagValues(const store::Store& store,
                                               const store::ScanRequest& scan, std::string_view tag,
                                               bool traceql_identifier, size_t limit,
                                               const SpanFilter& filter = {});

}  // namespace th::query

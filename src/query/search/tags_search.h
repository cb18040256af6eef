// Legacy tag search over the store: Tempo's `/api/search` with `tags`, `minDuration`,
// `maxDuration`, `limit`, `spss`, `start`/`end` (see TagsFilter for what a match is).
#pragma once

#include <cstdint>

#include "common/status.h"
#include "query/search/search_result.h"
#include "query/search/tags_filter.h"
#include "store/store.h"

namespace th::query {

struct TagsSearchRequest {
  store::ScanRequest scan;
  TagsFilter filter;
  uint32_t limit = 20;  // traces
  uint32_t spans_per_span_set = 3;
};

// Errors: the scan's (deadline, cancellation); partial results are not returned.
Result<SearchResult> SearchByTags(const store::Store& store, const TagsSearchRequest& request);

}  // namespace th::query

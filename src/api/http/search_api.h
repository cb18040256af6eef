// Tempo's search and autocomplete endpoints on the query API: /api/search (TraceQL `q`, or
// legacy `tags`), /api/search/tags, /api/v2/search/tags,
// /api/search/tag/<tag>/values and /api/v2/search/tag/<tag>/values. Shapes as Tempo's
// (../shared/reference/tempo.md §b.1–b.2). Thread-safe: the store is.
#pragma once

#include "common/http/server.h"
#include "store/store.h"

namespace th::api {

// Answers `req` if its path is one of the search endpoints; returns false (and does not answer)
// otherwise.
bool ServeSearch(const store::Store* store, const http::Request& req, http::Response* response);

}  // namespace th::api

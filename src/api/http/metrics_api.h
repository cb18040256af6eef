// Tempo's TraceQL metrics endpoints on the query API (reference/tempo.md §b.1–b.2):
//   GET /api/metrics/query_range  q, start, end, since (default 1h), step, exemplars
//   GET /api/metrics/query        q, start, end, since (an instant query: one value per series)
// start/end are unix seconds, unix nanoseconds or RFC3339; end defaults to now and start to
// end - since. Answers 400 with a message for bad parameters, for a `q` that does not parse or
// validate, and for a search query. Thread-safe: the store is.
#pragma once

#include "common/http/server.h"
#include "store/store.h"

namespace th::api {

// Answers `req` if its path is one of the metrics endpoints; returns false (and does not
// answer) otherwise.
bool ServeMetrics(const store::Store* store, const http::Request& req, http::Response* response);

}  // namespace th::api

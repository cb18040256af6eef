// The HTTP query API on port 3200: Grafana Tempo's endpoints (trace by id v1 and v2, echo,
// ready, build info) and /metrics. Response shapes are Tempo's, so Grafana's Tempo data source
// and Tempo scripts work unchanged (../shared/reference/tempo.md §b).
//
// Thread-safety: the handler may run on several network threads at once; the store is
// thread-safe.
#pragma once

#include <functional>

#include "common/http/server.h"
#include "store/store.h"

namespace th::api {

struct QueryApiOptions {
  // Reports readiness for /ready (e.g. false while shutting down).
  std::function<bool()> ready = [] { return true; };
  // Searches, autocomplete and metrics scan the store: they run on these query workers, not on
  // network threads. Past `max_queued_queries` waiting, requests are answered 429.
  int query_threads = 2;
  size_t max_queued_queries = 64;
};

// Returns the handler for the query API over `store` (which must outlive it). The handler owns
// the query workers; destroying its last copy waits for running queries.
http::Handler MakeQueryApiHandler(const store::Store* store, QueryApiOptions options);

}  // namespace th::api

// What every query endpoint shares: the tenant of a request and the limits a scan runs under.
#pragma once

#include <chrono>
#include <string>

#include "common/http/server.h"
#include "model/span_batch.h"
#include "store/scan.h"

namespace th::api {

// A query stops with DeadlineExceeded after this long.
inline constexpr auto kQueryTimeout = std::chrono::seconds(30);
// One query may read at most this many spans (about 20 s of scanning over the head today).
inline constexpr uint64_t kMaxSpansPerQuery = 50'000'000;

// The request's X-Scope-OrgID, or the single default tenant.
inline std::string TenantOf(const http::Request& req) {
  std::string t(req.Header("x-scope-orgid"));
  return t.empty() ? std::string(model::kDefaultTenant) : t;
}

// A scan of the request's tenant, with the deadline and span limit; the range is left open.
inline store::ScanRequest NewScanRequest(const http::Request& req) {
  store::ScanRequest scan;
  scan.tenant = TenantOf(req);
  scan.deadline = std::chrono::steady_clock::now() + kQueryTimeout;
  scan.max_spans = kMaxSpansPerQuery;
  // A client that hangs up cancels its query (the request, and so the flag, outlives the scan).
  scan.cancelled = req.client_gone.get();
  return scan;
}

}  // namespace th::api

// A small blocking HTTP/1.1 client for command-line tools (`tracehouse query`) and tests: one
// request per connection, a deadline, no TLS. Not for hot paths. Thread-safe: no shared state.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace th::http {

struct ClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// GETs `target` (path and query) from `endpoint` ("host:port", or "http://host:port").
// Errors: Unavailable for connection and protocol failures, DeadlineExceeded past `timeout_ms`.
Result<ClientResponse> Get(const std::string& endpoint, const std::string& target,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           int timeout_ms = 30000);

// Percent-encodes `s` for a query parameter value.
std::string UrlEncode(std::string_view s);

}  // namespace th::http

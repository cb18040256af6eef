// Configuration of the `zipkin` receiver, with the Collector's keys and defaults:
//
//   receivers:
//     zipkin:
//       endpoint: 0.0.0.0:9411        # host:port; port 0 picks a free port
//       parse_string_tags: false      # "12" → int, "1.5" → double, "true" → bool attributes
//       max_request_body_size: 20971520   # bytes, after decompression; larger → 413
//       response_headers: {X-Foo: bar}    # added to every response
//       cors:
//         allowed_origins: [https://*.example.com]
//         allowed_headers: [X-Custom]
//         max_age: 7200
//
// Unknown keys are errors naming the key, its file, line and column. Plain value type;
// thread-safe as a value.
#pragma once

#include "common/http/server.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace th::config {
class Node;
}

namespace th::ingest::zipkin {

struct CorsConfig {
  // Origins allowed to POST from a browser; '*' matches any run of characters. Empty: CORS off.
  std::vector<std::string> allowed_origins;
  // Request headers allowed beyond the CORS safelist (and X-Requested-With); "*" allows any.
  std::vector<std::string> allowed_headers;
  int64_t max_age = 0;  // seconds a preflight may be cached; 0: header not sent
};

struct ZipkinReceiverConfig {
  std::string endpoint = "127.0.0.1:9411";  // the Collector's default: loopback
  http::TlsOptions tls;
  bool parse_string_tags = false;
  uint64_t max_request_body_size = uint64_t{20} << 20;
  std::map<std::string, std::string> response_headers;
  CorsConfig cors;

  // Errors: endpoint not host:port with a port in 0..65535, a zero body size, a negative max_age.
  Status Validate() const;

  // Reads the receiver's config section (absent or null: all defaults) and validates it. Errors
  // carry FILE:LINE:COL and the key's path.
  static Result<ZipkinReceiverConfig> Parse(const config::Node& node);
};

}  // namespace th::ingest::zipkin

// Reading request header values the same way in every HTTP receiver (otlp, jaeger, zipkin):
// the media type of a Content-Type, and CORS `allowed_origins` patterns.
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace th::http {

// The media type of a Content-Type header value, without parameters (charset=…), with the
// surrounding spaces and tabs removed, lower case: " Application/JSON; charset=utf-8" gives
// "application/json".
std::string MediaType(std::string_view content_type);

// True when `origin` matches one of the `allowed` patterns (CORS allowed_origins): a pattern
// matches itself, and each '*' in it matches any run of characters ("*" matches every origin,
// "https://*.example.com" every subdomain). An empty origin matches only an empty pattern.
bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowed);

}  // namespace th::http

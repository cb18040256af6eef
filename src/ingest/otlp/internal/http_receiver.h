// OTLP/HTTP request handling for POST /v1/traces. Internal to ingest/otlp.
#pragma once

#include <string>
#include <vector>

#include <cstddef>

#include "common/http/server.h"
#include "pipeline/consumer.h"

namespace th::ingest::otlp {

// Returns the handler that answers OTLP/HTTP requests on `traces_path` and `logs_path` (a
// signal whose consumer is null answers 404). `max_body_bytes` bounds the body after
// decompression.
http::Handler MakeOtlpHttpHandler(pipeline::TracesConsumer* traces, pipeline::LogsConsumer* logs,
                                  size_t max_body_bytes, std::string traces_path,
                                  std::string logs_path);

// Wraps `inner` with CORS as the Collector's confighttp does it: a preflight (OPTIONS with
// Origin and Access-Control-Request-Method) from an allowed origin is answered 204 with the
// allowed methods and headers; other requests from an allowed origin get
// Access-Control-Allow-Origin. Origins may use one '*' wildcard ("https://*.example.com").
http::Handler WithCors(http::Handler inner, std::vector<std::string> allowed_origins,
                       std::vector<std::string> allowed_headers, int max_age_seconds);

}  // namespace th::ingest::otlp

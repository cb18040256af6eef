// OTLP/HTTP request handling for POST /v1/traces. Internal to ingest/otlp.
#pragma once

#include <cstddef>

#include "common/http/server.h"
#include "pipeline/consumer.h"

namespace th::ingest::otlp {

// Returns the handler that answers OTLP/HTTP requests. `max_body_bytes` bounds the body after
// decompression.
http::Handler MakeOtlpHttpHandler(pipeline::TracesConsumer* consumer, size_t max_body_bytes);

}  // namespace th::ingest::otlp

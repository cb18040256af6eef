// POST /api/traces for the thrift_http protocol: a binary-protocol jaeger.Batch in, 202 Accepted
// out, as Jaeger's collector answers. Internal to ingest/jaeger.
#pragma once

#include <cstddef>
#include <memory>

#include "common/http/server.h"
#include "ingest/jaeger/internal/submit.h"
#include "pipeline/consumer.h"

namespace th::ingest::jaeger {

http::Handler MakeThriftHttpHandler(pipeline::TracesConsumer* consumer,
                                    const pipeline::ReceiverCounters& metrics,
                                    std::shared_ptr<InFlight> in_flight, size_t max_body_bytes);

}  // namespace th::ingest::jaeger

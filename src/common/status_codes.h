// The one table that maps a Status to protocol answers: HTTP status codes and gRPC status codes
// (as the numbers of grpc::StatusCode / google.rpc.Code, so this header needs no gRPC include).
// InvalidArgument is the sender's fault (400 / INVALID_ARGUMENT, do not retry); ResourceExhausted
// is "too much right now" (429 / UNAVAILABLE, retry later); Unavailable, FailedPrecondition
// (shutting down), Internal and DataLoss mean the server could not make the data safe (503 /
// UNAVAILABLE, retry). Thread-safe: pure functions.
#pragma once

#include "common/status.h"

namespace th {

int HttpStatusFor(const Status& status);
// gRPC code for an OTLP export that failed with `status`.
int GrpcCodeFor(const Status& status);
// True when a sender should retry (and the answer carries Retry-After / is UNAVAILABLE).
bool IsRetryable(const Status& status);

}  // namespace th

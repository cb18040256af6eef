#include "common/status_codes.h"

namespace th {

namespace {
// google.rpc.Code numbers.
constexpr int kGrpcInvalidArgument = 3;
constexpr int kGrpcNotFound = 5;
constexpr int kGrpcResourceExhausted = 8;
constexpr int kGrpcUnimplemented = 12;
constexpr int kGrpcInternal = 13;
constexpr int kGrpcUnavailable = 14;
constexpr int kGrpcDeadlineExceeded = 4;
}  // namespace

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kInternal:
      return 503;
    default:
      return 500;
  }
}

int GrpcCodeFor(const Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 0;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return kGrpcInvalidArgument;
    case absl::StatusCode::kNotFound:
      return kGrpcNotFound;
    case absl::StatusCode::kUnimplemented:
      return kGrpcUnimplemented;
    case absl::StatusCode::kDeadlineExceeded:
      return kGrpcDeadlineExceeded;
    // OTLP clients retry UNAVAILABLE unconditionally, RESOURCE_EXHAUSTED only with RetryInfo;
    // overload and durability failures must be retried, so both become UNAVAILABLE.
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kInternal:
      return kGrpcUnavailable;
    default:
      return kGrpcInternal;
  }
  (void)kGrpcResourceExhausted;
}

bool IsRetryable(const Status& status) {
  int http = HttpStatusFor(status);
  return http == 429 || http == 503 || http == 504;
}

}  // namespace th

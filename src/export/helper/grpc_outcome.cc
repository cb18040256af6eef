#include "export/helper/grpc_outcome.h"

#include "common/protobuf_wire.h"
#include "common/strings.h"
#include "export/helper/sender.h"

namespace th::exporter::helper {
namespace {

constexpr std::string_view kRetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";

const char* CodeName(int code) {
  static constexpr const char* kNames[] = {
      "OK",           "CANCELLED",         "UNKNOWN",          "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND",    "ALREADY_EXISTS",   "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",  "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",         "UNAVAILABLE",      "DATA_LOSS",
      "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
}

// google.protobuf.Duration {int64 seconds = 1; int32 nanos = 2;}
std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view bytes) {
  wire::Reader r(bytes);
  int64_t seconds = 0;
  int64_t nanos = 0;
  while (!r.done()) {
    uint32_t field, type;
    if (!r.ReadTag(&field, &type)) return std::nullopt;
    uint64_t v;
    if ((field == 1 || field == 2) && type == wire::kVarint) {
      if (!r.ReadVarint(&v)) return std::nullopt;
      (field == 1 ? seconds : nanos) = static_cast<int64_t>(v);
    } else if (!r.Skip(type)) {
      return std::nullopt;
    }
  }
  if (seconds < 0 || nanos < 0 || seconds > 315'576'000'000) return std::nullopt;
  return std::chrono::seconds(seconds) + std::chrono::nanoseconds(static_cast<int32_t>(nanos));
}

}  // namespace

std::optional<std::chrono::nanoseconds> RetryDelayFromGrpcDetails(std::string_view details) {
  // google.rpc.Status {int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3;}
  wire::Reader status(details);
  while (!status.done()) {
    uint32_t field, type;
    if (!status.ReadTag(&field, &type)) return std::nullopt;
    if (field != 3 || type != wire::kLen) {
      if (!status.Skip(type)) return std::nullopt;
      continue;
    }
    std::string_view any_bytes;
    if (!status.ReadLen(&any_bytes)) return std::nullopt;
    // google.protobuf.Any {string type_url = 1; bytes value = 2;}
    wire::Reader any(any_bytes);
    std::string_view type_url, value;
    while (!any.done()) {
      uint32_t f, t;
      if (!any.ReadTag(&f, &t)) return std::nullopt;
      if (f == 1 && t == wire::kLen) {
        if (!any.ReadLen(&type_url)) return std::nullopt;
      } else if (f == 2 && t == wire::kLen) {
        if (!any.ReadLen(&value)) return std::nullopt;
      } else if (!any.Skip(t)) {
        return std::nullopt;
      }
    }
    if (type_url != kRetryInfoType) continue;
    // google.rpc.RetryInfo {google.protobuf.Duration retry_delay = 1;}
    wire::Reader info(value);
    std::optional<std::chrono::nanoseconds> delay = std::chrono::nanoseconds(0);
    while (!info.done()) {
      uint32_t f, t;
      if (!info.ReadTag(&f, &t)) return std::nullopt;
      if (f == 1 && t == wire::kLen) {
        std::string_view d;
        if (!info.ReadLen(&d)) return std::nullopt;
        delay = ParseDuration(d);
        if (!delay) return std::nullopt;
      } else if (!info.Skip(t)) {
        return std::nullopt;
      }
    }
    return delay;
  }
  return std::nullopt;
}

Status OutcomeOfGrpcStatus(int code, std::string_view message, std::string_view details,
                 std::string_view endpoint) {
  if (code == 0) return absl::OkStatus();
  Status s(static_cast<absl::StatusCode>(code >= 1 && code <= 16 ? code : 2),
           th::StrCat("export to ", endpoint, " failed: ", CodeName(code), ": ", message));
  std::optional<std::chrono::nanoseconds> delay = RetryDelayFromGrpcDetails(details);
  bool retry;
  switch (code) {
    case 1:   // CANCELLED
    case 4:   // DEADLINE_EXCEEDED
    case 10:  // ABORTED
    case 11:  // OUT_OF_RANGE
    case 14:  // UNAVAILABLE
    case 15:  // DATA_LOSS
      retry = true;
      break;
    case 8:  // RESOURCE_EXHAUSTED: only when the server says when to come back
      retry = delay.has_value();
      break;
    default:
      retry = false;
  }
  if (!retry) return Permanent(std::move(s));
  if (delay.has_value() && delay->count() > 0) return WithRetryAfter(std::move(s), *delay);
  return s;
}

}  // namespace th::exporter::helper

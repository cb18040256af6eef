#include "export/helper/sender.h"

#include <charconv>
#include <string>

#include "absl/strings/cord.h"

namespace th::exporter::helper {
namespace {

// Payload type URLs; the values never leave the process.
constexpr char kPermanentUrl[] = "tracehouse/exporter.permanent";
constexpr char kRetryAfterUrl[] = "tracehouse/exporter.retry_after_ns";

}  // namespace

Status Permanent(Status status) {
  if (status.ok()) return status;
  status.SetPayload(kPermanentUrl, absl::Cord("1"));
  return status;
}

bool IsPermanent(const Status& status) {
  return !status.ok() && status.GetPayload(kPermanentUrl).has_value();
}

Status WithRetryAfter(Status status, std::chrono::nanoseconds delay) {
  if (status.ok()) return status;
  status.SetPayload(kRetryAfterUrl, absl::Cord(std::to_string(delay.count())));
  return status;
}

std::optional<std::chrono::nanoseconds> RetryAfterOf(const Status& status) {
  auto payload = status.GetPayload(kRetryAfterUrl);
  if (!payload.has_value()) return std::nullopt;
  std::string text(*payload);
  int64_t ns = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ns);
  if (ec != std::errc() || end != text.data() + text.size() || ns < 0) return std::nullopt;
  return std::chrono::nanoseconds(ns);
}

}  // namespace th::exporter::helper

#include "export/otlphttp/internal/response.h"

#include <ctime>

#include <simdjson.h>

#include "common/protobuf_wire.h"
#include "common/strings.h"
#include "export/helper/sender.h"

namespace th::exporter::otlphttp::internal {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// google.rpc.Status.message from a protobuf or JSON body; empty when there is none.
std::string RpcStatusMessage(std::string_view body, bool json) {
  if (json) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body.data(), body.size()).get(doc)) return "";
    std::string_view message;
    if (doc["message"].get(message)) return "";
    return std::string(message);
  }
  wire::Reader r(body);
  std::string message;
  while (!r.done()) {
    uint32_t field, type;
    if (!r.ReadTag(&field, &type)) return "";
    if (field == 2 && type == wire::kLen) {
      std::string_view m;
      if (!r.ReadLen(&m)) return "";
      message = std::string(m);
    } else if (!r.Skip(type)) {
      return "";
    }
  }
  return message;
}

}  // namespace

std::optional<std::chrono::nanoseconds> ParseRetryAfter(std::string_view value,
                                                        int64_t now_unix_seconds) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits = digits && c >= '0' && c <= '9';
  if (digits) {
    if (value.size() > 9) return std::chrono::seconds(999'999'999);
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  std::tm tm{};
  std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  int64_t at = static_cast<int64_t>(timegm(&tm));
  return std::chrono::seconds(std::max<int64_t>(0, at - now_unix_seconds));
}

Result<PartialSuccess> ParseExportResponse(std::string_view body, bool json) {
  PartialSuccess out;
  if (Trim(body).empty()) return out;
  if (json) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body.data(), body.size()).get(doc) || !doc.is_object()) {
      return absl::InvalidArgumentError("response body is not an export response");
    }
    simdjson::dom::element partial;
    if (doc["partialSuccess"].get(partial) && doc["partial_success"].get(partial)) return out;
    simdjson::dom::element rejected;
    if (!partial["rejectedSpans"].get(rejected) || !partial["rejected_spans"].get(rejected) ||
        !partial["rejectedLogRecords"].get(rejected) ||
        !partial["rejected_log_records"].get(rejected)) {
      int64_t n = 0;
      std::string_view s;
      if (!rejected.get(n)) {
        out.rejected_items = n;
      } else if (!rejected.get(s)) {
        try {
          out.rejected_items = std::stoll(std::string(s));
        } catch (...) {
          return absl::InvalidArgumentError("response rejected count is not an integer");
        }
      }
    }
    std::string_view message;
    if (!partial["errorMessage"].get(message) || !partial["error_message"].get(message)) {
      out.error_message = std::string(message);
    }
    return out;
  }
  wire::Reader r(body);
  while (!r.done()) {
    uint32_t field, type;
    if (!r.ReadTag(&field, &type)) {
      return absl::InvalidArgumentError("response body is not an export response");
    }
    if (field != 1 || type != wire::kLen) {
      if (!r.Skip(type)) {
        return absl::InvalidArgumentError("response body is not an export response");
      }
      continue;
    }
    std::string_view partial;
    if (!r.ReadLen(&partial)) {
      return absl::InvalidArgumentError("response body is not an export response");
    }
    wire::Reader p(partial);
    while (!p.done()) {
      uint32_t f, t;
      bool ok = p.ReadTag(&f, &t);
      if (ok && f == 1 && t == wire::kVarint) {
        uint64_t v;
        ok = p.ReadVarint(&v);
        out.rejected_items = static_cast<int64_t>(v);
      } else if (ok && f == 2 && t == wire::kLen) {
        std::string_view m;
        ok = p.ReadLen(&m);
        out.error_message = std::string(m);
      } else if (ok) {
        ok = p.Skip(t);
      }
      if (!ok) {
        return absl::InvalidArgumentError("response body is not an export response");
      }
    }
  }
  return out;
}

Status OutcomeOfHttpStatus(int status, std::string_view body, bool json_body,
                           std::optional<std::chrono::nanoseconds> retry_after,
                           std::string_view url) {
  std::string message = RpcStatusMessage(body, json_body);
  if (message.empty() && !body.empty() && body.size() <= 512 && !json_body) {
    // A plain-text error page from a proxy: keep it if it looks like text.
    bool text = true;
    for (char c : body) text = text && (static_cast<unsigned char>(c) >= 0x20 || c == '\n');
    if (text) message = std::string(Trim(body));
  }
  std::string text = th::StrCat("export to ", url, " failed: HTTP ", status,
                                message.empty() ? "" : ": ", message);
  switch (status) {
    case 429:
      return helper::WithRetryAfter(absl::ResourceExhaustedError(text),
                                    retry_after.value_or(std::chrono::nanoseconds(0)));
    case 502:
    case 503:
    case 504:
      return helper::WithRetryAfter(absl::UnavailableError(text),
                                    retry_after.value_or(std::chrono::nanoseconds(0)));
    case 400:
      return helper::Permanent(absl::InvalidArgumentError(text));
    case 401:
    case 403:
      return helper::Permanent(absl::PermissionDeniedError(text));
    case 404:
      return helper::Permanent(absl::NotFoundError(text));
    default:
      return helper::Permanent(absl::InternalError(text));
  }
}

}  // namespace th::exporter::otlphttp::internal

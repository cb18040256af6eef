#include "ingest/otlp/internal/logs_codec.h"

#include <google/protobuf/util/json_util.h>

#include "common/base64.h"
#include "common/strings.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace th::ingest::otlp {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the JSON string starting at text[i] == '"'; returns the index after its closing quote.
size_t SkipString(std::string_view text, size_t i) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return text.size();
}

size_t SkipSpace(std::string_view text, size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  return i;
}

uint64_t CountRecords(const ExportLogsServiceRequest& req) {
  uint64_t n = 0;
  for (const auto& rl : req.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) n += static_cast<uint64_t>(sl.log_records_size());
  }
  return n;
}

Status CheckIds(const ExportLogsServiceRequest& req) {
  for (int r = 0; r < req.resource_logs_size(); ++r) {
    const auto& rl = req.resource_logs(r);
    for (int s = 0; s < rl.scope_logs_size(); ++s) {
      const auto& sl = rl.scope_logs(s);
      for (int i = 0; i < sl.log_records_size(); ++i) {
        const auto& rec = sl.log_records(i);
        if (!rec.trace_id().empty() && rec.trace_id().size() != 16) {
          return absl::InvalidArgumentError(th::StrCat(
              "resourceLogs[", r, "].scopeLogs[", s, "].logRecords[", i, "].traceId: ",
              rec.trace_id().size(), " bytes, want 16"));
        }
        if (!rec.span_id().empty() && rec.span_id().size() != 8) {
          return absl::InvalidArgumentError(th::StrCat(
              "resourceLogs[", r, "].scopeLogs[", s, "].logRecords[", i, "].spanId: ",
              rec.span_id().size(), " bytes, want 8"));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

Result<std::string> HexIdsToBase64(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  size_t i = 0, copied = 0;
  while (i < json.size()) {
    if (json[i] != '"') {
      ++i;
      continue;
    }
    size_t end = SkipString(json, i);
    std::string_view token = json.substr(i + 1, end >= i + 2 ? end - i - 2 : 0);
    size_t after = SkipSpace(json, end);
    bool is_key = after < json.size() && json[after] == ':';
    bool is_id = is_key && (token == "traceId" || token == "spanId" || token == "trace_id" ||
                            token == "span_id");
    if (!is_id) {
      i = is_key ? after + 1 : end;
      continue;
    }
    size_t value = SkipSpace(json, after + 1);
    if (value >= json.size() || json[value] != '"') {
      i = value;
      continue;
    }
    size_t value_end = SkipString(json, value);
    if (json[value_end - 1] != '"' || value_end < value + 2) {
      return absl::InvalidArgumentError(th::StrCat(token, ": unterminated string"));
    }
    std::string_view hex = json.substr(value + 1, value_end - value - 2);
    if (hex.size() % 2 != 0) {
      return absl::InvalidArgumentError(th::StrCat(token, ": \"", hex, "\" is not hex"));
    }
    std::string bytes;
    for (size_t k = 0; k < hex.size(); k += 2) {
      int hi = HexValue(hex[k]), lo = HexValue(hex[k + 1]);
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(th::StrCat(token, ": \"", hex, "\" is not hex"));
      }
      bytes += static_cast<char>(hi * 16 + lo);
    }
    out.append(json.substr(copied, value + 1 - copied));
    out.append(Base64Encode(bytes));
    out += '"';
    copied = value_end;
    i = value_end;
  }
  out.append(json.substr(copied));
  return out;
}

Result<std::unique_ptr<model::LogsBatch>> DecodeOtlpLogsProto(std::string&& body,
                                                              std::string_view tenant) {
  ExportLogsServiceRequest req;
  if (!req.ParseFromString(body)) {
    return absl::InvalidArgumentError("body is not a valid ExportLogsServiceRequest (protobuf)");
  }
  RETURN_IF_ERROR(CheckIds(req));
  auto batch = std::make_unique<model::LogsBatch>();
  batch->tenant = std::string(tenant);
  batch->record_count = CountRecords(req);
  batch->otlp = std::move(body);
  return batch;
}

Result<std::unique_ptr<model::LogsBatch>> DecodeOtlpLogsJson(std::string_view body,
                                                             std::string_view tenant) {
  ASSIGN_OR_RETURN(std::string json, HexIdsToBase64(body));
  ExportLogsServiceRequest req;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // OTLP: receivers ignore fields they do not know
  auto status = google::protobuf::util::JsonStringToMessage(json, &req, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        th::StrCat("body is not valid OTLP/JSON logs: ", std::string(status.message())));
  }
  RETURN_IF_ERROR(CheckIds(req));
  auto batch = std::make_unique<model::LogsBatch>();
  batch->tenant = std::string(tenant);
  batch->record_count = CountRecords(req);
  req.SerializeToString(&batch->otlp);
  return batch;
}

}  // namespace th::ingest::otlp

#include "ingest/otlp/internal/logs_codec.h"

#include <google/protobuf/util/json_util.h>

#include "common/strings.h"
#include "model/otlp_json_ids.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace th::ingest::otlp {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

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
  ASSIGN_OR_RETURN(std::string json, model::OtlpJsonHexIdsToBase64(body));
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

// Test-only helpers for the logs exporters: logs batches with a recognisable shape (built with
// libprotobuf, so tests need th_proto) and a parser of exported OTLP/JSON logs. Header-only; not
// linked into production code.
#pragma once

#include <google/protobuf/util/json_util.h>

#include <memory>
#include <string>
#include <string_view>

#include "model/logs_batch.h"
#include "model/otlp_json_ids.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace th::exporter::testing {

using LogsRequest = opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

// `records` log records under one resource (service.name=<service>) and one scope, with bodies
// "<service>-log-<i>", severity INFO (9), an attribute, and trace/span ids made of `id_base + i`.
inline LogsRequest MakeLogsRequest(const std::string& service, int records, int id_base = 0) {
  LogsRequest req;
  auto* rl = req.add_resource_logs();
  auto* attr = rl->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value(service);
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("test-lib");
  sl->mutable_scope()->set_version("1.0");
  for (int i = 0; i < records; ++i) {
    int id = id_base + i + 1;
    auto* r = sl->add_log_records();
    r->set_time_unix_nano(1'700'000'000'000'000'000ull + static_cast<uint64_t>(i));
    r->set_observed_time_unix_nano(1'700'000'000'000'000'100ull + static_cast<uint64_t>(i));
    r->set_severity_number(opentelemetry::proto::logs::v1::SEVERITY_NUMBER_INFO);
    r->set_severity_text("INFO");
    r->mutable_body()->set_string_value(service + "-log-" + std::to_string(i));
    auto* a = r->add_attributes();
    a->set_key("http.route");
    a->mutable_value()->set_string_value("/r/" + std::to_string(i));
    std::string trace(16, '\0'), span(8, '\0');
    trace[0] = '\xab';
    trace[14] = static_cast<char>(id >> 8);
    trace[15] = static_cast<char>(id);
    span[0] = '\xcd';
    span[7] = static_cast<char>(id);
    r->set_trace_id(trace);
    r->set_span_id(span);
    r->set_flags(1);
  }
  return req;
}

inline std::unique_ptr<model::LogsBatch> MakeLogsBatch(const std::string& service, int records,
                                                       const std::string& tenant = "single-tenant",
                                                       int id_base = 0) {
  auto b = std::make_unique<model::LogsBatch>();
  b->tenant = tenant;
  b->otlp = MakeLogsRequest(service, records, id_base).SerializeAsString();
  b->record_count = static_cast<uint64_t>(records);
  return b;
}

// Parses one OTLP/JSON logs request (hex ids) with libprotobuf.
inline bool ParseOtlpLogsJson(std::string_view json, LogsRequest* out) {
  Result<std::string> converted = model::OtlpJsonHexIdsToBase64(json);
  if (!converted.ok()) return false;
  return google::protobuf::util::JsonStringToMessage(*converted, out).ok();
}

}  // namespace th::exporter::testing

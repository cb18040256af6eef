#include "export/debug/internal/logs_text.h"

#include <cstdio>
#include <ctime>

#include "common/strings.h"
#include "model/ids.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace th::exporter::debug::internal {
namespace {

namespace common_v1 = opentelemetry::proto::common::v1;
namespace logs_v1 = opentelemetry::proto::logs::v1;

void AppendValue(const common_v1::AnyValue& v, std::string* out);

void AppendKvList(const google::protobuf::RepeatedPtrField<common_v1::KeyValue>& kvs,
                  std::string* out) {
  out->append("{");
  for (int i = 0; i < kvs.size(); ++i) {
    if (i > 0) out->append(",");
    th::StrAppend(out, "\"", kvs[i].key(), "\":");
    AppendValue(kvs[i].value(), out);
  }
  out->append("}");
}

// As the traces output (debug_exporter.cc) prints model values: Str(x), Int(1), Map({…}).
void AppendValue(const common_v1::AnyValue& v, std::string* out) {
  switch (v.value_case()) {
    case common_v1::AnyValue::kStringValue:
      th::StrAppend(out, "Str(", v.string_value(), ")");
      break;
    case common_v1::AnyValue::kBoolValue:
      th::StrAppend(out, "Bool(", v.bool_value(), ")");
      break;
    case common_v1::AnyValue::kIntValue:
      th::StrAppend(out, "Int(", v.int_value(), ")");
      break;
    case common_v1::AnyValue::kDoubleValue:
      th::StrAppend(out, "Double(", v.double_value(), ")");
      break;
    case common_v1::AnyValue::kBytesValue:
      th::StrAppend(out, "Bytes(", model::ToHex(v.bytes_value()), ")");
      break;
    case common_v1::AnyValue::kArrayValue:
      out->append("Slice([");
      for (int i = 0; i < v.array_value().values_size(); ++i) {
        if (i > 0) out->append(",");
        AppendValue(v.array_value().values(i), out);
      }
      out->append("])");
      break;
    case common_v1::AnyValue::kKvlistValue:
      out->append("Map(");
      AppendKvList(v.kvlist_value().values(), out);
      out->append(")");
      break;
    default:
      out->append("Empty()");
      break;
  }
}

// A body or attribute as plain text: strings as they are, anything else in the Str(…) form.
std::string PlainValue(const common_v1::AnyValue& v) {
  if (v.value_case() == common_v1::AnyValue::kStringValue) return v.string_value();
  std::string out;
  AppendValue(v, &out);
  return out;
}

void AppendAttributes(const google::protobuf::RepeatedPtrField<common_v1::KeyValue>& kvs,
                      std::string* out) {
  for (const common_v1::KeyValue& kv : kvs) {
    th::StrAppend(out, "     -> ", kv.key(), ": ");
    AppendValue(kv.value(), out);
    out->append("\n");
  }
}

void AppendAttributesInline(const google::protobuf::RepeatedPtrField<common_v1::KeyValue>& kvs,
                            std::string* out) {
  for (const common_v1::KeyValue& kv : kvs) {
    th::StrAppend(out, " ", kv.key(), "=", PlainValue(kv.value()));
  }
}

// pdata's SeverityNumber names: Unspecified, Trace, Trace2 … Fatal4.
std::string SeverityName(int number) {
  static constexpr const char* kBands[] = {"Trace", "Debug", "Info", "Warn", "Error", "Fatal"};
  if (number < 1 || number > 24) return "Unspecified";
  int band = (number - 1) / 4, step = (number - 1) % 4;
  return step == 0 ? std::string(kBands[band]) : th::StrCat(kBands[band], step + 1);
}

std::string Severity(const logs_v1::LogRecord& r) {
  if (!r.severity_text().empty()) return r.severity_text();
  return SeverityName(r.severity_number());
}

}  // namespace

std::string Timestamp(uint64_t unix_nano) {
  time_t secs = static_cast<time_t>(unix_nano / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  char frac[16];
  snprintf(frac, sizeof(frac), ".%09llu", static_cast<unsigned long long>(unix_nano % 1'000'000'000));
  return th::StrCat(std::string_view(buf, n), frac, " +0000 UTC");
}

Result<LogsText> RenderLogs(std::string_view otlp, LogsDetail detail) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest request;
  if (!request.ParseFromArray(otlp.data(), static_cast<int>(otlp.size()))) {
    return absl::InvalidArgumentError("logs batch is not an ExportLogsServiceRequest");
  }
  LogsText out;
  out.resource_logs = static_cast<uint64_t>(request.resource_logs_size());
  std::string& text = out.text;
  for (int ri = 0; ri < request.resource_logs_size(); ++ri) {
    const logs_v1::ResourceLogs& rl = request.resource_logs(ri);
    if (detail == LogsDetail::kPerRecord) {
      th::StrAppend(&text, "ResourceLog #", ri);
      AppendAttributesInline(rl.resource().attributes(), &text);
      text.append("\n");
    } else if (detail == LogsDetail::kEverything) {
      th::StrAppend(&text, "ResourceLog #", ri, "\nResource SchemaURL: ", rl.schema_url(),
                    "\nResource attributes:\n");
      AppendAttributes(rl.resource().attributes(), &text);
    }
    for (int si = 0; si < rl.scope_logs_size(); ++si) {
      const logs_v1::ScopeLogs& sl = rl.scope_logs(si);
      out.log_records += static_cast<uint64_t>(sl.log_records_size());
      if (detail == LogsDetail::kCounts) continue;
      if (detail == LogsDetail::kPerRecord) {
        th::StrAppend(&text, "ScopeLog #", si, " ", sl.scope().name());
        if (!sl.scope().version().empty()) th::StrAppend(&text, "@", sl.scope().version());
        text.append("\n");
      } else {
        th::StrAppend(&text, "ScopeLogs #", si, "\nScopeLogs SchemaURL: ", sl.schema_url(),
                      "\nInstrumentationScope ", sl.scope().name(), " ", sl.scope().version(),
                      "\n");
        if (sl.scope().attributes_size() > 0) {
          text.append("InstrumentationScope attributes:\n");
          AppendAttributes(sl.scope().attributes(), &text);
        }
      }
      for (int li = 0; li < sl.log_records_size(); ++li) {
        const logs_v1::LogRecord& r = sl.log_records(li);
        if (detail == LogsDetail::kPerRecord) {
          th::StrAppend(&text, PlainValue(r.body()), " severity=", Severity(r),
                        " trace_id=", model::ToHex(r.trace_id()));
          AppendAttributesInline(r.attributes(), &text);
          text.append("\n");
          continue;
        }
        th::StrAppend(&text, "LogRecord #", li, "\n");
        th::StrAppend(&text, "ObservedTimestamp: ", Timestamp(r.observed_time_unix_nano()), "\n");
        th::StrAppend(&text, "Timestamp: ", Timestamp(r.time_unix_nano()), "\n");
        th::StrAppend(&text, "SeverityText: ", r.severity_text(), "\n");
        th::StrAppend(&text, "SeverityNumber: ", SeverityName(r.severity_number()), "(",
                      static_cast<int>(r.severity_number()), ")\n");
        if (!r.event_name().empty()) th::StrAppend(&text, "EventName: ", r.event_name(), "\n");
        text.append("Body: ");
        AppendValue(r.body(), &text);
        text.append("\n");
        if (r.attributes_size() > 0) {
          text.append("Attributes:\n");
          AppendAttributes(r.attributes(), &text);
        }
        th::StrAppend(&text, "Trace ID: ", model::ToHex(r.trace_id()), "\n");
        th::StrAppend(&text, "Span ID: ", model::ToHex(r.span_id()), "\n");
        th::StrAppend(&text, "Flags: ", r.flags(), "\n");
        if (r.dropped_attributes_count() > 0) {
          th::StrAppend(&text, "DroppedAttributesCount: ", r.dropped_attributes_count(), "\n");
        }
      }
    }
  }
  return out;
}

}  // namespace th::exporter::debug::internal

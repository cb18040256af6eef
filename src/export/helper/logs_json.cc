#include "export/helper/logs_json.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/escaping.h"
#include "common/strings.h"
#include "model/ids.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace th::exporter::helper {

Status Base64IdsToHex(std::string_view json, std::string* out) {
  // protobuf's printer escapes every '"' inside string values, so `"traceId":"` (quote, name,
  // quote, colon, quote) only ever occurs as a key followed by its value; keys are field names,
  // and only LogRecord has fields with these names.
  static constexpr std::string_view kKeys[] = {"\"traceId\":\"", "\"spanId\":\""};
  size_t at = 0;
  while (at < json.size()) {
    size_t next = std::string_view::npos;
    size_t key_len = 0;
    for (std::string_view key : kKeys) {
      size_t p = json.find(key, at);
      if (p < next) {
        next = p;
        key_len = key.size();
      }
    }
    if (next == std::string_view::npos) break;
    size_t value = next + key_len;
    size_t close = json.find('"', value);
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError("unterminated id value in protobuf JSON");
    }
    std::string raw;
    if (!absl::Base64Unescape(absl::string_view(json.data() + value, close - value), &raw)) {
      return absl::InvalidArgumentError("an id in protobuf JSON is not base64");
    }
    out->append(json.substr(at, value - at));
    out->append(model::ToHex(raw));
    at = close;
  }
  out->append(json.substr(at));
  return absl::OkStatus();
}

Status EncodeOtlpLogsJson(std::string_view proto, std::string* json) {
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest request;
  if (!request.ParseFromArray(proto.data(), static_cast<int>(proto.size()))) {
    return absl::InvalidArgumentError("logs batch is not an ExportLogsServiceRequest");
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_enums_as_ints = true;  // OTLP/JSON: enums MUST be integers
  std::string printed;
  auto status = google::protobuf::util::MessageToJsonString(request, &printed, options);
  if (!status.ok()) {
    return absl::InternalError(
        th::StrCat("logs batch to JSON: ", std::string(status.message())));
  }
  return Base64IdsToHex(printed, json);
}

}  // namespace th::exporter::helper

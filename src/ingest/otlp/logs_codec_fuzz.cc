// Fuzz target: OTLP logs bodies, protobuf and JSON, through the receiver's checks.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/otlp/internal/logs_codec.h"
#include "model/otlp_json_ids.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  (void)th::ingest::otlp::DecodeOtlpLogsProto(std::string(body), "t");
  (void)th::ingest::otlp::DecodeOtlpLogsJson(body, "t");
  (void)th::model::OtlpJsonHexIdsToBase64(body);
  return 0;
}

// Fuzz target: OTLP logs bodies, protobuf and JSON, through the receiver's checks.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/otlp/internal/logs_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  (void)th::ingest::otlp::DecodeOtlpLogsProto(std::string(body), "t");
  (void)th::ingest::otlp::DecodeOtlpLogsJson(body, "t");
  (void)th::ingest::otlp::HexIdsToBase64(body);
  return 0;
}

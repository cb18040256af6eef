// Fuzz target: arbitrary bytes as an OTLP protobuf export request. Whatever decodes must also
// encode; nothing may crash, leak or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "model/otlp_decode.h"
#include "model/otlp_encode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto decoded = th::model::DecodeOtlpTracesProto(std::move(body), "fuzz");
  if (decoded.ok()) {
    std::string out;
    th::model::EncodeOtlpTraces(*decoded->batch, &out);
    auto again = th::model::DecodeOtlpTracesProto(std::move(out), "fuzz");
    if (!again.ok() || again->batch->span_count() != decoded->batch->span_count()) __builtin_trap();
  }
  return 0;
}

// Fuzz target: arbitrary bytes as a jaeger.api_v2.PostSpansRequest. Nothing may crash, leak or
// read out of bounds; whatever decodes must hold together.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/jaeger/jaeger_decode.h"
#include "ingest/jaeger/internal/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto decoded = th::ingest::jaeger::DecodeApiV2PostSpans(std::move(bytes), "");
  if (decoded.ok()) th::ingest::jaeger::CheckDecodedForFuzz(*decoded->batch);
  return 0;
}

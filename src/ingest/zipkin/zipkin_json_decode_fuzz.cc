// Fuzz target for DecodeZipkinJson: any bytes must decode or fail with a status, never crash,
// and a decoded batch must keep SpanBatch's layout invariants.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/zipkin/internal/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  // Both settings of parse_string_tags, chosen by the first byte so the corpus covers both.
  th::ingest::zipkin::DecodeOptions options;
  options.parse_string_tags = size > 0 && (data[0] & 1) != 0;
  auto result = th::ingest::zipkin::DecodeZipkinJson(body, "fuzz", options);
  if (result.ok()) th::ingest::zipkin::CheckBatchForFuzz(**result);
  return 0;
}

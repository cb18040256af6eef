// Fuzz target for DecodeZipkinProto: any bytes must decode or fail with a status, never crash,
// and a decoded batch must keep SpanBatch's layout invariants.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/zipkin/internal/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  th::ingest::zipkin::DecodeOptions options;
  options.parse_string_tags = size > 0 && (data[size - 1] & 1) != 0;
  auto result = th::ingest::zipkin::DecodeZipkinProto(std::move(body), "fuzz", options);
  if (result.ok()) th::ingest::zipkin::CheckBatchForFuzz(**result);
  return 0;
}

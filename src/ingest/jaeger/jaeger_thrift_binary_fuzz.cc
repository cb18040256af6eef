// Fuzz target: arbitrary bytes as a Thrift binary-protocol jaeger.Batch and as an Agent.emitBatch
// datagram. Nothing may crash, leak or read out of bounds; whatever decodes must hold together
// (every span's ranges inside the batch's pools).
#include <cstddef>
#include <cstdint>
#include <string>

#include "ingest/jaeger/jaeger_decode.h"
#include "ingest/jaeger/internal/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using th::ingest::jaeger::ThriftProtocol;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto batch = th::ingest::jaeger::DecodeThriftBatch(std::string(bytes), ThriftProtocol::kBinary, "");
  if (batch.ok()) th::ingest::jaeger::CheckDecodedForFuzz(*batch->batch);
  auto message = th::ingest::jaeger::DecodeAgentEmitBatch(std::move(bytes), ThriftProtocol::kBinary, "");
  if (message.ok()) th::ingest::jaeger::CheckDecodedForFuzz(*message->batch);
  return 0;
}

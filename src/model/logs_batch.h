// LogsBatch: OTLP logs as they travel through a `logs` pipeline — the ExportLogsServiceRequest
// protobuf bytes, the tenant, and how many log records they hold. Tracehouse does not store or
// transform logs (Loki does that); it receives them, batches them and forwards them (to Loki's
// OTLP endpoint, another collector, a file), so it keeps the encoding as received: two requests
// join by concatenation (the message's only field is repeated) and exporters send the bytes as
// they are.
// Thread-safety: none (one owner at a time, like SpanBatch).
#pragma once

#include <cstdint>
#include <string>

namespace th::model {

struct LogsBatch {
  std::string tenant;
  std::string otlp;  // ExportLogsServiceRequest (same bytes as LogsData)
  uint64_t record_count = 0;
};

}  // namespace th::model

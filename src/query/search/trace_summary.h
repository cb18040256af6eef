// TraceSummary: the trace-level facts a search result carries (Tempo's TraceSearchMetadata):
// root service and span name, start, duration, and per-service span and error counts.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "model/span_batch.h"

namespace th::query {

// What Tempo's frontend shows when the root span has not arrived (yet).
inline constexpr std::string_view kRootSpanNotYetReceived = "<root span not yet received>";

struct ServiceStats {
  uint32_t span_count = 0;
  uint32_t error_count = 0;
};

struct TraceSummary {
  model::TraceId id;
  std::string root_service_name;
  std::string root_span_name;
  uint64_t start_unix_nano = 0;
  uint64_t end_unix_nano = 0;
  std::map<std::string, ServiceStats> services;

  uint64_t duration_nanos() const { return end_unix_nano - start_unix_nano; }
};

// Summarises `spans`, which hold all spans of trace `id`.
TraceSummary SummarizeTrace(const model::TraceId& id, const model::SpanBatch& spans);

// The resource's service.name, or "" when absent or not a string.
std::string_view ServiceNameOf(const model::SpanBatch& batch, uint32_t span);

}  // namespace th::query

// The `memory_limiter` processor, as the Collector's: every `check_interval` it measures the
// process's heap in use (glibc's mallinfo2; the Collector measures Go's heap) and, above the soft
// limit (`limit` − `spike_limit`), refuses data with the retryable error (gRPC UNAVAILABLE, HTTP
// 503 + Retry-After from our receivers) until usage falls again; above the hard limit it also
// asks the allocator to give freed memory back (the Collector forces a GC).
//
// Config: check_interval (required), limit_mib or limit_percentage (of the machine's memory or
// the cgroup limit, whichever is smaller), spike_limit_mib or spike_limit_percentage (default 20 %
// of the limit).
#pragma once

#include <cstdint>
#include <functional>

#include "pipeline/component.h"

namespace th::pipeline {

// `measure` returns bytes in use; tests inject one. The default is the heap in use.
ProcessorFactory MakeMemoryLimiterFactory(std::function<uint64_t()> measure = nullptr);
LogsProcessorFactory MakeMemoryLimiterLogsFactory(std::function<uint64_t()> measure = nullptr);

// Total memory available to this process: min(MemTotal, cgroup memory.max) in bytes.
uint64_t AvailableMemoryBytes();

}  // namespace th::pipeline

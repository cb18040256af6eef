// Process-wide allocator settings. Every request allocates and frees a few hundred KiB to a few
// MiB (the body, the batch's columns); with glibc's defaults those blocks are mmap'ed and
// unmapped each time, or trimmed back to the kernel, and the page faults cost more than the
// decoding (measured: ~300 faults and over half the CPU time per 1000-span request). Call once at
// start-up, before threads start.
#pragma once

namespace th {

enum class AllocatorProfile {
  // `serve`: keep up to 512 MiB of freed memory for the next requests.
  kServe,
  // `collector`: an agent sits beside applications and must stay small (the Collector's testbed
  // runs at ~50 MiB): fewer malloc arenas (glibc makes 8 per core, each hoarding freed blocks)
  // and less memory kept. Measured (bench/collector_passthrough.sh machine, 100K spans/s): RSS
  // 112 MiB with glibc's arenas, 62 MiB with one; throughput per core within 7 %.
  kCollector,
};

void TuneAllocatorForBatches(AllocatorProfile profile = AllocatorProfile::kServe);

}  // namespace th

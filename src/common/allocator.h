// Process-wide allocator settings. Every request allocates and frees a few hundred KiB to a few
// MiB (the body, the batch's columns); with glibc's defaults those blocks are mmap'ed and
// unmapped each time, or trimmed back to the kernel, and the page faults cost more than the
// decoding (measured: ~300 faults and over half the CPU time per 1000-span request). Call once at
// start-up, before threads start.
#pragma once

namespace th {

void TuneAllocatorForBatches();

}  // namespace th

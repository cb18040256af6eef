#include "common/allocator.h"

#include <malloc.h>

namespace th {

void TuneAllocatorForBatches() {
  // Serve blocks up to 64 MiB from the heap and keep up to 512 MiB of freed memory instead of
  // returning it: the next request reuses it without faulting pages in again.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

}  // namespace th

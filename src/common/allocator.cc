#include "common/allocator.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>

namespace th {

void TuneAllocatorForBatches(AllocatorProfile profile) {
  // Serve blocks up to 64 MiB from the heap and keep freed memory instead of returning it: the
  // next request reuses it without faulting pages in again.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  if (profile == AllocatorProfile::kServe) {
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    return;
  }
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(1L, cores / 2)));
}

}  // namespace th

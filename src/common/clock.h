// Wall-clock time as Unix nanoseconds, the unit OTLP and our block metas use. Header-only.
#pragma once

#include <chrono>
#include <cstdint>

namespace th {

inline uint64_t NowUnixNano() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace th

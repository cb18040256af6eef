// The spans the storage benchmarks measure: ~300K spans of one TraceGenerator profile, seed 42,
// in batches of 10K (as ingest would hand them over), one second of traffic apart. Shared by
// block_size_bench and clickhouse_export so both measure exactly the same spans.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "model/span_batch.h"
#include "tools/loadgen/trace_generator.h"

namespace th::bench {

inline constexpr size_t kBenchSpans = 300'000;
inline constexpr size_t kBenchSpansPerBatch = 10'000;
inline constexpr uint64_t kBenchSeed = 42;
inline constexpr uint64_t kBenchNow = 1'700'000'000'000'000'000ull;  // 2023-11-14T22:13:20Z

using Batches = std::vector<std::unique_ptr<model::SpanBatch>>;

// Whole traces of `profile` until at least `spans` spans.
inline Batches GenerateBenchBatches(tools::TraceGenerator::Profile profile,
                                    size_t spans = kBenchSpans) {
  Batches out;
  tools::TraceGenerator gen(kBenchSeed, {.profile = profile});
  size_t total = 0;
  uint64_t now = kBenchNow;
  while (total < spans) {
    out.push_back(gen.NextBatch(kBenchSpansPerBatch, now));
    total += out.back()->span_count();
    now += 1'000'000'000;  // a second of traffic per batch
  }
  return out;
}

inline size_t SpanCount(const Batches& batches) {
  size_t n = 0;
  for (const auto& b : batches) n += b->span_count();
  return n;
}

}  // namespace th::bench

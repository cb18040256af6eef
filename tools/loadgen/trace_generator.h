// TraceGenerator: realistic synthetic traces for load tests, benchmarks and demos. A trace has
// 50–90 spans (about 70 on average) over a dozen services, as parent/child trees of SERVER and
// CLIENT spans with internal work under them; each span carries 8 attributes (strings, ints, a
// double, a bool) and now and then arrays, kvlists, bytes, events, links and errors. About 350
// bytes per span in OTLP protobuf. Deterministic for a given seed.
// Thread-safety: none; one generator per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <random>

#include "model/span_batch.h"

namespace th::tools {

class TraceGenerator {
 public:
  explicit TraceGenerator(uint64_t seed);

  // A batch of whole traces holding at least `min_spans` spans, grouped by service (one resource
  // and scope each), with span times ending around `now_unix_nano`.
  std::unique_ptr<model::SpanBatch> NextBatch(size_t min_spans, uint64_t now_unix_nano);

 private:
  std::mt19937_64 rng_;
};

}  // namespace th::tools

// TraceGenerator: realistic synthetic traces for load tests, benchmarks and demos, in one of two
// profiles. Deterministic for a given seed and profile.
//
// kDefault (loadgen's realistic data): a trace has 50–90 spans (about 70 on average) over a dozen
// services, as parent/child trees of SERVER and CLIENT spans with internal work under them; each
// span carries 8 attributes (strings, ints, a double, a bool) and now and then arrays, kvlists,
// bytes, events, links and errors. Twelve resources per batch (one per service) with 6
// attributes each. About 350 bytes per span in OTLP protobuf.
//
// kWide (a different shape, for storage benchmarks): Kubernetes-style short traces.
//   * 2–8 spans per trace (about 5), rooted at an HTTP gateway span: HTTP and gRPC SERVER spans
//     in 12 services, and under them database CLIENT spans, Kafka PRODUCER spans and INTERNAL
//     spans.
//   * Many resources with many attributes: every batch runs each service on 2–6 fresh pods, one
//     resource each with 23 attributes (k8s.pod.name and k8s.pod.uid, container.id,
//     service.instance.id new per pod, so high cardinality across batches; node/host names from
//     64 nodes; cloud, image and SDK attributes). About 50 resources per batch.
//   * High-cardinality span attributes, 3–14 per span by kind (about 7.7): URL paths and queries
//     with ids, user ids (one per trace, of 2M), request and message uuids, client IPs, SQL
//     statements with literal ids.
//   * More events: server spans carry 1–4 log events with id-bearing messages, other spans 0–2;
//     about 1.8 events per span. About 3 % of traces fail: the failing span and the root get an
//     error status and an exception event (type, message, a 6–10 line stack trace).
//   About 550 bytes per span in OTLP protobuf.
//
// Thread-safety: none; one generator per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string_view>

#include "model/span_batch.h"

namespace th::tools {

class TraceGenerator {
 public:
  enum class Profile {
    kDefault,  // long traces over a dozen services, 8 attributes per span (see above)
    kWide,     // short Kubernetes-style traces, wide resources, high-cardinality attributes
  };
  struct Options {
    Profile profile = Profile::kDefault;
  };

  explicit TraceGenerator(uint64_t seed);
  TraceGenerator(uint64_t seed, Options options);

  // A batch of whole traces holding at least `min_spans` spans, grouped by resource (one scope
  // each), with span times ending around `now_unix_nano`.
  std::unique_ptr<model::SpanBatch> NextBatch(size_t min_spans, uint64_t now_unix_nano);

 private:
  std::unique_ptr<model::SpanBatch> NextDefaultBatch(size_t min_spans, uint64_t now_unix_nano);
  // In trace_generator_wide.cc.
  std::unique_ptr<model::SpanBatch> NextWideBatch(size_t min_spans, uint64_t now_unix_nano);

  std::mt19937_64 rng_;
  Options options_;
};

// "default" or "wide" for a profile, and back; nullopt for an unknown name.
std::string_view TraceProfileName(TraceGenerator::Profile profile);
std::optional<TraceGenerator::Profile> ParseTraceProfile(std::string_view name);

}  // namespace th::tools

// The arithmetic of the Collector's `hash_seed` sampling mode, exposed for tests: the FNV-1a
// trace-id hash, the bucket threshold, the 56-bit randomness and threshold values written to the
// OTel tracestate, and a W3C tracestate reader/writer just large enough for that mode.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/ids.h"

namespace th::pipeline::probabilistic_sampler {

inline constexpr uint32_t kFnv32Offset = 2166136261u;
inline constexpr uint32_t kFnv32Prime = 16777619u;
inline constexpr uint32_t kNumHashBuckets = 0x4000;  // 14 bits
inline constexpr uint64_t kMaxAdjustedCount = uint64_t{1} << 56;
// Reject thresholds: 0 keeps everything, 2^56 nothing.
inline constexpr uint64_t kAlwaysSampleThreshold = 0;
inline constexpr uint64_t kNeverSampleThreshold = kMaxAdjustedCount;
// What the Collector uses as randomness when a span has none (an all-zero trace id).
inline constexpr uint64_t kAllProbabilitiesRandomness = kMaxAdjustedCount - 1;

// FNV-1a, 32 bits, continuing from `hash`.
uint32_t Fnv1a32(std::string_view data, uint32_t hash = kFnv32Offset);

// The Collector's computeHash: FNV-1a-32 over the seed's 4 little-endian bytes, then `bytes`.
uint32_t SeededHash(std::string_view bytes, uint32_t seed);

// uint32(pct * 163.84) computed in float32 and truncated, with pct capped at 100.
uint32_t ScaledSampleRate(float percent);

// The 56-bit randomness the Collector derives from a 32-bit hash: 14 bits (2^14 - 1 - bucket),
// 28 bits mixed from the unused hash bits, then the bucket. Keeping "randomness >= threshold" is
// then the same as "bucket < scaled rate".
uint64_t RandomnessFromHash(uint32_t hash32);

// (2^14 - scaled) << 42: the reject threshold of a scaled rate.
uint64_t ThresholdFromScaledRate(uint32_t scaled);

// OTel `th` value: 14 hex digits without trailing zeros; "0" for always; "" for never.
std::string ThresholdTValue(uint64_t threshold);
// OTel `rv` value: exactly 14 lower-case hex digits.
std::string RandomnessRValue(uint64_t randomness);

// A W3C tracestate split into its OTel (`ot=`) sub-keys and the other members, in order.
struct TraceState {
  std::string rv;  // `ot=rv:`; empty when absent
  std::string th;  // `ot=th:`; empty when absent
  std::vector<std::pair<std::string, std::string>> otel_extra;  // other `ot=` sub-keys
  std::vector<std::pair<std::string, std::string>> members;     // every other member
};

// Parses `text` as a W3C tracestate (members `key=value` separated by optional-whitespace and
// commas, at most 32, at most 1024 bytes; an `ot` member must be `key:value` pairs separated by
// ';', at most 256 bytes). False on a syntax error.
bool ParseTraceState(std::string_view text, TraceState* out);

// The tracestate as the Collector serializes it: `ot=rv:…;th:…;<other ot sub-keys>` (the ot
// member only when it has something), then the other members in their order.
std::string SerializeTraceState(const TraceState& ts);

}  // namespace th::pipeline::probabilistic_sampler

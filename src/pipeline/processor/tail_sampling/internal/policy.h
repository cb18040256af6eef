// Tail-sampling policies, as the Collector's tailsamplingprocessor has them: each policy looks
// at every buffered span of one trace and returns a Decision; the processor combines them
// (see tail_sampling_processor.h). This header also reads a policy's config, so that a wrong
// policy is reported at its place in the file.
//
// Attribute policies look at resource attributes and span attributes in arrival order, checking
// a resource before the first of its spans, as the Collector walks ResourceSpans: the plain form
// samples when any resource or span matches, the inverted form (`invert_match`) answers
// InvertNotSampled as soon as one resource or span matches and InvertSampled otherwise (so a
// trace without the key is InvertSampled). Values are read as the Collector's pcommon getters
// read them: a string policy sees "" for a non-string, a numeric policy 0 for a non-integer, a
// boolean policy false for a non-bool.
//
// Thread-safety: Evaluate from one thread at a time (rate limits and regex caches keep state).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/node.h"
#include "common/status.h"
#include "model/span_batch.h"

namespace th::pipeline::tail_sampling {

enum class Decision {
  kUnspecified,
  kPending,
  kSampled,
  kNotSampled,
  kDropped,
  kError,
  kInvertSampled,
  kInvertNotSampled,
};

// One buffered span: span `index` of `batch`.
struct SpanRef {
  const model::SpanBatch* batch = nullptr;
  uint32_t index = 0;
};

// What a policy sees of one trace. `span_count` counts every span received for the trace
// before its decision (the Collector's TraceData.SpanCount).
struct TraceView {
  model::TraceId trace_id;
  const std::vector<SpanRef>* spans = nullptr;
  int64_t span_count = 0;
};

// Per-evaluation inputs that are not in the trace.
struct EvalContext {
  int64_t unix_second = 0;  // rate limits count spans per wall-clock second
};

class PolicyEvaluator {
 public:
  virtual ~PolicyEvaluator() = default;
  virtual Decision Evaluate(const TraceView& trace, const EvalContext& ctx) = 0;
};

// A top-level policy: its name (unique, for metrics), type and evaluator.
struct Policy {
  std::string name;
  std::string type;
  std::unique_ptr<PolicyEvaluator> evaluator;
};

// Where a policy config sits: top level, inside `and`/`drop`, or inside `composite` (which also
// allows `and`).
enum class PolicyLevel { kTop, kAndSub, kCompositeSub };

// Reads one `{name, type, <type>: {...}}` entry. Errors (with file:line:col): unknown keys, an
// unknown or unsupported type, a type not allowed at this level, missing `key`, bad values.
Result<Policy> ParsePolicy(const config::Node& node, PolicyLevel level);

// The probabilistic policy's parts, exposed for tests: FNV-1a-64 over the salt then the trace
// id ("default-hash-seed" for an empty salt), sampled when the hash is <= the threshold, which is
// the Collector's calculateThreshold (MaxUint64 * ratio in 64-bit big.Float arithmetic).
uint64_t ProbabilisticHash(std::string_view salt, const model::TraceId& id);
uint64_t ProbabilisticThreshold(double ratio);

// Reads `policies:` (a non-empty list with unique, non-empty names); drop policies first, as the
// Collector evaluates them first.
Result<std::vector<Policy>> ParsePolicies(const config::Node& list);

}  // namespace th::pipeline::tail_sampling

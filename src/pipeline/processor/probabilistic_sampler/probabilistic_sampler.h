// The `probabilistic_sampler` processor, as the Collector's (contrib) in its `hash_seed` mode:
// each span is kept or dropped by a hash of its trace id, so every span of a trace gets the same
// decision — and the same decision as the Collector for the same trace id, seed and percentage.
//
// Decision (per span, in this order):
//   1. Randomness: FNV-1a-32 over the 4 little-endian bytes of `hash_seed` followed by the 16
//      trace-id bytes; the low 14 bits are the bucket. An all-zero trace id has no randomness.
//   2. The span's W3C tracestate must parse and carry no OTel `ot=rv:` or `ot=th:` value (those
//      belong to the consistent modes). On any of these errors the decision is "drop" when
//      `fail_closed` (the default), otherwise "keep".
//   3. Otherwise keep when bucket < uint32(float32(sampling_percentage) * 163.84f) (float32
//      arithmetic, truncated, as Go computes it). Percentages ≥ 100 keep everything; 0 nothing.
//   4. A span attribute `sampling.priority` (int, double, or a string parsing as a number)
//      overrides all of the above: 0 drops, > 0 keeps; negative values defer.
// A kept span whose tracestate parsed gets `ot=rv:<14 hex>;th:<threshold>` written in front of
// its other members, as the Collector writes them.
//
// Acknowledgement: the batch is passed on with the caller's `done`; when every span is dropped,
// `done(OK)` is called at once and nothing is passed on.
//
// Known difference: the Collector picks `proportional` when `mode` is unset and `hash_seed` is 0;
// here an unset mode always means `hash_seed` (proportional is not implemented yet), so a config
// that relied on that default samples a different (but equally sized) set of traces.
//
// Config: sampling_percentage (0), hash_seed (0), mode (`hash_seed`; `proportional` and
// `equalizing` are config errors for now), sampling_precision (4, 1..14; used only by the
// consistent modes), fail_closed (true); attribute_source, from_attribute and sampling_priority
// are logs-only in the Collector and are accepted and ignored here.
// Metrics: otelcol_processor_probabilistic_sampler_count_traces_sampled{policy, sampled}, counted
// per span as the Collector does.
// Thread-safety: ConsumeTraces from any number of threads (the processor is immutable).
#pragma once

#include "pipeline/component.h"

namespace th::pipeline {

ProcessorFactory MakeProbabilisticSamplerFactory();

}  // namespace th::pipeline

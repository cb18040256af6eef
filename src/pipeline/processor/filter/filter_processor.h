// The `filter` processor, as the Collector's (contrib processor/filterprocessor), for traces:
// drops spans, and span events, that match.
//
// Config, one of two forms:
//   spans: {include: MatchProperties, exclude: MatchProperties}   (legacy; matcher semantics in
//       pipeline/processor/internal/match_properties.h): include keeps only matching spans,
//       exclude drops matching ones.
//   error_mode: propagate (default) | ignore | silent
//   traces: {span: [OTTL condition...], spanevent: [OTTL condition...]}   (ottl.h): a span is
//       dropped when ANY span condition is true; of the spans kept, events for which any
//       spanevent condition is true are dropped (a span whose events all go is kept).
//       An evaluation error fails the whole batch (propagate, InvalidArgument to the sender) or
//       counts as "false" (ignore logs a warning once per batch, silent does not).
// The two forms cannot be mixed. `metrics:` and `logs:` sections are accepted and ignored (a
// traces pipeline has neither). Not supported: the flat `trace_conditions` form.
//
// Batches: when every span is dropped nothing is passed on and `done` is called with OK at once;
// otherwise the survivors are compacted, scopes and resources left empty are removed, the cached
// protobuf bytes are forgotten, and the batch goes on with the sender's `done` unchanged.
// Metric: otelcol_processor_filter_spans_filtered_total{filter="<id>"} (the Collector's
// otelcol_processor_filter_spans.filtered): spans dropped.
// Thread-safety: ConsumeTraces may run concurrently; the processor holds no spans.
#pragma once

#include "pipeline/component.h"

namespace th::pipeline {

ProcessorFactory MakeFilterProcessorFactory();

}  // namespace th::pipeline

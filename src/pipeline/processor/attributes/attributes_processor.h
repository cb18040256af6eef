// The `attributes` processor, as the Collector's (contrib processor/attributesprocessor), for
// traces: runs an ordered list of attribute actions over each span's attributes.
//
// Config: actions (required, non-empty; actions and their semantics in
// pipeline/processor/internal/attribute_actions.h), include / exclude (optional, the legacy span
// matcher of pipeline/processor/internal/match_properties.h: only spans the include block
// matches and the exclude block does not are changed).
//
// Changed spans get a new attribute slice at the end of batch.key_values; when any span changed
// the cached protobuf bytes are forgotten. The batch then goes on with the sender's `done`.
// Thread-safety: ConsumeTraces may run concurrently; the processor holds no spans.
#pragma once

#include "pipeline/component.h"

namespace th::pipeline {

ProcessorFactory MakeAttributesProcessorFactory();

}  // namespace th::pipeline

// The `resource` processor, as the Collector's (contrib processor/resourceprocessor): runs an
// ordered list of attribute actions over the attributes of every resource in a batch.
//
// Config: attributes (required, non-empty): the action list of
// pipeline/processor/internal/attribute_actions.h (insert, update, upsert, delete, hash, extract,
// convert), applied to resource attributes.
//
// Changed resources get a new attribute slice at the end of batch.key_values; when any changed,
// the cached protobuf bytes are forgotten. The batch then goes on with the sender's `done`.
// Thread-safety: ConsumeTraces may run concurrently; the processor holds no spans.
#pragma once

#include "pipeline/component.h"

namespace th::pipeline {

ProcessorFactory MakeResourceProcessorFactory();

}  // namespace th::pipeline

// The `batch` processor, as the Collector's: spans are gathered per tenant until
// `send_batch_size` spans are waiting (then sent at once) or the oldest has waited `timeout`;
// `send_batch_max_size` caps what one send carries (bigger groups are cut into several sends).
//
// One deliberate difference: a sender is answered when the batch its spans joined has been
// accepted downstream (for exporters with a sending queue: queued), not when the spans enter the
// batch. A full queue or a dead store therefore reaches senders as the retryable error, and
// nothing acknowledged is dropped, at the price of up to `timeout` extra latency per request.
//
// Config: timeout (200ms), send_batch_size (8192), send_batch_max_size (0: no cap),
// metadata_keys (only x-scope-orgid is carried with spans; batches are always split by tenant),
// metadata_cardinality_limit (accepted).
#pragma once

#include "pipeline/component.h"

namespace th::pipeline {

ProcessorFactory MakeBatchProcessorFactory();
// The same for logs pipelines: requests are joined by concatenating their encodings and cut only
// between requests.
LogsProcessorFactory MakeBatchLogsProcessorFactory();

}  // namespace th::pipeline

// Renders a trace (all its spans in one SpanBatch) as a terminal waterfall: one line per span,
// children under their parent in start order, with offset from the trace start, duration,
// service, name and error status. Spans whose parent is missing are listed as extra roots.
#pragma once

#include <string>

#include "model/span_batch.h"

namespace th::app {

std::string RenderTraceTable(const model::SpanBatch& trace);

}  // namespace th::app

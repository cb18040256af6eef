// An attribute value as the Collector's pcommon.Value.AsString() renders arrays and maps: JSON
// with raw values (strings quoted, bytes as base64, nesting kept, cut at 64 levels). Jaeger's
// model and Zipkin's tags are strings, so both translators need it.
// Thread-safe: pure function.
#pragma once

#include <string>

#include "model/span_batch.h"

namespace th::model {

void AppendValueJson(const SpanBatch& batch, const AnyValue& value, std::string* out);

}  // namespace th::model

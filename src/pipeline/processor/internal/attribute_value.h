// Reading attribute values of a SpanBatch the way the Collector's pdata does: lookup by key
// (the first entry with the key wins, as pcommon.Map.Get), and the string forms the Collector's
// matchers and converters use. Views returned point into the batch. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/span_batch.h"

namespace th::pipeline::processor {

// The first attribute in `batch.key_values[attrs]` whose key is `key`; nullptr when none.
const model::KeyValue* FindAttribute(const model::SpanBatch& batch, model::Range attrs,
                                     std::string_view key);

// A double as Go's strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an
// exponent ("0.000001", "1e21" becomes "1000000000000000000000").
std::string FormatDoubleFixed(double v);

// A double as pcommon.Value.AsString: like JavaScript, fixed notation for 1e-6 <= |v| < 1e21,
// otherwise shortest scientific with a bare exponent ("1e+21", "1e-7").
std::string FormatDoubleAsString(double v);

// The string form the Collector's attribute matcher compares for scalars (string, bool, int,
// double with FormatDoubleFixed); nullopt for bytes, arrays, kvlists and empty values.
std::optional<std::string> MatchString(const model::AnyValue& v);

// pcommon.Value.AsString: strings as is, bool/int/double as text, bytes as standard base64,
// arrays and kvlists as JSON, an empty value as "".
std::string ValueAsString(const model::SpanBatch& batch, const model::AnyValue& v);

// service.name of resource `resource` as the legacy span matcher reads it; "<nil-service-name>"
// when the resource has none.
std::string ServiceName(const model::SpanBatch& batch, uint32_t resource);

}  // namespace th::pipeline::processor

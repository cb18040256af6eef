// The JSON bodies of Tempo's metrics endpoints (reference/tempo.md §b.2), written as gogo
// jsonpb writes QueryRangeResponse / QueryInstantResponse: 64-bit integers as strings, zero and
// empty fields omitted, NaN as the string "NaN". Samples are oldest first; NaN samples and
// series without samples are left out (except compare()'s `__meta_error` markers, which carry
// no samples by nature). Thread-safe: pure functions.
#pragma once

#include <string>

#include "query/metrics/metrics.h"

namespace th::query::metrics {

// `{"series":[{"labels":[…],"samples":[{"timestampMs":"…","value":…}],"exemplars":[…]}],
//   "metrics":{…}}`
std::string QueryRangeJson(const MetricsResult& result);

// `{"series":[{"labels":[…],"value":…}],"metrics":{…}}`, from the single interval.
std::string QueryInstantJson(const MetricsResult& result);

// A double as Go's encoding/json writes it (shortest form, exponent outside [1e-6, 1e21)).
std::string GoJsonNumber(double v);

}  // namespace th::query::metrics

// Parsing of a trace id in an API path as Tempo does it: 1–32 hex digits, either case, left-
// padded with zeros (Tempo prints ids with leading zeros trimmed). Errors carry Tempo's wording.
#pragma once

#include <string_view>

#include "common/status.h"
#include "model/ids.h"

namespace th::api {

Result<model::TraceId> ParseTraceIdParam(std::string_view text);

}  // namespace th::api

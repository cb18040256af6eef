// The words TraceQL and Tempo's APIs use for OTLP span status codes and kinds (`error`, `ok`,
// `unset`; `server`, `client`, …). Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "model/span_batch.h"

namespace th::query {

inline std::string_view StatusKeyword(int32_t code) {
  switch (code) {
    case model::kStatusOk:
      return "ok";
    case model::kStatusError:
      return "error";
    default:
      return "unset";
  }
}

inline std::string_view KindKeyword(int32_t kind) {
  switch (kind) {
    case model::kSpanKindInternal:
      return "internal";
    case model::kSpanKindServer:
      return "server";
    case model::kSpanKindClient:
      return "client";
    case model::kSpanKindProducer:
      return "producer";
    case model::kSpanKindConsumer:
      return "consumer";
    default:
      return "unspecified";
  }
}

}  // namespace th::query

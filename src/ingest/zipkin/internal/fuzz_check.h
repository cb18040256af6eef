// Invariant checks shared by the Zipkin fuzz targets: abort (so the fuzzer reports the input)
// when a decoded batch breaks SpanBatch's layout — a Range outside its pool, a span without a
// valid scope or ids, an empty tenant. Header-only; used by *_fuzz.cc only.
#pragma once

#include <cstddef>
#include <cstdlib>

#include "ingest/zipkin/zipkin_decode.h"
#include "model/span_batch.h"

namespace th::ingest::zipkin {

inline void CheckRangeForFuzz(model::Range r, size_t size) {
  if (static_cast<size_t>(r.begin) + r.count > size) std::abort();
}

inline void CheckBatchForFuzz(const model::SpanBatch& b) {
  const model::SpanColumns& s = b.spans;
  if (b.tenant.empty()) std::abort();
  for (const model::Resource& r : b.resources) CheckRangeForFuzz(r.attributes, b.key_values.size());
  for (const model::Scope& sc : b.scopes) {
    if (sc.resource >= b.resources.size()) std::abort();
  }
  if (s.scope.size() != s.size() || s.attributes.size() != s.size()) std::abort();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.scope[i] >= b.scopes.size()) std::abort();
    if (s.trace_id[i].IsZero() || s.span_id[i].IsZero()) std::abort();
    if (s.end_time_unix_nano[i] < s.start_time_unix_nano[i]) std::abort();
    CheckRangeForFuzz(s.attributes[i], b.key_values.size());
    CheckRangeForFuzz(s.events[i], b.events.size());
    CheckRangeForFuzz(s.links[i], b.links.size());
  }
  for (const model::Event& e : b.events) CheckRangeForFuzz(e.attributes, b.key_values.size());
  for (const model::Link& l : b.links) CheckRangeForFuzz(l.attributes, b.key_values.size());
  for (const model::KeyValue& kv : b.key_values) {
    if (kv.value.type == model::ValueType::kArray || kv.value.type == model::ValueType::kKvList) {
      std::abort();  // the Zipkin translator never produces nested values
    }
  }
}

}  // namespace th::ingest::zipkin

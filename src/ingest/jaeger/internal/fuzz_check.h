// Consistency check the jaeger fuzz targets run on every batch that decodes: each range inside
// its pool, each scope's resource and each span's scope valid. Traps on violation, so libFuzzer
// reports it as a crash. For fuzz targets only.
#pragma once

#include "model/span_batch.h"

namespace th::ingest::jaeger {

inline void CheckDecodedForFuzz(const model::SpanBatch& b) {
  auto in = [](model::Range r, size_t n) { return r.begin <= n && r.count <= n - r.begin; };
  for (const model::Resource& r : b.resources) {
    if (!in(r.attributes, b.key_values.size())) __builtin_trap();
  }
  for (const model::Scope& s : b.scopes) {
    if (s.resource >= b.resources.size()) __builtin_trap();
  }
  for (size_t i = 0; i < b.span_count(); ++i) {
    if (b.spans.scope[i] >= b.scopes.size()) __builtin_trap();
    if (!in(b.spans.attributes[i], b.key_values.size())) __builtin_trap();
    if (!in(b.spans.events[i], b.events.size())) __builtin_trap();
    if (!in(b.spans.links[i], b.links.size())) __builtin_trap();
    if (b.spans.trace_id[i].IsZero() || b.spans.span_id[i].IsZero()) __builtin_trap();
  }
  for (const model::Event& e : b.events) {
    if (!in(e.attributes, b.key_values.size())) __builtin_trap();
  }
  for (const model::Link& l : b.links) {
    if (!in(l.attributes, b.key_values.size())) __builtin_trap();
  }
}

}  // namespace th::ingest::jaeger

#include "pipeline/processor/internal/batch_edit.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace th::pipeline::processor {

void MarkModified(model::SpanBatch& batch) {
  batch.otlp_encoding = {};
  for (std::string_view& w : batch.spans.wire) w = {};
  for (model::Scope& s : batch.scopes) s.wire = {};
  for (model::Resource& r : batch.resources) r.wire = {};
}

void DropUnreferencedScopes(model::SpanBatch& batch) {
  constexpr uint32_t kUnused = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> scope_map(batch.scopes.size(), kUnused);
  for (uint32_t s : batch.spans.scope) {
    if (s < scope_map.size()) scope_map[s] = 0;
  }
  uint32_t next = 0;
  for (uint32_t i = 0; i < batch.scopes.size(); ++i) {
    if (scope_map[i] == kUnused) continue;
    scope_map[i] = next;
    batch.scopes[next++] = batch.scopes[i];
  }
  bool scopes_changed = next != batch.scopes.size();
  batch.scopes.resize(next);
  if (scopes_changed) {
    for (uint32_t& s : batch.spans.scope) {
      if (s < scope_map.size()) s = scope_map[s];
    }
  }

  std::vector<uint32_t> resource_map(batch.resources.size(), kUnused);
  for (const model::Scope& s : batch.scopes) {
    if (s.resource < resource_map.size()) resource_map[s.resource] = 0;
  }
  next = 0;
  for (uint32_t i = 0; i < batch.resources.size(); ++i) {
    if (resource_map[i] == kUnused) continue;
    resource_map[i] = next;
    batch.resources[next++] = batch.resources[i];
  }
  if (next == batch.resources.size()) return;
  batch.resources.resize(next);
  for (model::Scope& s : batch.scopes) {
    if (s.resource < resource_map.size()) s.resource = resource_map[s.resource];
  }
}

}  // namespace th::pipeline::processor

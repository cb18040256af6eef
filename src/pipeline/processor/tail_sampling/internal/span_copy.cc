#include "pipeline/processor/tail_sampling/internal/span_copy.h"

namespace th::pipeline::tail_sampling {

using model::AnyValue;
using model::Range;
using model::SpanBatch;
using model::ValueType;

SpanCopier::SpanCopier(std::string tenant) : out_(std::make_unique<SpanBatch>()) {
  out_->tenant = std::move(tenant);
}

AnyValue SpanCopier::CopyValue(const SpanBatch& src, const AnyValue& v) {
  AnyValue out = v;
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kBytes:
      out.bytes = Copy(v.bytes);
      break;
    case ValueType::kKvList:
      out.range = CopyKeyValues(src, v.range);
      break;
    case ValueType::kArray: {
      // Reserve the contiguous slice first; nested values append after it.
      auto begin = static_cast<uint32_t>(out_->array_values.size());
      out_->array_values.resize(begin + v.range.count);
      for (uint32_t k = 0; k < v.range.count; ++k) {
        AnyValue element = CopyValue(src, src.array_values[v.range.begin + k]);
        out_->array_values[begin + k] = element;
      }
      out.range = Range{begin, v.range.count};
      break;
    }
    default:
      break;
  }
  return out;
}

Range SpanCopier::CopyKeyValues(const SpanBatch& src, Range r) {
  auto begin = static_cast<uint32_t>(out_->key_values.size());
  out_->key_values.resize(begin + r.count);
  for (uint32_t k = 0; k < r.count; ++k) {
    const model::KeyValue& kv = src.key_values[r.begin + k];
    model::KeyValue copy;
    copy.key = Copy(kv.key);
    copy.value = CopyValue(src, kv.value);  // may grow key_values: assign by index afterwards
    out_->key_values[begin + k] = copy;
  }
  return Range{begin, r.count};
}

uint32_t SpanCopier::ResourceFor(const SpanBatch& src, uint32_t resource) {
  auto [it, inserted] = resources_.try_emplace({&src, resource}, 0);
  if (!inserted) return it->second;
  const model::Resource& r = src.resources[resource];
  model::Resource copy;
  copy.attributes = CopyKeyValues(src, r.attributes);
  copy.dropped_attributes_count = r.dropped_attributes_count;
  copy.schema_url = Copy(r.schema_url);
  copy.wire = Copy(r.wire);
  it->second = static_cast<uint32_t>(out_->resources.size());
  out_->resources.push_back(copy);
  return it->second;
}

uint32_t SpanCopier::ScopeFor(const SpanBatch& src, uint32_t scope) {
  auto [it, inserted] = scopes_.try_emplace({&src, scope}, 0);
  if (!inserted) return it->second;
  const model::Scope& s = src.scopes[scope];
  model::Scope copy;
  copy.resource = ResourceFor(src, s.resource);
  copy.name = Copy(s.name);
  copy.version = Copy(s.version);
  copy.attributes = CopyKeyValues(src, s.attributes);
  copy.dropped_attributes_count = s.dropped_attributes_count;
  copy.schema_url = Copy(s.schema_url);
  copy.wire = Copy(s.wire);
  it->second = static_cast<uint32_t>(out_->scopes.size());
  out_->scopes.push_back(copy);
  return it->second;
}

void SpanCopier::Add(const SpanBatch& src, uint32_t i) {
  model::SpanRow row = src.Row(i);
  row.scope = ScopeFor(src, row.scope);
  row.trace_state = Copy(row.trace_state);
  row.name = Copy(row.name);
  row.status_message = Copy(row.status_message);
  row.attributes = CopyKeyValues(src, row.attributes);

  Range events = row.events;
  auto events_begin = static_cast<uint32_t>(out_->events.size());
  out_->events.resize(events_begin + events.count);
  for (uint32_t k = 0; k < events.count; ++k) {
    model::Event e = src.events[events.begin + k];
    e.name = Copy(e.name);
    e.attributes = CopyKeyValues(src, e.attributes);
    out_->events[events_begin + k] = e;
  }
  row.events = Range{events_begin, events.count};

  Range links = row.links;
  auto links_begin = static_cast<uint32_t>(out_->links.size());
  out_->links.resize(links_begin + links.count);
  for (uint32_t k = 0; k < links.count; ++k) {
    model::Link l = src.links[links.begin + k];
    l.trace_state = Copy(l.trace_state);
    l.attributes = CopyKeyValues(src, l.attributes);
    out_->links[links_begin + k] = l;
  }
  row.links = Range{links_begin, links.count};

  uint32_t j = out_->AppendSpan(row);
  if (i < src.spans.wire.size()) out_->spans.wire[j] = Copy(src.spans.wire[i]);
}

}  // namespace th::pipeline::tail_sampling

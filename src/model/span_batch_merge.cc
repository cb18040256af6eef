#include "model/span_batch_merge.h"

#include <cstring>
#include <unordered_map>

namespace th::model {
namespace {

Range Shift(Range r, uint32_t by) { return r.count == 0 ? Range{} : Range{r.begin + by, r.count}; }

// Nested values point into the batch's pools; moving pools shifts their ranges.
void ShiftValue(AnyValue& v, uint32_t kv_offset, uint32_t array_offset) {
  if (v.type == ValueType::kKvList) v.range = Shift(v.range, kv_offset);
  if (v.type == ValueType::kArray) v.range = Shift(v.range, array_offset);
}

template <typename T>
void AppendVector(std::vector<T>& dst, std::vector<T>& src) {
  dst.insert(dst.end(), std::make_move_iterator(src.begin()), std::make_move_iterator(src.end()));
}

// Deep copy of attribute slices (and the values they nest) into another batch.
class ValueCopier {
 public:
  ValueCopier(const SpanBatch& src, SpanBatch* dst) : src_(src), dst_(dst) {}

  Range CopyAttributes(Range r) {
    if (r.count == 0) return {};
    auto begin = static_cast<uint32_t>(dst_->key_values.size());
    dst_->key_values.resize(begin + r.count);
    for (uint32_t i = 0; i < r.count; ++i) {
      const KeyValue& kv = src_.key_values[r.begin + i];
      KeyValue out;
      out.key = dst_->arena.Copy(kv.key);
      out.value = CopyValue(kv.value);
      dst_->key_values[begin + i] = out;
    }
    return {begin, r.count};
  }

  std::string_view Str(std::string_view s) { return dst_->arena.Copy(s); }

 private:
  AnyValue CopyValue(const AnyValue& v) {
    AnyValue out = v;
    out.bytes = dst_->arena.Copy(v.bytes);
    if (v.type == ValueType::kKvList) out.range = CopyAttributes(v.range);
    if (v.type == ValueType::kArray && v.range.count > 0) {
      auto begin = static_cast<uint32_t>(dst_->array_values.size());
      dst_->array_values.resize(begin + v.range.count);
      for (uint32_t i = 0; i < v.range.count; ++i) {
        AnyValue element = CopyValue(src_.array_values[v.range.begin + i]);
        dst_->array_values[begin + i] = element;
      }
      out.range = {begin, v.range.count};
    }
    return out;
  }

  const SpanBatch& src_;
  SpanBatch* dst_;
};

}  // namespace

void AppendBatch(SpanBatch* dst, std::unique_ptr<SpanBatch> src) {
  if (dst->span_count() == 0 && dst->resources.empty()) {
    std::string tenant = std::move(dst->tenant);
    *dst = std::move(*src);
    if (dst->tenant.empty()) dst->tenant = std::move(tenant);
    return;
  }
  const auto resource_offset = static_cast<uint32_t>(dst->resources.size());
  const auto scope_offset = static_cast<uint32_t>(dst->scopes.size());
  const auto event_offset = static_cast<uint32_t>(dst->events.size());
  const auto link_offset = static_cast<uint32_t>(dst->links.size());
  const auto kv_offset = static_cast<uint32_t>(dst->key_values.size());
  const auto array_offset = static_cast<uint32_t>(dst->array_values.size());

  for (Resource& r : src->resources) r.attributes = Shift(r.attributes, kv_offset);
  for (Scope& s : src->scopes) {
    s.resource += resource_offset;
    s.attributes = Shift(s.attributes, kv_offset);
  }
  for (Event& e : src->events) e.attributes = Shift(e.attributes, kv_offset);
  for (Link& l : src->links) l.attributes = Shift(l.attributes, kv_offset);
  for (KeyValue& kv : src->key_values) ShiftValue(kv.value, kv_offset, array_offset);
  for (AnyValue& v : src->array_values) ShiftValue(v, kv_offset, array_offset);
  SpanColumns& s = src->spans;
  for (size_t i = 0; i < s.size(); ++i) {
    s.scope[i] += scope_offset;
    s.attributes[i] = Shift(s.attributes[i], kv_offset);
    s.events[i] = Shift(s.events[i], event_offset);
    s.links[i] = Shift(s.links[i], link_offset);
  }

  AppendVector(dst->resources, src->resources);
  AppendVector(dst->scopes, src->scopes);
  AppendVector(dst->events, src->events);
  AppendVector(dst->links, src->links);
  AppendVector(dst->key_values, src->key_values);
  AppendVector(dst->array_values, src->array_values);
  SpanColumns& d = dst->spans;
  AppendVector(d.scope, s.scope);
  AppendVector(d.trace_id, s.trace_id);
  AppendVector(d.span_id, s.span_id);
  AppendVector(d.parent_span_id, s.parent_span_id);
  AppendVector(d.trace_state, s.trace_state);
  AppendVector(d.flags, s.flags);
  AppendVector(d.name, s.name);
  AppendVector(d.kind, s.kind);
  AppendVector(d.start_time_unix_nano, s.start_time_unix_nano);
  AppendVector(d.end_time_unix_nano, s.end_time_unix_nano);
  AppendVector(d.attributes, s.attributes);
  AppendVector(d.dropped_attributes_count, s.dropped_attributes_count);
  AppendVector(d.events, s.events);
  AppendVector(d.dropped_events_count, s.dropped_events_count);
  AppendVector(d.links, s.links);
  AppendVector(d.dropped_links_count, s.dropped_links_count);
  AppendVector(d.status_code, s.status_code);
  AppendVector(d.status_message, s.status_message);
  AppendVector(d.wire, s.wire);
  dst->otlp_encoding = {};
  dst->arena.AdoptAll(std::move(src->arena));
}

std::unique_ptr<SpanBatch> JoinBatches(std::vector<std::unique_ptr<SpanBatch>> parts) {
  auto out = std::make_unique<SpanBatch>();
  if (parts.empty()) return out;
  out->tenant = parts.front()->tenant;
  struct Piece {
    std::string_view encoding;
    size_t resources_end, scopes_end, spans_end;
  };
  std::vector<Piece> pieces;
  pieces.reserve(parts.size());
  bool encoded = true;
  size_t total = 0;
  for (auto& part : parts) {
    std::string_view encoding = part->otlp_encoding;
    encoded = encoded && !encoding.empty();
    total += encoding.size();
    AppendBatch(out.get(), std::move(part));
    pieces.push_back({encoding, out->resources.size(), out->scopes.size(), out->span_count()});
  }
  if (!encoded) {
    out->otlp_encoding = {};
    return out;
  }
  char* joined = out->arena.Allocate(total);
  size_t offset = 0, resource = 0, scope = 0, span = 0;
  for (const Piece& p : pieces) {
    std::memcpy(joined + offset, p.encoding.data(), p.encoding.size());
    auto rebase = [&](std::string_view& v) {
      if (v.empty() || v.data() < p.encoding.data() ||
          v.data() + v.size() > p.encoding.data() + p.encoding.size()) {
        return;
      }
      v = {joined + offset + (v.data() - p.encoding.data()), v.size()};
    };
    for (; resource < p.resources_end; ++resource) {
      rebase(out->resources[resource].wire);
      rebase(out->resources[resource].schema_url);
    }
    for (; scope < p.scopes_end; ++scope) {
      rebase(out->scopes[scope].wire);
      rebase(out->scopes[scope].schema_url);
    }
    for (; span < p.spans_end; ++span) rebase(out->spans.wire[span]);
    offset += p.encoding.size();
  }
  out->otlp_encoding = {joined, total};
  return out;
}

Range CopyAttributes(const SpanBatch& src, Range r, SpanBatch* dst) {
  return ValueCopier(src, dst).CopyAttributes(r);
}

std::unique_ptr<SpanBatch> CopySpans(const SpanBatch& src, std::span<const uint32_t> indices) {
  auto dst = std::make_unique<SpanBatch>();
  dst->tenant = src.tenant;
  dst->spans.Reserve(indices.size());
  ValueCopier copy(src, dst.get());
  std::unordered_map<uint32_t, uint32_t> resource_map, scope_map;
  for (uint32_t i : indices) {
    uint32_t src_scope = src.spans.scope[i];
    auto scope_it = scope_map.find(src_scope);
    if (scope_it == scope_map.end()) {
      const Scope& s = src.scopes[src_scope];
      auto res_it = resource_map.find(s.resource);
      if (res_it == resource_map.end()) {
        const Resource& r = src.resources[s.resource];
        Resource nr;
        nr.attributes = copy.CopyAttributes(r.attributes);
        nr.dropped_attributes_count = r.dropped_attributes_count;
        nr.schema_url = copy.Str(r.schema_url);
        dst->resources.push_back(nr);
        res_it = resource_map.emplace(s.resource, dst->resources.size() - 1).first;
      }
      Scope ns;
      ns.resource = res_it->second;
      ns.name = copy.Str(s.name);
      ns.version = copy.Str(s.version);
      ns.attributes = copy.CopyAttributes(s.attributes);
      ns.dropped_attributes_count = s.dropped_attributes_count;
      ns.schema_url = copy.Str(s.schema_url);
      dst->scopes.push_back(ns);
      scope_it = scope_map.emplace(src_scope, dst->scopes.size() - 1).first;
    }
    SpanRow row = src.Row(i);
    row.scope = scope_it->second;
    row.trace_state = copy.Str(row.trace_state);
    row.name = copy.Str(row.name);
    row.status_message = copy.Str(row.status_message);
    row.attributes = copy.CopyAttributes(row.attributes);
    auto event_begin = static_cast<uint32_t>(dst->events.size());
    for (uint32_t e = 0; e < row.events.count; ++e) {
      Event ev = src.events[row.events.begin + e];
      ev.name = copy.Str(ev.name);
      ev.attributes = copy.CopyAttributes(ev.attributes);
      dst->events.push_back(ev);
    }
    row.events = row.events.count ? Range{event_begin, row.events.count} : Range{};
    auto link_begin = static_cast<uint32_t>(dst->links.size());
    for (uint32_t l = 0; l < row.links.count; ++l) {
      Link link = src.links[row.links.begin + l];
      link.trace_state = copy.Str(link.trace_state);
      link.attributes = copy.CopyAttributes(link.attributes);
      dst->links.push_back(link);
    }
    row.links = row.links.count ? Range{link_begin, row.links.count} : Range{};
    dst->AppendSpan(row);
  }
  return dst;
}

}  // namespace th::model

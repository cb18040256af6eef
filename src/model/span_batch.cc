#include "model/span_batch.h"

namespace th::model {
namespace {

template <typename T>
void CompactVector(std::vector<T>& v, const std::vector<bool>& keep) {
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (keep[i]) v[out++] = std::move(v[i]);
  }
  v.resize(out);
}

template <typename T>
size_t Capacity(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

}  // namespace

void SpanColumns::Reserve(size_t n) {
  scope.reserve(n);
  trace_id.reserve(n);
  span_id.reserve(n);
  parent_span_id.reserve(n);
  trace_state.reserve(n);
  flags.reserve(n);
  name.reserve(n);
  kind.reserve(n);
  start_time_unix_nano.reserve(n);
  end_time_unix_nano.reserve(n);
  attributes.reserve(n);
  dropped_attributes_count.reserve(n);
  events.reserve(n);
  dropped_events_count.reserve(n);
  links.reserve(n);
  dropped_links_count.reserve(n);
  status_code.reserve(n);
  status_message.reserve(n);
  wire.reserve(n);
}

void SpanColumns::Clear() {
  scope.clear();
  trace_id.clear();
  span_id.clear();
  parent_span_id.clear();
  trace_state.clear();
  flags.clear();
  name.clear();
  kind.clear();
  start_time_unix_nano.clear();
  end_time_unix_nano.clear();
  attributes.clear();
  dropped_attributes_count.clear();
  events.clear();
  dropped_events_count.clear();
  links.clear();
  dropped_links_count.clear();
  status_code.clear();
  status_message.clear();
  wire.clear();
}

uint32_t SpanColumns::AppendDefault() {
  auto i = static_cast<uint32_t>(size());
  scope.emplace_back();
  trace_id.emplace_back();
  span_id.emplace_back();
  parent_span_id.emplace_back();
  trace_state.emplace_back();
  flags.emplace_back();
  name.emplace_back();
  kind.emplace_back();
  start_time_unix_nano.emplace_back();
  end_time_unix_nano.emplace_back();
  attributes.emplace_back();
  dropped_attributes_count.emplace_back();
  events.emplace_back();
  dropped_events_count.emplace_back();
  links.emplace_back();
  dropped_links_count.emplace_back();
  status_code.emplace_back();
  status_message.emplace_back();
  wire.emplace_back();
  return i;
}

void SpanColumns::Compact(const std::vector<bool>& keep) {
  CompactVector(scope, keep);
  CompactVector(trace_id, keep);
  CompactVector(span_id, keep);
  CompactVector(parent_span_id, keep);
  CompactVector(trace_state, keep);
  CompactVector(flags, keep);
  CompactVector(name, keep);
  CompactVector(kind, keep);
  CompactVector(start_time_unix_nano, keep);
  CompactVector(end_time_unix_nano, keep);
  CompactVector(attributes, keep);
  CompactVector(dropped_attributes_count, keep);
  CompactVector(events, keep);
  CompactVector(dropped_events_count, keep);
  CompactVector(links, keep);
  CompactVector(dropped_links_count, keep);
  CompactVector(status_code, keep);
  CompactVector(status_message, keep);
  CompactVector(wire, keep);
}

uint32_t SpanBatch::AppendSpan(const SpanRow& r) {
  uint32_t i = spans.AppendDefault();
  spans.scope[i] = r.scope;
  spans.trace_id[i] = r.trace_id;
  spans.span_id[i] = r.span_id;
  spans.parent_span_id[i] = r.parent_span_id;
  spans.trace_state[i] = r.trace_state;
  spans.flags[i] = r.flags;
  spans.name[i] = r.name;
  spans.kind[i] = r.kind;
  spans.start_time_unix_nano[i] = r.start_time_unix_nano;
  spans.end_time_unix_nano[i] = r.end_time_unix_nano;
  spans.attributes[i] = r.attributes;
  spans.dropped_attributes_count[i] = r.dropped_attributes_count;
  spans.events[i] = r.events;
  spans.dropped_events_count[i] = r.dropped_events_count;
  spans.links[i] = r.links;
  spans.dropped_links_count[i] = r.dropped_links_count;
  spans.status_code[i] = r.status_code;
  spans.status_message[i] = r.status_message;
  return i;
}

SpanRow SpanBatch::Row(uint32_t i) const {
  SpanRow r;
  r.scope = spans.scope[i];
  r.trace_id = spans.trace_id[i];
  r.span_id = spans.span_id[i];
  r.parent_span_id = spans.parent_span_id[i];
  r.trace_state = spans.trace_state[i];
  r.flags = spans.flags[i];
  r.name = spans.name[i];
  r.kind = spans.kind[i];
  r.start_time_unix_nano = spans.start_time_unix_nano[i];
  r.end_time_unix_nano = spans.end_time_unix_nano[i];
  r.attributes = spans.attributes[i];
  r.dropped_attributes_count = spans.dropped_attributes_count[i];
  r.events = spans.events[i];
  r.dropped_events_count = spans.dropped_events_count[i];
  r.links = spans.links[i];
  r.dropped_links_count = spans.dropped_links_count[i];
  r.status_code = spans.status_code[i];
  r.status_message = spans.status_message[i];
  return r;
}

size_t SpanBatch::MemoryUsage() const {
  const SpanColumns& s = spans;
  return sizeof(SpanBatch) + Capacity(resources) + Capacity(scopes) + Capacity(events) +
         Capacity(links) + Capacity(key_values) + Capacity(array_values) + Capacity(s.scope) +
         Capacity(s.trace_id) + Capacity(s.span_id) + Capacity(s.parent_span_id) +
         Capacity(s.trace_state) + Capacity(s.flags) + Capacity(s.name) + Capacity(s.kind) +
         Capacity(s.start_time_unix_nano) + Capacity(s.end_time_unix_nano) +
         Capacity(s.attributes) + Capacity(s.dropped_attributes_count) + Capacity(s.events) +
         Capacity(s.dropped_events_count) + Capacity(s.links) + Capacity(s.dropped_links_count) +
         Capacity(s.status_code) + Capacity(s.status_message) + Capacity(s.wire) +
         arena.MemoryUsage();
}

namespace {

// Re-homes every string view of a copied batch into `to`'s arena. Views into the protobuf body
// (`otlp_encoding`, and the `wire` slices of it) keep their offsets inside the one copied body.
class Rehomer {
 public:
  Rehomer(std::string_view old_encoding, std::string_view new_encoding, Arena* arena)
      : old_(old_encoding), new_(new_encoding), arena_(arena) {}

  void operator()(std::string_view& v) const {
    if (v.empty()) return;
    if (!old_.empty() && v.data() >= old_.data() && v.data() + v.size() <= old_.data() + old_.size()) {
      v = new_.substr(static_cast<size_t>(v.data() - old_.data()), v.size());
    } else {
      v = arena_->Copy(v);
    }
  }

 private:
  std::string_view old_, new_;
  Arena* arena_;
};

}  // namespace

void SpanBatch::Clear() {
  resources.clear();
  scopes.clear();
  spans.Clear();
  events.clear();
  links.clear();
  key_values.clear();
  array_values.clear();
  arena = Arena();
  otlp_encoding = {};
}

std::unique_ptr<SpanBatch> SpanBatch::Clone() const {
  auto out = std::make_unique<SpanBatch>();
  out->tenant = tenant;
  out->resources = resources;
  out->scopes = scopes;
  out->spans = spans;
  out->events = events;
  out->links = links;
  out->key_values = key_values;
  out->array_values = array_values;
  out->otlp_encoding = out->arena.Copy(otlp_encoding);
  Rehomer rehome(otlp_encoding, out->otlp_encoding, &out->arena);
  for (Resource& r : out->resources) {
    rehome(r.schema_url);
    rehome(r.wire);
  }
  for (Scope& s : out->scopes) {
    rehome(s.name);
    rehome(s.version);
    rehome(s.schema_url);
    rehome(s.wire);
  }
  for (Event& e : out->events) rehome(e.name);
  for (Link& l : out->links) rehome(l.trace_state);
  for (KeyValue& kv : out->key_values) {
    rehome(kv.key);
    rehome(kv.value.bytes);
  }
  for (AnyValue& v : out->array_values) rehome(v.bytes);
  for (auto* column : {&out->spans.trace_state, &out->spans.name, &out->spans.status_message,
                       &out->spans.wire}) {
    for (std::string_view& v : *column) rehome(v);
  }
  return out;
}

}  // namespace th::model

#include "query/exec/test_util.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "query/traceql/traceql.h"

namespace th::query::exec::testing {

constexpr uint64_t kBaseNanos = 1700000000ULL * 1000000000ULL;

V V::Array(std::vector<V> elements) {
  V v;
  v.type = model::ValueType::kArray;
  v.elements = std::move(elements);
  return v;
}

TraceBuilder::TraceBuilder(uint8_t trace)
    : trace_(trace), batch_(std::make_unique<model::SpanBatch>()) {}

model::AnyValue TraceBuilder::AddValue(const V& v) {
  model::AnyValue a;
  a.type = v.type;
  switch (v.type) {
    case model::ValueType::kString: a.bytes = batch_->arena.Copy(v.s); break;
    case model::ValueType::kInt: a.int_value = v.i; break;
    case model::ValueType::kDouble: a.double_value = v.d; break;
    case model::ValueType::kBool: a.bool_value = v.b; break;
    case model::ValueType::kArray: {
      std::vector<model::AnyValue> elements;
      for (const V& e : v.elements) elements.push_back(AddValue(e));
      a.range.begin = static_cast<uint32_t>(batch_->array_values.size());
      a.range.count = static_cast<uint32_t>(elements.size());
      batch_->array_values.insert(batch_->array_values.end(), elements.begin(), elements.end());
      break;
    }
    default: break;
  }
  return a;
}

model::Range TraceBuilder::AddAttrs(const Attrs& attrs) {
  std::vector<model::KeyValue> kvs;
  for (const auto& [key, value] : attrs) {
    model::KeyValue kv;
    kv.key = batch_->arena.Copy(key);
    kv.value = AddValue(value);
    kvs.push_back(kv);
  }
  model::Range r;
  r.begin = static_cast<uint32_t>(batch_->key_values.size());
  r.count = static_cast<uint32_t>(kvs.size());
  batch_->key_values.insert(batch_->key_values.end(), kvs.begin(), kvs.end());
  return r;
}

uint32_t TraceBuilder::Scope(const Attrs& resource, std::string_view scope_name,
                             std::string_view scope_version, const Attrs& scope_attrs) {
  model::Resource r;
  r.attributes = AddAttrs(resource);
  batch_->resources.push_back(r);
  model::Scope s;
  s.resource = static_cast<uint32_t>(batch_->resources.size() - 1);
  s.name = batch_->arena.Copy(scope_name);
  s.version = batch_->arena.Copy(scope_version);
  s.attributes = AddAttrs(scope_attrs);
  batch_->scopes.push_back(s);
  return static_cast<uint32_t>(batch_->scopes.size() - 1);
}

uint32_t TraceBuilder::Span(const SpanSpec& spec) {
  if (batch_->scopes.empty()) Scope({{"service.name", "svc"}});
  model::SpanRow row;
  row.scope = spec.scope;
  row.trace_id.bytes[15] = trace_;
  row.span_id.bytes[7] = spec.id;
  row.parent_span_id.bytes[7] = spec.parent;
  row.name = batch_->arena.Copy(spec.name);
  row.kind = spec.kind;
  row.start_time_unix_nano = kBaseNanos + spec.start_ms * 1000000;
  row.end_time_unix_nano = kBaseNanos + spec.end_ms * 1000000;
  row.status_code = spec.status;
  row.status_message = batch_->arena.Copy(spec.status_message);
  row.attributes = AddAttrs(spec.attrs);
  row.events.begin = static_cast<uint32_t>(batch_->events.size());
  for (const EventSpec& e : spec.events) {
    model::Event ev;
    ev.name = batch_->arena.Copy(e.name);
    ev.time_unix_nano = row.start_time_unix_nano + static_cast<uint64_t>(e.offset_ms * 1000000);
    ev.attributes = AddAttrs(e.attrs);
    batch_->events.push_back(ev);
    ++row.events.count;
  }
  row.links.begin = static_cast<uint32_t>(batch_->links.size());
  for (const LinkSpec& l : spec.links) {
    model::Link link;
    link.trace_id.bytes[15] = l.trace;
    link.span_id.bytes[7] = l.span;
    link.attributes = AddAttrs(l.attrs);
    batch_->links.push_back(link);
    ++row.links.count;
  }
  return batch_->AppendSpan(row);
}

std::unique_ptr<model::SpanBatch> TraceBuilder::Take(std::string_view tenant) {
  batch_->tenant = std::string(tenant);
  return std::move(batch_);
}

std::unique_ptr<Executor> CompileOrDie(std::string_view query) {
  auto parsed = traceql::Parse(query);
  EXPECT_TRUE(parsed.ok()) << query << ": " << parsed.status();
  if (!parsed.ok()) return nullptr;
  auto compiled = Executor::Compile(**parsed);
  EXPECT_TRUE(compiled.ok()) << query << ": " << compiled.status();
  if (!compiled.ok()) return nullptr;
  return std::move(compiled).value();
}

std::vector<Spanset> RunQuery(std::string_view query, const model::SpanBatch& trace) {
  std::vector<Spanset> out;
  auto e = CompileOrDie(query);
  if (e == nullptr) return out;
  EvalState state;
  Status st = e->Evaluate(trace, &state, &out);
  EXPECT_TRUE(st.ok()) << query << ": " << st;
  return out;
}

std::vector<std::string> Names(std::string_view query, const model::SpanBatch& trace) {
  std::vector<std::string> names;
  for (const Spanset& ss : RunQuery(query, trace)) {
    for (uint32_t s : ss.spans) names.emplace_back(trace.spans.name[s]);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace th::query::exec::testing

// Fuzz target for the executor: the input is query text; whatever parses as a search query must
// compile and evaluate on a fixed small trace without crashing (errors are fine).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "model/span_batch.h"
#include "query/exec/exec.h"
#include "query/traceql/traceql.h"

namespace {

using th::model::AnyValue;
using th::model::KeyValue;
using th::model::Range;
using th::model::SpanBatch;
using th::model::SpanRow;
using th::model::ValueType;

AnyValue Str(std::string_view s) {
  AnyValue v;
  v.type = ValueType::kString;
  v.bytes = s;  // literals: static storage outlives the batch
  return v;
}

AnyValue Int(int64_t i) {
  AnyValue v;
  v.type = ValueType::kInt;
  v.int_value = i;
  return v;
}

Range Add(SpanBatch* b, std::initializer_list<KeyValue> kvs) {
  Range r{static_cast<uint32_t>(b->key_values.size()), static_cast<uint32_t>(kvs.size())};
  b->key_values.insert(b->key_values.end(), kvs);
  return r;
}

// root (server, error) ─┬─ child (client) ── grandchild
//                       └─ orphan-looking span whose parent is missing
std::unique_ptr<SpanBatch> MakeTrace() {
  auto b = std::make_unique<SpanBatch>();
  b->resources.push_back({Add(b.get(), {{"service.name", Str("api")}, {"a", Int(1)}}), 0, {}, {}});
  th::model::Scope scope;
  scope.name = "lib";
  scope.version = "1.0";
  scope.attributes = Add(b.get(), {{"language", Str("go")}});
  b->scopes.push_back(scope);
  AnyValue arr;
  arr.type = ValueType::kArray;
  arr.range = {0, 2};
  b->array_values = {Str("x"), Int(2)};
  b->events.push_back({1000, "exception", Add(b.get(), {{"msg", Str("boom")}}), 0});
  th::model::Link link;
  link.trace_id.bytes[0] = 1;
  link.span_id.bytes[0] = 2;
  link.attributes = Add(b.get(), {{"kind", Str("follows")}});
  b->links.push_back(link);
  const char* names[] = {"root", "child", "grandchild", "lost"};
  const uint8_t parents[] = {0, 1, 2, 9};
  for (uint8_t i = 0; i < 4; ++i) {
    SpanRow r;
    r.trace_id.bytes[15] = 1;
    r.span_id.bytes[7] = static_cast<uint8_t>(i + 1);
    r.parent_span_id.bytes[7] = parents[i];
    r.name = names[i];
    r.kind = i == 0 ? 2 : 3;
    r.status_code = i == 0 ? 2 : 0;
    r.start_time_unix_nano = 1000 * i;
    r.end_time_unix_nano = 1000000 * (i + 2);
    r.attributes = Add(b.get(), {{"a", Int(i)}, {"tags", arr}, {"s", Str(names[i])}});
    if (i == 0) r.events = {0, 1};
    if (i == 1) r.links = {0, 1};
    b->AppendSpan(r);
  }
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  static const std::unique_ptr<SpanBatch> trace = MakeTrace();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto query = th::query::traceql::Parse(text);
  if (!query.ok() || (*query)->IsMetrics()) return 0;
  auto executor = th::query::exec::Executor::Compile(**query);
  if (!executor.ok()) return 0;
  th::query::exec::EvalState state;
  std::vector<th::query::exec::Spanset> out;
  if (!(*executor)->Evaluate(*trace, &state, &out).ok()) return 0;
  for (const auto& ss : out) {
    for (uint32_t s : ss.spans) (*executor)->SpanAttributes(&state, s);
    for (const auto& a : ss.attributes) th::query::exec::ValueJson(a.value);
  }
  return 0;
}

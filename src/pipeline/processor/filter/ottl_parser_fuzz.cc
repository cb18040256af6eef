// Fuzz target: the OTTL condition lexer and parser (both contexts), and evaluation of whatever
// parses against a small fixed batch. Must never crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pipeline/processor/filter/ottl.h"

namespace {

th::model::SpanBatch* FixedBatch() {
  static th::model::SpanBatch* b = [] {
    auto* batch = new th::model::SpanBatch();
    th::model::KeyValue kv;
    kv.key = "k";
    kv.value.type = th::model::ValueType::kString;
    kv.value.bytes = "v";
    batch->key_values.push_back(kv);
    batch->resources.push_back(th::model::Resource{.attributes = {0, 1}});
    batch->scopes.push_back(th::model::Scope{.resource = 0, .name = "lib", .attributes = {0, 1}});
    batch->events.push_back(th::model::Event{.name = "ev", .attributes = {0, 1}});
    th::model::SpanRow row;
    row.name = "span";
    row.attributes = {0, 1};
    row.events = {0, 1};
    batch->AppendSpan(row);
    return batch;
  }();
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto context :
       {th::pipeline::ottl::Context::kSpan, th::pipeline::ottl::Context::kSpanEvent}) {
    auto c = th::pipeline::ottl::Condition::Parse(text, context);
    if (c.ok()) c->Eval(th::pipeline::ottl::EvalTarget{FixedBatch(), 0, 0}).IgnoreError();
  }
  return 0;
}

// Helpers for the tail_sampling tests: building span batches by hand and reading policies from
// YAML text. Test-only.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "model/span_batch.h"

namespace th::pipeline::tail_sampling::testing {

inline model::AnyValue StrValue(std::string_view s) {
  model::AnyValue v;
  v.type = model::ValueType::kString;
  v.bytes = s;
  return v;
}
inline model::AnyValue IntValue(int64_t i) {
  model::AnyValue v;
  v.type = model::ValueType::kInt;
  v.int_value = i;
  return v;
}
inline model::AnyValue BoolValue(bool b) {
  model::AnyValue v;
  v.type = model::ValueType::kBool;
  v.bool_value = b;
  return v;
}

inline model::TraceId Tid(uint8_t n) {
  model::TraceId id;
  id.bytes[15] = n;
  id.bytes[0] = 0xab;
  return id;
}

// Builds a batch: each Resource() starts a new resource (and scope); spans go under the latest.
class BatchBuilder {
 public:
  explicit BatchBuilder(std::string tenant = std::string(model::kDefaultTenant))
      : b_(std::make_unique<model::SpanBatch>()) {
    b_->tenant = std::move(tenant);
  }

  BatchBuilder& Resource(std::initializer_list<std::pair<std::string_view, model::AnyValue>> attrs) {
    model::Resource r;
    r.attributes = Attrs(attrs);
    b_->resources.push_back(r);
    model::Scope s;
    s.resource = static_cast<uint32_t>(b_->resources.size() - 1);
    s.name = b_->arena.Copy("scope");
    b_->scopes.push_back(s);
    return *this;
  }

  struct SpanSpec {
    model::TraceId trace_id;
    uint64_t start_ns = 1'000'000'000;
    uint64_t end_ns = 1'001'000'000;
    int32_t status = model::kStatusUnset;
    std::string_view trace_state;
    uint32_t flags = 0;
    std::initializer_list<std::pair<std::string_view, model::AnyValue>> attrs = {};
  };

  BatchBuilder& Span(const SpanSpec& spec) {
    if (b_->resources.empty()) Resource({});
    model::SpanRow row;
    row.scope = static_cast<uint32_t>(b_->scopes.size() - 1);
    row.trace_id = spec.trace_id;
    row.span_id.bytes[7] = static_cast<uint8_t>(++span_counter_);
    row.name = b_->arena.Copy("span-" + std::to_string(span_counter_));
    row.start_time_unix_nano = spec.start_ns;
    row.end_time_unix_nano = spec.end_ns;
    row.status_code = spec.status;
    row.trace_state = b_->arena.Copy(spec.trace_state);
    row.flags = spec.flags;
    row.attributes = Attrs(spec.attrs);
    b_->AppendSpan(row);
    return *this;
  }

  std::unique_ptr<model::SpanBatch> Build() { return std::move(b_); }
  model::SpanBatch& batch() { return *b_; }

 private:
  model::Range Attrs(std::initializer_list<std::pair<std::string_view, model::AnyValue>> attrs) {
    model::Range r{static_cast<uint32_t>(b_->key_values.size()),
                   static_cast<uint32_t>(attrs.size())};
    for (const auto& [k, v] : attrs) {
      model::AnyValue copy = v;
      copy.bytes = b_->arena.Copy(v.bytes);
      b_->key_values.push_back({b_->arena.Copy(k), copy});
    }
    return r;
  }

  std::unique_ptr<model::SpanBatch> b_;
  int span_counter_ = 0;
};

}  // namespace th::pipeline::tail_sampling::testing

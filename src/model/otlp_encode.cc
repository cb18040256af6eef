// Hand-written OTLP protobuf encoder. Sub-message lengths are computed before writing (the
// sizes of spans are computed once and cached for the resource and scope lengths).
#include "model/otlp_encode.h"

#include <cstring>
#include <vector>

#include "common/protobuf_wire.h"

namespace th::model {
namespace {

using wire::LenFieldSize;
using wire::TagSize;
using wire::VarintFieldSize;

class Encoder {
 public:
  Encoder(const SpanBatch& b, std::string* out) : b_(b), out_(out) {}

  void Encode(std::span<const uint32_t> spans) {
    span_sizes_.resize(spans.size());
    for (size_t k = 0; k < spans.size(); ++k) span_sizes_[k] = SpanSize(spans[k]);

    size_t k = 0;
    while (k < spans.size()) {
      uint32_t resource = b_.scopes[b_.spans.scope[spans[k]]].resource;
      // The run of spans under this resource: consecutive spans whose scope has this resource.
      size_t end = k;
      while (end < spans.size() && b_.scopes[b_.spans.scope[spans[end]]].resource == resource) {
        ++end;
      }
      EncodeResourceSpans(resource, spans, k, end);
      k = end;
    }
  }

 private:
  // ---- sizes ----
  size_t AnyValueSize(const AnyValue& v) const {
    switch (v.type) {
      case ValueType::kEmpty:
        return 0;
      case ValueType::kString:
        return LenFieldSize(1, v.bytes.size());
      case ValueType::kBool:
        return VarintFieldSize(2, v.bool_value ? 1 : 0);
      case ValueType::kInt:
        return VarintFieldSize(3, static_cast<uint64_t>(v.int_value));
      case ValueType::kDouble:
        return TagSize(4) + 8;
      case ValueType::kArray:
        return LenFieldSize(5, ArrayBodySize(v.range));
      case ValueType::kKvList:
        return LenFieldSize(6, KeyValuesSize(v.range, 1));
      case ValueType::kBytes:
        return LenFieldSize(7, v.bytes.size());
    }
    return 0;
  }
  size_t ArrayBodySize(Range r) const {
    size_t n = 0;
    for (uint32_t i = r.begin; i < r.end(); ++i) {
      n += LenFieldSize(1, AnyValueSize(b_.array_values[i]));
    }
    return n;
  }
  size_t KeyValueSize(const KeyValue& kv) const {
    size_t n = kv.key.empty() ? 0 : LenFieldSize(1, kv.key.size());
    return n + LenFieldSize(2, AnyValueSize(kv.value));
  }
  // Size of the repeated KeyValue field `field` over `r`.
  size_t KeyValuesSize(Range r, uint32_t field) const {
    size_t n = 0;
    for (uint32_t i = r.begin; i < r.end(); ++i) {
      n += LenFieldSize(field, KeyValueSize(b_.key_values[i]));
    }
    return n;
  }
  static size_t StringFieldSize(uint32_t field, std::string_view s) {
    return s.empty() ? 0 : LenFieldSize(field, s.size());
  }
  static size_t UintFieldSize(uint32_t field, uint64_t v) {
    return v == 0 ? 0 : VarintFieldSize(field, v);
  }
  size_t EventSize(const Event& e) const {
    return (e.time_unix_nano ? TagSize(1) + 8 : 0) + StringFieldSize(2, e.name) +
           KeyValuesSize(e.attributes, 3) + UintFieldSize(4, e.dropped_attributes_count);
  }
  size_t LinkSize(const Link& l) const {
    return (l.trace_id.IsZero() ? 0 : LenFieldSize(1, 16)) +
           (l.span_id.IsZero() ? 0 : LenFieldSize(2, 8)) + StringFieldSize(3, l.trace_state) +
           KeyValuesSize(l.attributes, 4) + UintFieldSize(5, l.dropped_attributes_count) +
           (l.flags ? TagSize(6) + 4 : 0);
  }
  size_t StatusSize(uint32_t i) const {
    const SpanColumns& c = b_.spans;
    return StringFieldSize(2, c.status_message[i]) +
           UintFieldSize(3, static_cast<uint64_t>(static_cast<int64_t>(c.status_code[i])));
  }
  size_t SpanSize(uint32_t i) const {
    const SpanColumns& c = b_.spans;
    size_t n = LenFieldSize(1, 16) + LenFieldSize(2, 8) + StringFieldSize(3, c.trace_state[i]) +
               (c.parent_span_id[i].IsZero() ? 0 : LenFieldSize(4, 8)) +
               StringFieldSize(5, c.name[i]) +
               UintFieldSize(6, static_cast<uint64_t>(static_cast<int64_t>(c.kind[i]))) +
               (c.start_time_unix_nano[i] ? TagSize(7) + 8 : 0) +
               (c.end_time_unix_nano[i] ? TagSize(8) + 8 : 0) + KeyValuesSize(c.attributes[i], 9) +
               UintFieldSize(10, c.dropped_attributes_count[i]) +
               UintFieldSize(12, c.dropped_events_count[i]) +
               UintFieldSize(14, c.dropped_links_count[i]) + (c.flags[i] ? TagSize(16) + 4 : 0);
    for (uint32_t e = c.events[i].begin; e < c.events[i].end(); ++e) {
      n += LenFieldSize(11, EventSize(b_.events[e]));
    }
    for (uint32_t l = c.links[i].begin; l < c.links[i].end(); ++l) {
      n += LenFieldSize(13, LinkSize(b_.links[l]));
    }
    size_t status = StatusSize(i);
    if (status > 0) n += LenFieldSize(15, status);
    return n;
  }
  size_t ResourceSize(const Resource& r) const {
    return KeyValuesSize(r.attributes, 1) + UintFieldSize(2, r.dropped_attributes_count);
  }
  size_t ScopeSize(const Scope& s) const {
    return StringFieldSize(1, s.name) + StringFieldSize(2, s.version) +
           KeyValuesSize(s.attributes, 3) + UintFieldSize(4, s.dropped_attributes_count);
  }

  // ---- writers ----
  void PutString(uint32_t field, std::string_view s) {
    if (!s.empty()) wire::PutBytes(out_, field, s);
  }
  void PutUint(uint32_t field, uint64_t v) {
    if (v != 0) wire::PutVarintField(out_, field, v);
  }

  void PutAnyValue(const AnyValue& v) {
    switch (v.type) {
      case ValueType::kEmpty:
        break;
      case ValueType::kString:
        wire::PutBytes(out_, 1, v.bytes);
        break;
      case ValueType::kBool:
        wire::PutVarintField(out_, 2, v.bool_value ? 1 : 0);
        break;
      case ValueType::kInt:
        wire::PutVarintField(out_, 3, static_cast<uint64_t>(v.int_value));
        break;
      case ValueType::kDouble: {
        uint64_t bits;
        std::memcpy(&bits, &v.double_value, 8);
        wire::PutFixed64(out_, 4, bits);
        break;
      }
      case ValueType::kArray:
        wire::PutLenHeader(out_, 5, ArrayBodySize(v.range));
        for (uint32_t i = v.range.begin; i < v.range.end(); ++i) {
          const AnyValue& e = b_.array_values[i];
          wire::PutLenHeader(out_, 1, AnyValueSize(e));
          PutAnyValue(e);
        }
        break;
      case ValueType::kKvList:
        wire::PutLenHeader(out_, 6, KeyValuesSize(v.range, 1));
        PutKeyValues(v.range, 1);
        break;
      case ValueType::kBytes:
        wire::PutBytes(out_, 7, v.bytes);
        break;
    }
  }

  void PutKeyValues(Range r, uint32_t field) {
    for (uint32_t i = r.begin; i < r.end(); ++i) {
      const KeyValue& kv = b_.key_values[i];
      wire::PutLenHeader(out_, field, KeyValueSize(kv));
      PutString(1, kv.key);
      wire::PutLenHeader(out_, 2, AnyValueSize(kv.value));
      PutAnyValue(kv.value);
    }
  }

  void PutSpan(uint32_t i, size_t size) {
    const SpanColumns& c = b_.spans;
    wire::PutLenHeader(out_, 2, size);
    wire::PutBytes(out_, 1, c.trace_id[i].View());
    wire::PutBytes(out_, 2, c.span_id[i].View());
    PutString(3, c.trace_state[i]);
    if (!c.parent_span_id[i].IsZero()) wire::PutBytes(out_, 4, c.parent_span_id[i].View());
    PutString(5, c.name[i]);
    PutUint(6, static_cast<uint64_t>(static_cast<int64_t>(c.kind[i])));
    if (c.start_time_unix_nano[i]) wire::PutFixed64(out_, 7, c.start_time_unix_nano[i]);
    if (c.end_time_unix_nano[i]) wire::PutFixed64(out_, 8, c.end_time_unix_nano[i]);
    PutKeyValues(c.attributes[i], 9);
    PutUint(10, c.dropped_attributes_count[i]);
    for (uint32_t k = c.events[i].begin; k < c.events[i].end(); ++k) {
      const Event& e = b_.events[k];
      wire::PutLenHeader(out_, 11, EventSize(e));
      if (e.time_unix_nano) wire::PutFixed64(out_, 1, e.time_unix_nano);
      PutString(2, e.name);
      PutKeyValues(e.attributes, 3);
      PutUint(4, e.dropped_attributes_count);
    }
    PutUint(12, c.dropped_events_count[i]);
    for (uint32_t k = c.links[i].begin; k < c.links[i].end(); ++k) {
      const Link& l = b_.links[k];
      wire::PutLenHeader(out_, 13, LinkSize(l));
      if (!l.trace_id.IsZero()) wire::PutBytes(out_, 1, l.trace_id.View());
      if (!l.span_id.IsZero()) wire::PutBytes(out_, 2, l.span_id.View());
      PutString(3, l.trace_state);
      PutKeyValues(l.attributes, 4);
      PutUint(5, l.dropped_attributes_count);
      if (l.flags) wire::PutFixed32(out_, 6, l.flags);
    }
    PutUint(14, c.dropped_links_count[i]);
    size_t status = StatusSize(i);
    if (status > 0) {
      wire::PutLenHeader(out_, 15, status);
      PutString(2, c.status_message[i]);
      PutUint(3, static_cast<uint64_t>(static_cast<int64_t>(c.status_code[i])));
    }
    if (c.flags[i]) wire::PutFixed32(out_, 16, c.flags[i]);
  }

  // Size of the ScopeSpans body for spans[k, end) which all share one scope.
  size_t ScopeSpansSize(uint32_t scope, size_t k, size_t end) const {
    const Scope& s = b_.scopes[scope];
    size_t n = LenFieldSize(1, ScopeSize(s)) + StringFieldSize(3, s.schema_url);
    for (size_t j = k; j < end; ++j) n += LenFieldSize(2, span_sizes_[j]);
    return n;
  }

  size_t ScopeRunEnd(std::span<const uint32_t> spans, size_t k, size_t end) const {
    uint32_t scope = b_.spans.scope[spans[k]];
    size_t j = k;
    while (j < end && b_.spans.scope[spans[j]] == scope) ++j;
    return j;
  }

  void EncodeResourceSpans(uint32_t resource, std::span<const uint32_t> spans, size_t k,
                           size_t end) {
    const Resource& res = b_.resources[resource];
    size_t body = LenFieldSize(1, ResourceSize(res)) + StringFieldSize(3, res.schema_url);
    for (size_t j = k; j < end;) {
      size_t run_end = ScopeRunEnd(spans, j, end);
      body += LenFieldSize(2, ScopeSpansSize(b_.spans.scope[spans[j]], j, run_end));
      j = run_end;
    }
    wire::PutLenHeader(out_, 1, body);
    wire::PutLenHeader(out_, 1, ResourceSize(res));
    PutKeyValues(res.attributes, 1);
    PutUint(2, res.dropped_attributes_count);
    for (size_t j = k; j < end;) {
      size_t run_end = ScopeRunEnd(spans, j, end);
      uint32_t scope = b_.spans.scope[spans[j]];
      const Scope& s = b_.scopes[scope];
      wire::PutLenHeader(out_, 2, ScopeSpansSize(scope, j, run_end));
      wire::PutLenHeader(out_, 1, ScopeSize(s));
      PutString(1, s.name);
      PutString(2, s.version);
      PutKeyValues(s.attributes, 3);
      PutUint(4, s.dropped_attributes_count);
      for (size_t m = j; m < run_end; ++m) PutSpan(spans[m], span_sizes_[m]);
      PutString(3, s.schema_url);
      j = run_end;
    }
    PutString(3, res.schema_url);
  }

  const SpanBatch& b_;
  std::string* out_;
  std::vector<size_t> span_sizes_;
};

}  // namespace

void EncodeOtlpTraces(const SpanBatch& batch, std::span<const uint32_t> span_indices,
                      std::string* out) {
  Encoder(batch, out).Encode(span_indices);
}

void EncodeOtlpTraces(const SpanBatch& batch, std::string* out) {
  std::vector<uint32_t> all(batch.span_count());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  EncodeOtlpTraces(batch, all, out);
}

}  // namespace th::model

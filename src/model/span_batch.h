// SpanBatch: the in-memory span model every stage speaks — a batch of spans as columns, with the
// resource and scope they came under, their attributes, events and links.
//
// Layout (STYLE.md §6): one vector per span field (struct of arrays), so a stage that needs one
// field touches one array. Resources, scopes, events, links, attributes and array elements live
// in pools; a span refers to its slice of a pool with a Range (begin, count). Attribute slices
// are contiguous in `key_values`; a kvlist value points at another slice of the same pool, an
// array value at a slice of `array_values`.
//
// Ownership: every std::string_view in a batch points into bytes owned by the batch's arena
// (copied strings, or a whole request body the decoder adopted). A view never outlives its
// batch; copy it out if it must. Batches are move-only and travel as
// std::unique_ptr<SpanBatch>&&; nobody else holds them while they are mutable.
// Thread-safety: none; one owner at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/arena.h"
#include "model/ids.h"

namespace th::model {

// A slice [begin, begin + count) of one of a batch's pools.
struct Range {
  uint32_t begin = 0;
  uint32_t count = 0;
  uint32_t end() const { return begin + count; }
  friend bool operator==(const Range&, const Range&) = default;
};

enum class ValueType : uint8_t {
  kEmpty,   // AnyValue with no field set
  kString,  // UTF-8, in `bytes`
  kBool,
  kInt,
  kDouble,
  kBytes,   // arbitrary bytes, in `bytes`
  kArray,   // elements in SpanBatch::array_values[range]
  kKvList,  // entries in SpanBatch::key_values[range]
};

struct AnyValue {
  ValueType type = ValueType::kEmpty;
  bool bool_value = false;
  Range range;
  int64_t int_value = 0;
  double double_value = 0;
  std::string_view bytes;  // kString or kBytes
};

struct KeyValue {
  std::string_view key;
  AnyValue value;
};

struct Resource {
  Range attributes;
  uint32_t dropped_attributes_count = 0;
  std::string_view schema_url;  // ResourceSpans.schema_url
  // The Resource message as it sits in `SpanBatch::otlp_encoding` (protobuf decoder only).
  std::string_view wire;
};

struct Scope {
  uint32_t resource = 0;  // index into SpanBatch::resources
  std::string_view name;
  std::string_view version;
  Range attributes;
  uint32_t dropped_attributes_count = 0;
  std::string_view schema_url;  // ScopeSpans.schema_url
  // The InstrumentationScope message as it sits in `SpanBatch::otlp_encoding` (protobuf decoder
  // only); empty when the ScopeSpans had no scope field.
  std::string_view wire;
};

struct Event {
  uint64_t time_unix_nano = 0;
  std::string_view name;
  Range attributes;
  uint32_t dropped_attributes_count = 0;
};

struct Link {
  TraceId trace_id;
  SpanId span_id;
  std::string_view trace_state;
  Range attributes;
  uint32_t dropped_attributes_count = 0;
  uint32_t flags = 0;
};

// OTLP enum values are kept as received (int32), so values newer than this code survive.
enum SpanKind : int32_t {
  kSpanKindUnspecified = 0,
  kSpanKindInternal = 1,
  kSpanKindServer = 2,
  kSpanKindClient = 3,
  kSpanKindProducer = 4,
  kSpanKindConsumer = 5,
};
enum StatusCode : int32_t { kStatusUnset = 0, kStatusOk = 1, kStatusError = 2 };

// One vector per span field; all have the same length, the span count.
struct SpanColumns {
  std::vector<uint32_t> scope;  // index into SpanBatch::scopes
  std::vector<TraceId> trace_id;
  std::vector<SpanId> span_id;
  std::vector<SpanId> parent_span_id;  // all zero: a root span
  std::vector<std::string_view> trace_state;
  std::vector<uint32_t> flags;
  std::vector<std::string_view> name;
  std::vector<int32_t> kind;
  std::vector<uint64_t> start_time_unix_nano;
  std::vector<uint64_t> end_time_unix_nano;
  std::vector<Range> attributes;  // into key_values
  std::vector<uint32_t> dropped_attributes_count;
  std::vector<Range> events;  // into SpanBatch::events
  std::vector<uint32_t> dropped_events_count;
  std::vector<Range> links;  // into SpanBatch::links
  std::vector<uint32_t> dropped_links_count;
  std::vector<int32_t> status_code;
  std::vector<std::string_view> status_message;
  // The span's Span message as it sits in `SpanBatch::otlp_encoding`, when the batch was decoded
  // from protobuf and nothing was rejected; empty views otherwise. Lets the head serve a trace by
  // slicing bytes instead of decoding and encoding again.
  std::vector<std::string_view> wire;

  size_t size() const { return trace_id.size(); }
  void Reserve(size_t n);
  // Removes every span, keeping the vectors' capacity.
  void Clear();
  // Appends one span with every field zero/empty and returns its index.
  uint32_t AppendDefault();
  // Keeps only the spans whose `keep[i]` is true, preserving order.
  void Compact(const std::vector<bool>& keep);
};

// Scalar fields of one span, for building batches by hand (tests, load generator). Decoders
// write the columns directly.
struct SpanRow {
  uint32_t scope = 0;
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;
  std::string_view trace_state;
  uint32_t flags = 0;
  std::string_view name;
  int32_t kind = kSpanKindUnspecified;
  uint64_t start_time_unix_nano = 0;
  uint64_t end_time_unix_nano = 0;
  Range attributes;
  uint32_t dropped_attributes_count = 0;
  Range events;
  uint32_t dropped_events_count = 0;
  Range links;
  uint32_t dropped_links_count = 0;
  int32_t status_code = kStatusUnset;
  std::string_view status_message;
};

struct SpanBatch {
  std::string tenant;  // X-Scope-OrgID of the request; "single-tenant" when absent

  std::vector<Resource> resources;
  std::vector<Scope> scopes;
  SpanColumns spans;
  std::vector<Event> events;
  std::vector<Link> links;
  std::vector<KeyValue> key_values;
  std::vector<AnyValue> array_values;

  Arena arena;

  // The OTLP protobuf encoding of exactly these spans, when a decoder has it at hand (the request
  // body, when no span was rejected); empty otherwise. A stage that changes the batch must clear
  // it. Lets the store log the received bytes instead of encoding them again.
  std::string_view otlp_encoding;

  size_t span_count() const { return spans.size(); }

  // Appends a span from a row; returns its index.
  uint32_t AppendSpan(const SpanRow& row);
  // Reads span `i` back as a row.
  SpanRow Row(uint32_t i) const;

  // Empties the batch for reuse (tenant kept): its vectors keep their capacity, the arena starts
  // afresh. Decoding one body after another into one batch so reuses memory already faulted in.
  void Clear();

  // A deep copy with its own arena (for fan-out to several consumers that may change it).
  std::unique_ptr<SpanBatch> Clone() const;

  // Approximate bytes held (vectors' capacity plus arena), for memory accounting.
  size_t MemoryUsage() const;
};

inline constexpr std::string_view kDefaultTenant = "single-tenant";

}  // namespace th::model

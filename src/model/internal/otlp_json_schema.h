// The OTLP/JSON schema as the JSON decoder reads it: for each proto message, the fields it knows
// (an enum) with their JSON names (a table in the same order), the enum value names, and Fields,
// the known members of one JSON object. Internal to model/; plain constants, thread-safe.
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <simdjson.h>

#include "model/span_batch.h"

namespace th::model::internal {

// A proto field's JSON names: lowerCamelCase as the OTLP spec writes them, and the original
// snake_case proto name, which proto3 JSON parsers also accept.
struct FieldName {
  std::string_view camel;
  std::string_view snake;
};

// Per message, the fields we read; enumerator order is the order of its name table.
enum class RequestField : uint8_t { kResourceSpans, kCount };
inline constexpr FieldName kRequestFields[] = {{"resourceSpans", "resource_spans"}};

enum class ResourceSpansField : uint8_t { kResource, kScopeSpans, kSchemaUrl, kCount };
inline constexpr FieldName kResourceSpansFields[] = {
    {"resource", "resource"}, {"scopeSpans", "scope_spans"}, {"schemaUrl", "schema_url"}};

// Resource and InstrumentationScope share attributes and droppedAttributesCount.
enum class AttributedField : uint8_t {
  kAttributes,
  kDroppedAttributesCount,
  kName,
  kVersion,
  kCount
};
inline constexpr FieldName kAttributedFields[] = {
    {"attributes", "attributes"},
    {"droppedAttributesCount", "dropped_attributes_count"},
    {"name", "name"},
    {"version", "version"}};

enum class ScopeSpansField : uint8_t { kScope, kSpans, kSchemaUrl, kCount };
inline constexpr FieldName kScopeSpansFields[] = {
    {"scope", "scope"}, {"spans", "spans"}, {"schemaUrl", "schema_url"}};

enum class SpanField : uint8_t {
  kTraceId,
  kSpanId,
  kTraceState,
  kParentSpanId,
  kFlags,
  kName,
  kKind,
  kStartTimeUnixNano,
  kEndTimeUnixNano,
  kAttributes,
  kDroppedAttributesCount,
  kEvents,
  kDroppedEventsCount,
  kLinks,
  kDroppedLinksCount,
  kStatus,
  kCount
};
inline constexpr FieldName kSpanFields[] = {
    {"traceId", "trace_id"},
    {"spanId", "span_id"},
    {"traceState", "trace_state"},
    {"parentSpanId", "parent_span_id"},
    {"flags", "flags"},
    {"name", "name"},
    {"kind", "kind"},
    {"startTimeUnixNano", "start_time_unix_nano"},
    {"endTimeUnixNano", "end_time_unix_nano"},
    {"attributes", "attributes"},
    {"droppedAttributesCount", "dropped_attributes_count"},
    {"events", "events"},
    {"droppedEventsCount", "dropped_events_count"},
    {"links", "links"},
    {"droppedLinksCount", "dropped_links_count"},
    {"status", "status"},
};

enum class EventField : uint8_t {
  kTimeUnixNano,
  kName,
  kAttributes,
  kDroppedAttributesCount,
  kCount
};
inline constexpr FieldName kEventFields[] = {
    {"timeUnixNano", "time_unix_nano"},
    {"name", "name"},
    {"attributes", "attributes"},
    {"droppedAttributesCount", "dropped_attributes_count"}};

enum class LinkField : uint8_t {
  kTraceId,
  kSpanId,
  kTraceState,
  kAttributes,
  kDroppedAttributesCount,
  kFlags,
  kCount
};
inline constexpr FieldName kLinkFields[] = {{"traceId", "trace_id"},
                                            {"spanId", "span_id"},
                                            {"traceState", "trace_state"},
                                            {"attributes", "attributes"},
                                            {"droppedAttributesCount", "dropped_attributes_count"},
                                            {"flags", "flags"}};

enum class StatusField : uint8_t { kMessage, kCode, kCount };
inline constexpr FieldName kStatusFields[] = {{"message", "message"}, {"code", "code"}};

enum class KeyValueField : uint8_t { kKey, kValue, kCount };
inline constexpr FieldName kKeyValueFields[] = {{"key", "key"}, {"value", "value"}};

// The AnyValue oneof.
enum class ValueField : uint8_t { kString, kBool, kInt, kDouble, kArray, kKvList, kBytes, kCount };
inline constexpr FieldName kValueFields[] = {
    {"stringValue", "string_value"}, {"boolValue", "bool_value"},   {"intValue", "int_value"},
    {"doubleValue", "double_value"}, {"arrayValue", "array_value"}, {"kvlistValue", "kvlist_value"},
    {"bytesValue", "bytes_value"}};

// ArrayValue and KeyValueList: both a single `values`.
enum class ListField : uint8_t { kValues, kCount };
inline constexpr FieldName kListFields[] = {{"values", "values"}};

struct EnumName {
  std::string_view name;
  int32_t value;
};
inline constexpr EnumName kSpanKindNames[] = {
    {"SPAN_KIND_UNSPECIFIED", kSpanKindUnspecified}, {"SPAN_KIND_INTERNAL", kSpanKindInternal},
    {"SPAN_KIND_SERVER", kSpanKindServer},           {"SPAN_KIND_CLIENT", kSpanKindClient},
    {"SPAN_KIND_PRODUCER", kSpanKindProducer},       {"SPAN_KIND_CONSUMER", kSpanKindConsumer}};
inline constexpr EnumName kStatusCodeNames[] = {{"STATUS_CODE_UNSET", kStatusUnset},
                                                {"STATUS_CODE_OK", kStatusOk},
                                                {"STATUS_CODE_ERROR", kStatusError}};

// The known fields of one JSON object. A field set to null counts as absent, as proto3 JSON
// defines null to mean the default value.
template <typename E>
struct Fields {
  static constexpr size_t kSize = static_cast<size_t>(E::kCount);
  std::array<simdjson::dom::element, kSize> value{};
  std::bitset<kSize> seen;
  std::bitset<kSize> present;

  const simdjson::dom::element* operator[](E e) const {
    auto i = static_cast<size_t>(e);
    return present[i] ? &value[i] : nullptr;
  }
};

}  // namespace th::model::internal

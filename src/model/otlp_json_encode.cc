#include "model/otlp_json_encode.h"

#include <cmath>
#include <iterator>

#include "common/json.h"
#include "common/strings.h"

#include "absl/strings/escaping.h"

namespace th::model {
namespace {

// The two JSON flavours (see the header).
enum class Flavor { kOtlp, kTempo };

std::string_view SpanKindName(uint32_t kind) {
  static constexpr std::string_view kNames[] = {
      "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
      "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
  return kind < std::size(kNames) ? kNames[kind] : std::string_view();
}

std::string_view StatusCodeName(uint32_t code) {
  static constexpr std::string_view kNames[] = {"STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                                "STATUS_CODE_ERROR"};
  return code < std::size(kNames) ? kNames[code] : std::string_view();
}

class JsonEncoder {
 public:
  JsonEncoder(const SpanBatch& b, std::string* out, Flavor flavor = Flavor::kOtlp)
      : b_(b), out_(out), tempo_(flavor == Flavor::kTempo) {}

  void Encode() {
    *out_ += "{\"resourceSpans\":[";
    EncodeResourceSpans();
    *out_ += "]}";
  }

  void EncodeResourceSpans() {
    const SpanColumns& c = b_.spans;
    size_t i = 0;
    bool first_resource = true;
    while (i < c.size()) {
      uint32_t resource = b_.scopes[c.scope[i]].resource;
      if (!first_resource) *out_ += ',';
      first_resource = false;
      const Resource& r = b_.resources[resource];
      *out_ += "{\"resource\":{";
      Attributes("attributes", r.attributes, /*leading_comma=*/false);
      Uint("droppedAttributesCount", r.dropped_attributes_count, r.attributes.count != 0);
      *out_ += "},\"scopeSpans\":[";
      bool first_scope = true;
      while (i < c.size() && b_.scopes[c.scope[i]].resource == resource) {
        uint32_t scope = c.scope[i];
        const Scope& s = b_.scopes[scope];
        if (!first_scope) *out_ += ',';
        first_scope = false;
        *out_ += "{\"scope\":{";
        bool scope_fields = !tempo_ || !s.name.empty();
        if (scope_fields) th::StrAppend(out_, "\"name\":", JsonQuote(s.name));
        if (!s.version.empty()) {
          th::StrAppend(out_, scope_fields ? "," : "", "\"version\":", JsonQuote(s.version));
          scope_fields = true;
        }
        Attributes("attributes", s.attributes, scope_fields);
        scope_fields = scope_fields || s.attributes.count != 0;
        Uint("droppedAttributesCount", s.dropped_attributes_count, scope_fields);
        *out_ += "},\"spans\":[";
        bool first_span = true;
        for (; i < c.size() && c.scope[i] == scope; ++i) {
          if (!first_span) *out_ += ',';
          first_span = false;
          Span(static_cast<uint32_t>(i));
        }
        *out_ += ']';
        if (!s.schema_url.empty()) th::StrAppend(out_, ",\"schemaUrl\":", JsonQuote(s.schema_url));
        *out_ += '}';
      }
      *out_ += ']';
      if (!r.schema_url.empty()) th::StrAppend(out_, ",\"schemaUrl\":", JsonQuote(r.schema_url));
      *out_ += '}';
    }
  }

 private:
  // An id: hex (OTLP/JSON) or base64 (protobuf bytes).
  std::string Id(std::string_view raw) const {
    return tempo_ ? absl::Base64Escape(absl::string_view(raw.data(), raw.size())) : ToHex(raw);
  }
  // An enum: its number (OTLP/JSON), or its name, left out at 0 (protobuf JSON).
  void Enum(std::string_view key, uint32_t v, std::string_view name) {
    if (!tempo_) {
      th::StrAppend(out_, ",\"", key, "\":", v);
    } else if (v != 0 && !name.empty()) {
      th::StrAppend(out_, ",\"", key, "\":\"", name, "\"");
    } else if (v != 0) {
      th::StrAppend(out_, ",\"", key, "\":", v);  // unknown values print as numbers
    }
  }

  void Uint(std::string_view key, uint64_t v, bool comma) {
    if (v == 0) return;
    th::StrAppend(out_, comma ? "," : "", "\"", key, "\":", v);
  }
  void Nanos(std::string_view key, uint64_t v) {
    th::StrAppend(out_, ",\"", key, "\":\"", v, "\"");
  }

  void Value(const AnyValue& v) {
    switch (v.type) {
      case ValueType::kEmpty:
        *out_ += "{}";
        break;
      case ValueType::kString:
        th::StrAppend(out_, "{\"stringValue\":", JsonQuote(v.bytes), "}");
        break;
      case ValueType::kBool:
        th::StrAppend(out_, "{\"boolValue\":", v.bool_value, "}");
        break;
      case ValueType::kInt:
        th::StrAppend(out_, "{\"intValue\":\"", v.int_value, "\"}");
        break;
      case ValueType::kDouble:
        if (std::isnan(v.double_value)) {
          *out_ += "{\"doubleValue\":\"NaN\"}";
        } else if (std::isinf(v.double_value)) {
          *out_ += v.double_value > 0 ? "{\"doubleValue\":\"Infinity\"}"
                                      : "{\"doubleValue\":\"-Infinity\"}";
        } else {
          th::StrAppend(out_, "{\"doubleValue\":", v.double_value, "}");
        }
        break;
      case ValueType::kBytes:
        th::StrAppend(out_, "{\"bytesValue\":\"",
                      absl::Base64Escape(absl::string_view(v.bytes.data(), v.bytes.size())), "\"}");
        break;
      case ValueType::kArray:
        if (tempo_ && v.range.count == 0) {
          *out_ += "{\"arrayValue\":{}}";  // protobuf JSON leaves the empty list out
          break;
        }
        *out_ += "{\"arrayValue\":{\"values\":[";
        for (uint32_t k = v.range.begin; k < v.range.end(); ++k) {
          if (k != v.range.begin) *out_ += ',';
          Value(b_.array_values[k]);
        }
        *out_ += "]}}";
        break;
      case ValueType::kKvList:
        *out_ += "{\"kvlistValue\":{";
        Attributes("values", v.range, false);
        *out_ += "}}";
        break;
    }
  }

  void Attributes(std::string_view key, Range r, bool leading_comma) {
    if (r.count == 0) return;
    th::StrAppend(out_, leading_comma ? "," : "", "\"", key, "\":[");
    for (uint32_t k = r.begin; k < r.end(); ++k) {
      if (k != r.begin) *out_ += ',';
      const KeyValue& kv = b_.key_values[k];
      th::StrAppend(out_, "{\"key\":", JsonQuote(kv.key), ",\"value\":");
      Value(kv.value);
      *out_ += '}';
    }
    *out_ += ']';
  }

  void Span(uint32_t i) {
    const SpanColumns& c = b_.spans;
    th::StrAppend(out_, "{\"traceId\":\"", Id(c.trace_id[i].View()), "\",\"spanId\":\"",
                  Id(c.span_id[i].View()), "\"");
    if (!c.parent_span_id[i].IsZero()) {
      th::StrAppend(out_, ",\"parentSpanId\":\"", Id(c.parent_span_id[i].View()), "\"");
    }
    if (!c.trace_state[i].empty())
      th::StrAppend(out_, ",\"traceState\":", JsonQuote(c.trace_state[i]));
    Uint("flags", c.flags[i], true);
    if (!tempo_ || !c.name[i].empty()) th::StrAppend(out_, ",\"name\":", JsonQuote(c.name[i]));
    const auto kind = static_cast<uint32_t>(c.kind[i]);
    Enum("kind", kind, SpanKindName(kind));
    Nanos("startTimeUnixNano", c.start_time_unix_nano[i]);
    Nanos("endTimeUnixNano", c.end_time_unix_nano[i]);
    Attributes("attributes", c.attributes[i], true);
    Uint("droppedAttributesCount", c.dropped_attributes_count[i], true);
    if (c.events[i].count > 0) {
      *out_ += ",\"events\":[";
      for (uint32_t k = c.events[i].begin; k < c.events[i].end(); ++k) {
        const Event& e = b_.events[k];
        if (k != c.events[i].begin) *out_ += ',';
        bool event_fields = !tempo_ || e.time_unix_nano != 0;
        *out_ += '{';
        if (event_fields) th::StrAppend(out_, "\"timeUnixNano\":\"", e.time_unix_nano, "\"");
        if (!tempo_ || !e.name.empty()) {
          th::StrAppend(out_, event_fields ? "," : "", "\"name\":", JsonQuote(e.name));
          event_fields = true;
        }
        Attributes("attributes", e.attributes, event_fields);
        event_fields = event_fields || e.attributes.count != 0;
        Uint("droppedAttributesCount", e.dropped_attributes_count, event_fields);
        *out_ += '}';
      }
      *out_ += ']';
    }
    Uint("droppedEventsCount", c.dropped_events_count[i], true);
    if (c.links[i].count > 0) {
      *out_ += ",\"links\":[";
      for (uint32_t k = c.links[i].begin; k < c.links[i].end(); ++k) {
        const Link& l = b_.links[k];
        if (k != c.links[i].begin) *out_ += ',';
        th::StrAppend(out_, "{\"traceId\":\"", Id(l.trace_id.View()), "\",\"spanId\":\"",
                      Id(l.span_id.View()), "\"");
        if (!l.trace_state.empty())
          th::StrAppend(out_, ",\"traceState\":", JsonQuote(l.trace_state));
        Attributes("attributes", l.attributes, true);
        Uint("droppedAttributesCount", l.dropped_attributes_count, true);
        Uint("flags", l.flags, true);
        *out_ += '}';
      }
      *out_ += ']';
    }
    Uint("droppedLinksCount", c.dropped_links_count[i], true);
    if (c.status_code[i] != 0 || !c.status_message[i].empty()) {
      const auto code = static_cast<uint32_t>(c.status_code[i]);
      *out_ += ",\"status\":{";
      // "message" is field 2 and "code" field 3: protobuf's order; OTLP/JSON readers ignore order.
      bool comma = false;
      if (!c.status_message[i].empty()) {
        th::StrAppend(out_, "\"message\":", JsonQuote(c.status_message[i]));
        comma = true;
      }
      size_t before = out_->size();
      Enum("code", code, StatusCodeName(code));
      if (!comma && out_->size() > before) out_->erase(before, 1);  // no leading comma
      *out_ += '}';
    }
    *out_ += '}';
  }

  const SpanBatch& b_;
  std::string* out_;
  const bool tempo_;
};

}  // namespace

void EncodeOtlpTracesJson(const SpanBatch& batch, std::string* out) {
  JsonEncoder(batch, out).Encode();
}

void EncodeTempoResourceSpansJson(const SpanBatch& batch, std::string* out) {
  JsonEncoder(batch, out, Flavor::kTempo).EncodeResourceSpans();
}

}  // namespace th::model

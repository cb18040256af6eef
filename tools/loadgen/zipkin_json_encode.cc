#include "tools/loadgen/zipkin_json_encode.h"

#include <cstdio>
#include <string_view>

#include "common/json.h"
#include "common/strings.h"
#include "model/value_json.h"

namespace th::tools {
namespace {

using model::AnyValue;
using model::KeyValue;
using model::Range;
using model::SpanBatch;
using model::ValueType;

void AppendQuoted(std::string* out, std::string_view s) {
  out->append(JsonQuote(s));
}

void AppendHex(std::string* out, std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    out->push_back(kDigits[c >> 4]);
    out->push_back(kDigits[c & 15]);
  }
}

void AppendAttributesObject(const SpanBatch& b, Range r, std::string* out) {
  AnyValue object{.type = ValueType::kKvList, .range = r};
  model::AppendValueJson(b, object, out);
}

// pcommon.Value.AsString(), quoted: the tag value.
void AppendStringValue(const SpanBatch& b, const AnyValue& v, std::string* out) {
  switch (v.type) {
    case ValueType::kString:
      AppendQuoted(out, v.bytes);
      return;
    case ValueType::kEmpty:
      out->append("\"\"");
      return;
    case ValueType::kBytes:
      model::AppendValueJson(b, v, out);
      return;  // quoted base64
    case ValueType::kBool:
    case ValueType::kInt:
    case ValueType::kDouble:
      out->push_back('"');
      model::AppendValueJson(b, v, out);
      out->push_back('"');
      return;
    case ValueType::kArray:
    case ValueType::kKvList: {
      std::string json;
      model::AppendValueJson(b, v, &json);
      AppendQuoted(out, json);
      return;
    }
  }
}

const char* KindName(int32_t kind) {
  switch (kind) {
    case model::kSpanKindClient:
      return "CLIENT";
    case model::kSpanKindServer:
      return "SERVER";
    case model::kSpanKindProducer:
      return "PRODUCER";
    case model::kSpanKindConsumer:
      return "CONSUMER";
    default:
      return nullptr;
  }
}

bool HasKey(const SpanBatch& b, Range r, std::string_view key) {
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    if (b.key_values[i].key == key) return true;
  }
  return false;
}

class TagWriter {
 public:
  explicit TagWriter(std::string* out) : out_(out) {}
  // Starts a tag and returns where its (quoted) value goes.
  std::string* Key(std::string_view key) {
    out_->append(first_ ? "\"tags\":{" : ",");
    first_ = false;
    AppendQuoted(out_, key);
    out_->push_back(':');
    return out_;
  }
  void String(std::string_view key, std::string_view value) { AppendQuoted(Key(key), value); }
  void Close() {
    if (!first_) out_->push_back('}');
  }
  bool empty() const { return first_; }

 private:
  std::string* out_;
  bool first_ = true;
};

void AppendSpan(const SpanBatch& b, uint32_t i, std::string* out) {
  const model::Scope& scope = b.scopes[b.spans.scope[i]];
  const model::Resource& resource = b.resources[scope.resource];
  out->append("{\"traceId\":\"");
  AppendHex(out, b.spans.trace_id[i].View());
  out->append("\",\"id\":\"");
  AppendHex(out, b.spans.span_id[i].View());
  out->push_back('"');
  if (!b.spans.parent_span_id[i].IsZero()) {
    out->append(",\"parentId\":\"");
    AppendHex(out, b.spans.parent_span_id[i].View());
    out->push_back('"');
  }
  out->append(",\"name\":");
  AppendQuoted(out, b.spans.name[i]);
  if (const char* kind = KindName(b.spans.kind[i]); kind != nullptr) {
    th::StrAppend(out, ",\"kind\":\"", kind, "\"");
  }
  const uint64_t start = b.spans.start_time_unix_nano[i];
  const uint64_t end = b.spans.end_time_unix_nano[i];
  uint64_t duration = end > start ? (end - start) / 1000 : 0;
  if (end > start && duration == 0) duration = 1;
  th::StrAppend(out, ",\"timestamp\":", start / 1000);
  if (duration > 0) th::StrAppend(out, ",\"duration\":", duration);

  const Range attrs = b.spans.attributes[i];
  for (uint32_t k = resource.attributes.begin; k < resource.attributes.end(); ++k) {
    const KeyValue& kv = b.key_values[k];
    if (kv.key != "service.name") continue;
    out->append(",\"localEndpoint\":{\"serviceName\":");
    AppendStringValue(b, kv.value, out);
    out->push_back('}');
    break;
  }

  const Range events = b.spans.events[i];
  if (events.count > 0) {
    out->append(",\"annotations\":[");
    for (uint32_t k = events.begin; k < events.end(); ++k) {
      const model::Event& e = b.events[k];
      if (k != events.begin) out->push_back(',');
      th::StrAppend(out, "{\"timestamp\":", e.time_unix_nano / 1000, ",\"value\":");
      if (e.attributes.count == 0 && e.dropped_attributes_count == 0) {
        AppendQuoted(out, e.name);
      } else {
        std::string value(e.name);
        value.push_back('|');
        AppendAttributesObject(b, e.attributes, &value);
        th::StrAppend(&value, "|", e.dropped_attributes_count);
        AppendQuoted(out, value);
      }
      out->push_back('}');
    }
    out->push_back(']');
  }

  out->push_back(',');
  TagWriter tags(out);
  for (uint32_t k = resource.attributes.begin; k < resource.attributes.end(); ++k) {
    const KeyValue& kv = b.key_values[k];
    if (kv.key == "service.name" || HasKey(b, attrs, kv.key)) continue;
    AppendStringValue(b, kv.value, tags.Key(kv.key));
  }
  if (!scope.name.empty()) tags.String("otel.scope.name", scope.name);
  if (!scope.version.empty()) tags.String("otel.scope.version", scope.version);
  for (uint32_t k = attrs.begin; k < attrs.end(); ++k) {
    AppendStringValue(b, b.key_values[k].value, tags.Key(b.key_values[k].key));
  }
  if (b.spans.kind[i] == model::kSpanKindInternal) tags.String("span.kind", "internal");
  if (!b.spans.trace_state[i].empty()) tags.String("w3c.tracestate", b.spans.trace_state[i]);
  const int32_t code = b.spans.status_code[i];
  if (code == model::kStatusOk) tags.String("otel.status_code", "OK");
  if (code == model::kStatusError) {
    tags.String("otel.status_code", "ERROR");
    tags.String("error", "true");
  }
  if (code != model::kStatusUnset && !b.spans.status_message[i].empty()) {
    tags.String("otel.status_description", b.spans.status_message[i]);
  }
  const Range links = b.spans.links[i];
  std::string link;
  for (uint32_t k = links.begin; k < links.end(); ++k) {
    const model::Link& l = b.links[k];
    link.clear();
    AppendHex(&link, l.trace_id.View());
    link.push_back('|');
    AppendHex(&link, l.span_id.View());
    th::StrAppend(&link, "|", l.trace_state, "|");
    AppendAttributesObject(b, l.attributes, &link);
    th::StrAppend(&link, "|", l.dropped_attributes_count);
    tags.String(th::StrCat("otlp.link.", k - links.begin), link);
  }
  if (tags.empty()) {
    out->pop_back();  // the ',' before a tags object that never opened
  } else {
    tags.Close();
  }
  out->push_back('}');
}

}  // namespace

void EncodeZipkinJson(const SpanBatch& batch, std::string* out) {
  out->push_back('[');
  for (uint32_t i = 0; i < batch.span_count(); ++i) {
    if (i > 0) out->push_back(',');
    AppendSpan(batch, i, out);
  }
  out->push_back(']');
}

}  // namespace th::tools

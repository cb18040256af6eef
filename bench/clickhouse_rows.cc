#include "bench/clickhouse_rows.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "model/ids.h"

namespace th::bench {
namespace {

using model::AnyValue;
using model::KeyValue;
using model::Range;
using model::SpanBatch;
using model::ValueType;

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 |
                 static_cast<uint8_t>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.append("==");
  } else if (i + 2 == in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<uint8_t>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// A TabSeparated field (ClickHouse escaping).
void AppendTsv(std::string* out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\'':
        out->append("\\'");  // harmless in a plain field, needed inside arrays
        break;
      default:
        out->push_back(c);
    }
  }
}

// Every byte as \xHH: binary FixedString values survive TSV whatever they hold.
void AppendTsvBinary(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : s) {
    out->append("\\x");
    out->push_back(kHex[static_cast<uint8_t>(c) >> 4]);
    out->push_back(kHex[static_cast<uint8_t>(c) & 15]);
  }
}

void AppendTsvStringArray(std::string* out, const std::vector<std::string>& values) {
  out->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('\'');
    AppendTsv(out, values[i]);
    out->push_back('\'');
  }
  out->push_back(']');
}

template <typename T>
void AppendTsvNumberArray(std::string* out, const std::vector<T>& values) {
  out->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out->push_back(',');
    th::StrAppend(out, values[i]);
  }
  out->push_back(']');
}

// Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros trimmed), in UTC.
std::string Rfc3339Nano(uint64_t unix_nano) {
  std::time_t secs = static_cast<std::time_t>(unix_nano / 1'000'000'000);
  uint64_t nanos = unix_nano % 1'000'000'000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof(frac), ".%09" PRIu64, nanos);
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += 'Z';
  return out;
}

// ClickHouse DateTime text, UTC (the server runs with timezone UTC).
std::string DateTimeText(uint64_t unix_nano) {
  std::time_t secs = static_cast<std::time_t>(unix_nano / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

uint64_t BigEndian64(std::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes) v = v << 8 | static_cast<uint8_t>(c);
  return v;
}

// OTLP AnyValue as a string (Jaeger's KeyValue.AsString; arrays and kvlists as JSON, as its
// OTLP translator stores them).
std::string ValueText(const SpanBatch& b, const AnyValue& v);

void AppendValueJson(std::string* out, const SpanBatch& b, const AnyValue& v) {
  switch (v.type) {
    case ValueType::kString:
      AppendJsonString(out, v.bytes);
      return;
    case ValueType::kBool:
      out->append(v.bool_value ? "true" : "false");
      return;
    case ValueType::kInt:
      th::StrAppend(out, v.int_value);
      return;
    case ValueType::kDouble:
      th::StrAppend(out, v.double_value);
      return;
    case ValueType::kBytes:
      AppendJsonString(out, Base64(v.bytes));
      return;
    case ValueType::kArray:
      out->push_back('[');
      for (uint32_t i = v.range.begin; i < v.range.end(); ++i) {
        if (i > v.range.begin) out->push_back(',');
        AppendValueJson(out, b, b.array_values[i]);
      }
      out->push_back(']');
      return;
    case ValueType::kKvList:
      out->push_back('{');
      for (uint32_t i = v.range.begin; i < v.range.end(); ++i) {
        if (i > v.range.begin) out->push_back(',');
        AppendJsonString(out, b.key_values[i].key);
        out->push_back(':');
        AppendValueJson(out, b, b.key_values[i].value);
      }
      out->push_back('}');
      return;
    case ValueType::kEmpty:
      out->append("null");
      return;
  }
}

std::string ValueText(const SpanBatch& b, const AnyValue& v) {
  switch (v.type) {
    case ValueType::kString:
      return std::string(v.bytes);
    case ValueType::kBool:
      return v.bool_value ? "true" : "false";
    case ValueType::kInt:
      return th::StrCat(v.int_value);
    case ValueType::kDouble:
      return th::StrCat(v.double_value);
    case ValueType::kBytes:
      return model::ToHex(v.bytes);
    default: {
      std::string json;
      AppendValueJson(&json, b, v);
      return json;
    }
  }
}

// A Jaeger tag: key, then its typed value (jaeger model.KeyValue, encoding/json field names;
// zero values are omitted as `omitempty` does).
struct Tag {
  std::string key;
  int type = 0;  // 0 string, 1 bool, 2 int64, 3 float64, 4 binary
  std::string str;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;

  std::string Text() const {
    switch (type) {
      case 1:
        return boolean ? "true" : "false";
      case 2:
        return th::StrCat(integer);
      case 3:
        return th::StrCat(real);
      case 4:
        return model::ToHex(str);
      default:
        return str;
    }
  }
};

Tag StringTag(std::string_view key, std::string_view value) {
  return Tag{.key = std::string(key), .str = std::string(value)};
}

Tag TagOf(const SpanBatch& b, const KeyValue& kv) {
  Tag t{.key = std::string(kv.key)};
  switch (kv.value.type) {
    case ValueType::kBool:
      t.type = 1;
      t.boolean = kv.value.bool_value;
      break;
    case ValueType::kInt:
      t.type = 2;
      t.integer = kv.value.int_value;
      break;
    case ValueType::kDouble:
      t.type = 3;
      t.real = kv.value.double_value;
      break;
    case ValueType::kBytes:
      t.type = 4;
      t.str = std::string(kv.value.bytes);
      break;
    default:
      t.str = ValueText(b, kv.value);
  }
  return t;
}

void AppendTagsJson(std::string* out, const std::vector<Tag>& tags) {
  if (tags.empty()) {
    out->append("null");
    return;
  }
  out->push_back('[');
  for (size_t i = 0; i < tags.size(); ++i) {
    const Tag& t = tags[i];
    if (i > 0) out->push_back(',');
    out->append("{\"key\":");
    AppendJsonString(out, t.key);
    if (t.type != 0) th::StrAppend(out, ",\"v_type\":", t.type);
    switch (t.type) {
      case 0:
        if (!t.str.empty()) {
          out->append(",\"v_str\":");
          AppendJsonString(out, t.str);
        }
        break;
      case 1:
        if (t.boolean) out->append(",\"v_bool\":true");
        break;
      case 2:
        if (t.integer != 0) th::StrAppend(out, ",\"v_int64\":", t.integer);
        break;
      case 3:
        if (t.real != 0) th::StrAppend(out, ",\"v_float64\":", t.real);
        break;
      case 4:
        out->append(",\"v_binary\":");
        AppendJsonString(out, Base64(t.str));
        break;
    }
    out->push_back('}');
  }
  out->push_back(']');
}

std::string_view KindName(int32_t kind) {
  switch (kind) {
    case model::kSpanKindServer:
      return "server";
    case model::kSpanKindClient:
      return "client";
    case model::kSpanKindProducer:
      return "producer";
    case model::kSpanKindConsumer:
      return "consumer";
    case model::kSpanKindInternal:
      return "internal";
    default:
      return "";
  }
}

std::string_view ServiceOf(const SpanBatch& b, const model::Resource& r) {
  for (uint32_t k = r.attributes.begin; k < r.attributes.end(); ++k) {
    if (b.key_values[k].key == "service.name") return b.key_values[k].value.bytes;
  }
  return "unknown_service";
}

}  // namespace

void AppendClickHouseRows(const SpanBatch& b, uint32_t i, std::string* jaeger_span,
                          std::string* jaeger_index, std::string* columnar) {
  const model::SpanRow r = b.Row(i);
  const model::Scope& scope = b.scopes[r.scope];
  const model::Resource& resource = b.resources[scope.resource];
  const std::string_view service = ServiceOf(b, resource);
  const std::string trace_hex = model::ToHex(r.trace_id.View());

  std::vector<Tag> tags;
  for (uint32_t k = r.attributes.begin; k < r.attributes.end(); ++k) {
    tags.push_back(TagOf(b, b.key_values[k]));
  }
  if (std::string_view kind = KindName(r.kind); !kind.empty()) {
    tags.push_back(StringTag("span.kind", kind));
  }
  if (!scope.name.empty()) tags.push_back(StringTag("otel.scope.name", scope.name));
  if (!scope.version.empty()) tags.push_back(StringTag("otel.scope.version", scope.version));
  if (r.status_code == model::kStatusError) {
    tags.push_back(StringTag("otel.status_code", "ERROR"));
    tags.push_back(Tag{.key = "error", .type = 1, .boolean = true});
    if (!r.status_message.empty()) {
      tags.push_back(StringTag("otel.status_description", r.status_message));
    }
  }
  std::vector<Tag> process_tags;
  for (uint32_t k = resource.attributes.begin; k < resource.attributes.end(); ++k) {
    if (b.key_values[k].key != "service.name") process_tags.push_back(TagOf(b, b.key_values[k]));
  }

  // jaeger_spans: the span as Jaeger's JSON model.
  std::string json = "{\"trace_id\":";
  AppendJsonString(&json, Base64(r.trace_id.View()));
  json.append(",\"span_id\":");
  AppendJsonString(&json, Base64(r.span_id.View()));
  json.append(",\"operation_name\":");
  AppendJsonString(&json, r.name);
  json.append(",\"references\":");
  std::vector<std::pair<std::string, std::string>> refs;  // trace, span; links follow the parent
  if (!r.parent_span_id.IsZero()) {
    refs.emplace_back(Base64(r.trace_id.View()), Base64(r.parent_span_id.View()));
  }
  for (uint32_t l = r.links.begin; l < r.links.end(); ++l) {
    refs.emplace_back(Base64(b.links[l].trace_id.View()), Base64(b.links[l].span_id.View()));
  }
  if (refs.empty()) {
    json.append("null");
  } else {
    json.push_back('[');
    for (size_t k = 0; k < refs.size(); ++k) {
      if (k > 0) json.push_back(',');
      json.append("{\"trace_id\":");
      AppendJsonString(&json, refs[k].first);
      json.append(",\"span_id\":");
      AppendJsonString(&json, refs[k].second);
      // CHILD_OF is 0 and omitted; links are FOLLOWS_FROM.
      if (k > 0 || r.parent_span_id.IsZero()) json.append(",\"ref_type\":1");
      json.push_back('}');
    }
    json.push_back(']');
  }
  json.append(",\"flags\":1,\"start_time\":");
  AppendJsonString(&json, Rfc3339Nano(r.start_time_unix_nano));
  const uint64_t duration = r.end_time_unix_nano - r.start_time_unix_nano;
  th::StrAppend(&json, ",\"duration\":", duration, ",\"tags\":");
  AppendTagsJson(&json, tags);
  json.append(",\"logs\":");
  std::vector<Tag> log_fields;  // every log's fields, for the index
  if (r.events.count == 0) {
    json.append("null");
  } else {
    json.push_back('[');
    for (uint32_t e = r.events.begin; e < r.events.end(); ++e) {
      const model::Event& ev = b.events[e];
      if (e > r.events.begin) json.push_back(',');
      json.append("{\"timestamp\":");
      AppendJsonString(&json, Rfc3339Nano(ev.time_unix_nano));
      json.append(",\"fields\":");
      std::vector<Tag> fields = {StringTag("event", ev.name)};
      for (uint32_t k = ev.attributes.begin; k < ev.attributes.end(); ++k) {
        fields.push_back(TagOf(b, b.key_values[k]));
      }
      AppendTagsJson(&json, fields);
      json.push_back('}');
      log_fields.insert(log_fields.end(), fields.begin(), fields.end());
    }
    json.push_back(']');
  }
  json.append(",\"process\":{\"service_name\":");
  AppendJsonString(&json, service);
  json.append(",\"tags\":");
  AppendTagsJson(&json, process_tags);
  json.append("}}");

  const std::string timestamp = DateTimeText(r.start_time_unix_nano);
  th::StrAppend(jaeger_span, timestamp, "\t", trace_hex, "\t");
  AppendTsv(jaeger_span, json);

  // jaeger_index: sorted unique key=value pairs of span, process and log tags.
  std::set<std::pair<std::string, std::string>> unique;
  for (const auto* list : {&tags, &process_tags, &log_fields}) {
    for (const Tag& t : *list) unique.emplace(t.key, t.Text());
  }
  std::vector<std::string> keys;
  std::vector<std::string> values;
  for (const auto& [k, v] : unique) {
    keys.push_back(k);
    values.push_back(v);
  }
  std::string* line = jaeger_index;
  th::StrAppend(line, timestamp, "\t", trace_hex, "\t");
  AppendTsv(line, service);
  line->push_back('\t');
  AppendTsv(line, r.name);
  th::StrAppend(line, "\t", duration / 1000, "\t");
  AppendTsvStringArray(line, keys);
  line->push_back('\t');
  AppendTsvStringArray(line, values);

  // spans_columnar: every field in its own column.
  line = columnar;
  AppendTsvBinary(line, r.trace_id.View());
  th::StrAppend(line, "\t", BigEndian64(r.span_id.View()), "\t",
                BigEndian64(r.parent_span_id.View()), "\t");
  AppendTsv(line, service);
  line->push_back('\t');
  AppendTsv(line, r.name);
  th::StrAppend(line, "\t", r.kind, "\t", r.start_time_unix_nano, "\t", duration, "\t",
                r.status_code, "\t");
  AppendTsv(line, r.status_message);
  auto append_attributes = [&](Range range) {
    std::vector<std::string> k, v;
    for (uint32_t a = range.begin; a < range.end(); ++a) {
      k.emplace_back(b.key_values[a].key);
      v.push_back(ValueText(b, b.key_values[a].value));
    }
    line->push_back('\t');
    AppendTsvStringArray(line, k);
    line->push_back('\t');
    AppendTsvStringArray(line, v);
  };
  append_attributes(r.attributes);
  append_attributes(resource.attributes);
  std::vector<uint64_t> event_times;
  std::vector<std::string> event_names, event_attributes;
  for (uint32_t e = r.events.begin; e < r.events.end(); ++e) {
    const model::Event& ev = b.events[e];
    event_times.push_back(ev.time_unix_nano);
    event_names.emplace_back(ev.name);
    std::string attrs = "{";
    for (uint32_t k = ev.attributes.begin; k < ev.attributes.end(); ++k) {
      if (k > ev.attributes.begin) attrs.push_back(',');
      AppendJsonString(&attrs, b.key_values[k].key);
      attrs.push_back(':');
      AppendValueJson(&attrs, b, b.key_values[k].value);
    }
    attrs.push_back('}');
    event_attributes.push_back(std::move(attrs));
  }
  line->push_back('\t');
  AppendTsvNumberArray(line, event_times);
  line->push_back('\t');
  AppendTsvStringArray(line, event_names);
  line->push_back('\t');
  AppendTsvStringArray(line, event_attributes);
  std::vector<std::string> link_traces;
  std::vector<uint64_t> link_spans;
  for (uint32_t l = r.links.begin; l < r.links.end(); ++l) {
    link_traces.push_back(model::ToHex(b.links[l].trace_id.View()));
    link_spans.push_back(BigEndian64(b.links[l].span_id.View()));
  }
  line->push_back('\t');
  AppendTsvStringArray(line, link_traces);
  line->push_back('\t');
  AppendTsvNumberArray(line, link_spans);
}

}  // namespace th::bench

#include "export/jaeger/internal/to_api_v2.h"

#include "model/value_json.h"

#include <string>
#include <unordered_map>

#include "common/base64.h"
#include "common/json.h"
#include "common/strings.h"

namespace th::exporter::jaeger {
namespace {

namespace pb = ::jaeger::api_v2;


void SetValue(const model::SpanBatch& b, const model::AnyValue& v, pb::KeyValue* kv) {
  switch (v.type) {
    case model::ValueType::kString:
      kv->set_v_type(pb::STRING);
      kv->set_v_str(std::string(v.bytes));
      return;
    case model::ValueType::kBool:
      kv->set_v_type(pb::BOOL);
      kv->set_v_bool(v.bool_value);
      return;
    case model::ValueType::kInt:
      kv->set_v_type(pb::INT64);
      kv->set_v_int64(v.int_value);
      return;
    case model::ValueType::kDouble:
      kv->set_v_type(pb::FLOAT64);
      kv->set_v_float64(v.double_value);
      return;
    case model::ValueType::kBytes:
      kv->set_v_type(pb::BINARY);
      kv->set_v_binary(std::string(v.bytes));
      return;
    case model::ValueType::kEmpty:
      kv->set_v_type(pb::STRING);
      return;
    case model::ValueType::kArray:
    case model::ValueType::kKvList: {
      std::string json;
      model::AppendValueJson(b, v, &json);
      kv->set_v_type(pb::STRING);
      kv->set_v_str(std::move(json));
      return;
    }
  }
}

template <typename Repeated>
void AddAttributes(const model::SpanBatch& b, model::Range r, Repeated* out) {
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    pb::KeyValue* kv = out->Add();
    kv->set_key(std::string(b.key_values[i].key));
    SetValue(b, b.key_values[i].value, kv);
  }
}

template <typename Repeated>
void AddString(Repeated* out, const char* key, std::string_view value) {
  pb::KeyValue* kv = out->Add();
  kv->set_key(key);
  kv->set_v_type(pb::STRING);
  kv->set_v_str(std::string(value));
}

void SetTimestamp(uint64_t ns, ::google::protobuf::Timestamp* t) {
  t->set_seconds(static_cast<int64_t>(ns / 1000000000u));
  t->set_nanos(static_cast<int32_t>(ns % 1000000000u));
}

void FillProcess(const model::SpanBatch& b, const model::Resource& r, pb::Process* p) {
  if (r.attributes.count == 0) {
    p->set_service_name("OTLPResourceNoServiceName");
    return;
  }
  for (uint32_t i = r.attributes.begin; i < r.attributes.end(); ++i) {
    const model::KeyValue& kv = b.key_values[i];
    if (kv.key == "service.name") {
      if (kv.value.type == model::ValueType::kString) {
        p->set_service_name(std::string(kv.value.bytes));
      } else {
        std::string s;
        model::AppendValueJson(b, kv.value, &s);
        p->set_service_name(s);
      }
      continue;
    }
    pb::KeyValue* tag = p->add_tags();
    tag->set_key(std::string(kv.key));
    SetValue(b, kv.value, tag);
  }
}

const char* KindTag(int32_t kind) {
  switch (kind) {
    case model::kSpanKindClient: return "client";
    case model::kSpanKindServer: return "server";
    case model::kSpanKindProducer: return "producer";
    case model::kSpanKindConsumer: return "consumer";
    case model::kSpanKindInternal: return "internal";
    default: return nullptr;
  }
}

std::string_view RefTypeAttr(const model::SpanBatch& b, const model::Link& l) {
  for (uint32_t i = l.attributes.begin; i < l.attributes.end(); ++i) {
    const model::KeyValue& kv = b.key_values[i];
    if (kv.key == "opentracing.ref_type" && kv.value.type == model::ValueType::kString) {
      return kv.value.bytes;
    }
  }
  return {};
}

void FillSpan(const model::SpanBatch& b, uint32_t i, pb::Span* s) {
  model::TraceId trace_id = b.spans.trace_id[i];
  s->set_trace_id(std::string(trace_id.View()));
  s->set_span_id(std::string(b.spans.span_id[i].View()));
  s->set_operation_name(std::string(b.spans.name[i]));
  s->set_flags(b.spans.flags[i] & 1u);  // W3C sampled → Jaeger sampled
  uint64_t start = b.spans.start_time_unix_nano[i];
  uint64_t end = b.spans.end_time_unix_nano[i];
  SetTimestamp(start, s->mutable_start_time());
  auto duration = static_cast<int64_t>(end - start);
  s->mutable_duration()->set_seconds(duration / 1000000000);
  s->mutable_duration()->set_nanos(static_cast<int32_t>(duration % 1000000000));

  // References: the parent first as CHILD_OF; links as FOLLOWS_FROM unless they say child_of; a
  // link to the parent sets the parent reference's type instead of adding one.
  model::SpanId parent = b.spans.parent_span_id[i];
  pb::SpanRef* parent_ref = nullptr;
  if (!parent.IsZero()) {
    parent_ref = s->add_references();
    parent_ref->set_trace_id(std::string(trace_id.View()));
    parent_ref->set_span_id(std::string(parent.View()));
    parent_ref->set_ref_type(pb::CHILD_OF);
  }
  model::Range links = b.spans.links[i];
  for (uint32_t k = links.begin; k < links.end(); ++k) {
    const model::Link& l = b.links[k];
    pb::SpanRefType type = RefTypeAttr(b, l) == "child_of" ? pb::CHILD_OF : pb::FOLLOWS_FROM;
    if (parent_ref != nullptr && l.trace_id == trace_id && l.span_id == parent) {
      parent_ref->set_ref_type(type);
      continue;
    }
    pb::SpanRef* ref = s->add_references();
    ref->set_trace_id(std::string(l.trace_id.View()));
    ref->set_span_id(std::string(l.span_id.View()));
    ref->set_ref_type(type);
  }

  const model::Scope& scope = b.scopes[b.spans.scope[i]];
  auto* tags = s->mutable_tags();
  if (!scope.name.empty()) AddString(tags, "otel.scope.name", scope.name);
  if (!scope.version.empty()) AddString(tags, "otel.scope.version", scope.version);
  AddAttributes(b, b.spans.attributes[i], tags);
  if (const char* kind = KindTag(b.spans.kind[i]); kind != nullptr) {
    AddString(tags, "span.kind", kind);
  }
  int32_t code = b.spans.status_code[i];
  if (code == model::kStatusOk) AddString(tags, "otel.status_code", "OK");
  if (code == model::kStatusError) {
    AddString(tags, "otel.status_code", "ERROR");
    pb::KeyValue* err = tags->Add();
    err->set_key("error");
    err->set_v_type(pb::BOOL);
    err->set_v_bool(true);
  }
  if (!b.spans.status_message[i].empty()) {
    AddString(tags, "otel.status_description", b.spans.status_message[i]);
  }
  if (!b.spans.trace_state[i].empty()) AddString(tags, "w3c.tracestate", b.spans.trace_state[i]);

  model::Range events = b.spans.events[i];
  for (uint32_t k = events.begin; k < events.end(); ++k) {
    const model::Event& e = b.events[k];
    pb::Log* log = s->add_logs();
    SetTimestamp(e.time_unix_nano, log->mutable_timestamp());
    bool has_event_attr = false;
    for (uint32_t a = e.attributes.begin; a < e.attributes.end(); ++a) {
      if (b.key_values[a].key == "event") has_event_attr = true;
    }
    if (!e.name.empty() && !has_event_attr) AddString(log->mutable_fields(), "event", e.name);
    AddAttributes(b, e.attributes, log->mutable_fields());
  }
}

}  // namespace

std::vector<pb::PostSpansRequest> ToApiV2(const model::SpanBatch& batch) {
  std::vector<pb::PostSpansRequest> out;
  std::unordered_map<uint32_t, size_t> by_resource;
  for (uint32_t i = 0; i < batch.span_count(); ++i) {
    uint32_t resource = batch.scopes[batch.spans.scope[i]].resource;
    auto [it, inserted] = by_resource.emplace(resource, out.size());
    if (inserted) {
      out.emplace_back();
      FillProcess(batch, batch.resources[resource], out.back().mutable_batch()->mutable_process());
    }
    FillSpan(batch, i, out[it->second].mutable_batch()->add_spans());
  }
  return out;
}

}  // namespace th::exporter::jaeger

#include "query/metrics/internal/span_fields.h"

#include "common/strings.h"
#include "model/ids.h"
#include "query/search/search_result.h"
#include "query/search/trace_summary.h"

namespace th::query::metrics::internal {
namespace {

using model::KeyValue;
using model::Range;
using model::SpanBatch;

const model::AnyValue* FindIn(const SpanBatch& b, Range r, std::string_view key) {
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    if (b.key_values[i].key == key) return &b.key_values[i].value;
  }
  return nullptr;
}

exec::Value FromFound(const SpanBatch& b, const model::AnyValue* v) {
  return v == nullptr ? exec::Value::Nil() : exec::FromAny(b, *v);
}

exec::Value SpanAttr(const SpanBatch& b, uint32_t s, std::string_view key) {
  return FromFound(b, FindIn(b, b.spans.attributes[s], key));
}

exec::Value ResourceAttr(const SpanBatch& b, uint32_t s, std::string_view key) {
  const model::Scope& scope = b.scopes[b.spans.scope[s]];
  return FromFound(b, FindIn(b, b.resources[scope.resource].attributes, key));
}

exec::Value ScopeAttr(const SpanBatch& b, uint32_t s, std::string_view key) {
  return FromFound(b, FindIn(b, b.scopes[b.spans.scope[s]].attributes, key));
}

exec::Value EventAttr(const SpanBatch& b, uint32_t s, std::string_view key) {
  Range events = b.spans.events[s];
  for (uint32_t e = events.begin; e < events.end(); ++e) {
    exec::Value v = FromFound(b, FindIn(b, b.events[e].attributes, key));
    if (!v.IsNil()) return v;
  }
  return exec::Value::Nil();
}

exec::Value LinkAttr(const SpanBatch& b, uint32_t s, std::string_view key) {
  Range links = b.spans.links[s];
  for (uint32_t l = links.begin; l < links.end(); ++l) {
    exec::Value v = FromFound(b, FindIn(b, b.links[l].attributes, key));
    if (!v.IsNil()) return v;
  }
  return exec::Value::Nil();
}

exec::Value Intrinsic(const SpanBatch& b, uint32_t s, traceql::Intrinsic i, TraceFacts* facts) {
  using traceql::Intrinsic;
  switch (i) {
    case Intrinsic::kDuration:
      return exec::Value::Duration(
          static_cast<int64_t>(b.spans.end_time_unix_nano[s] - b.spans.start_time_unix_nano[s]));
    case Intrinsic::kName:
      return exec::Value::String(b.spans.name[s]);
    case Intrinsic::kStatus:
      return exec::Value::Status(exec::StatusOrdinal(b.spans.status_code[s]));
    case Intrinsic::kStatusMessage:
      return exec::Value::String(b.spans.status_message[s]);
    case Intrinsic::kKind:
      return exec::Value::Kind(exec::KindOrdinal(b.spans.kind[s]));
    case Intrinsic::kSpanId:
      return exec::Value::String(facts->Keep(model::ToHex(b.spans.span_id[s].View())));
    case Intrinsic::kParentId:
      if (b.spans.parent_span_id[s].IsZero()) return exec::Value::Nil();
      return exec::Value::String(facts->Keep(model::ToHex(b.spans.parent_span_id[s].View())));
    case Intrinsic::kChildCount: {
      int64_t n = 0;
      for (size_t j = 0; j < b.span_count(); ++j) {
        if (b.spans.parent_span_id[j] == b.spans.span_id[s]) ++n;
      }
      return exec::Value::Int(n);
    }
    case Intrinsic::kTraceDuration:
      return exec::Value::Duration(facts->duration_nanos());
    case Intrinsic::kTraceRootName:
      return exec::Value::String(facts->root_name());
    case Intrinsic::kTraceRootService:
      return exec::Value::String(facts->root_service());
    case Intrinsic::kTraceId:
      return exec::Value::String(facts->trace_id_hex());
    case Intrinsic::kEventName: {
      Range events = b.spans.events[s];
      if (events.count == 0) return exec::Value::Nil();
      return exec::Value::String(b.events[events.begin].name);
    }
    case Intrinsic::kEventTimeSinceStart: {
      Range events = b.spans.events[s];
      if (events.count == 0) return exec::Value::Nil();
      return exec::Value::Duration(static_cast<int64_t>(b.events[events.begin].time_unix_nano -
                                                        b.spans.start_time_unix_nano[s]));
    }
    case Intrinsic::kLinkTraceId:
    case Intrinsic::kLinkSpanId: {
      Range links = b.spans.links[s];
      if (links.count == 0) return exec::Value::Nil();
      const model::Link& l = b.links[links.begin];
      return exec::Value::String(facts->Keep(i == Intrinsic::kLinkTraceId
                                                 ? TrimmedTraceIdHex(l.trace_id)
                                                 : model::ToHex(l.span_id.View())));
    }
    case Intrinsic::kInstrumentationName:
      return exec::Value::String(b.scopes[b.spans.scope[s]].name);
    case Intrinsic::kInstrumentationVersion:
      return exec::Value::String(b.scopes[b.spans.scope[s]].version);
    case Intrinsic::kNone:
    case Intrinsic::kNestedSetLeft:
    case Intrinsic::kNestedSetRight:
    case Intrinsic::kNestedSetParent:
    case Intrinsic::kParent:
      break;
  }
  return exec::Value::Nil();
}

}  // namespace

void TraceFacts::Reset(const model::SpanBatch& trace) {
  trace_ = &trace;
  computed_ = false;
}

void TraceFacts::Compute() {
  if (computed_) return;
  computed_ = true;
  if (trace_ == nullptr || trace_->span_count() == 0) return;
  TraceSummary summary = SummarizeTrace(trace_->spans.trace_id[0], *trace_);
  root_service_ = summary.root_service_name;
  root_name_ = summary.root_span_name;
  duration_ = static_cast<int64_t>(summary.duration_nanos());
  trace_id_hex_ = TrimmedTraceIdHex(summary.id);
}

std::string_view TraceFacts::Keep(std::string s) {
  scratch_ = std::move(s);
  return scratch_;
}

std::string_view TraceFacts::root_service() {
  Compute();
  return root_service_;
}
std::string_view TraceFacts::root_name() {
  Compute();
  return root_name_;
}
int64_t TraceFacts::duration_nanos() {
  Compute();
  return duration_;
}
std::string_view TraceFacts::trace_id_hex() {
  Compute();
  return trace_id_hex_;
}

exec::Value LookupField(const model::SpanBatch& trace, uint32_t span,
                        const traceql::Attribute& attribute, TraceFacts* facts) {
  if (attribute.IsIntrinsic()) return Intrinsic(trace, span, attribute.intrinsic, facts);
  const std::string& key = attribute.name;
  switch (attribute.scope) {
    case traceql::Scope::kSpan:
      return SpanAttr(trace, span, key);
    case traceql::Scope::kResource:
      return ResourceAttr(trace, span, key);
    case traceql::Scope::kEvent:
      return EventAttr(trace, span, key);
    case traceql::Scope::kLink:
      return LinkAttr(trace, span, key);
    case traceql::Scope::kInstrumentation:
      return ScopeAttr(trace, span, key);
    case traceql::Scope::kTrace:
      return exec::Value::Nil();
    case traceql::Scope::kNone:
      break;
  }
  for (auto* lookup : {&SpanAttr, &ResourceAttr, &EventAttr, &LinkAttr, &ScopeAttr}) {
    exec::Value v = lookup(trace, span, key);
    if (!v.IsNil()) return v;
  }
  return exec::Value::Nil();
}

std::optional<double> MetricNumber(const exec::Value& v) {
  switch (v.kind) {
    case exec::ValueKind::kInt:
      return static_cast<double>(v.i);
    case exec::ValueKind::kFloat:
      return v.f;
    case exec::ValueKind::kDuration:
      return static_cast<double>(v.i) / 1e9;
    default:
      return std::nullopt;
  }
}

void ForEachCompareField(const model::SpanBatch& b, uint32_t s,
                         const std::function<void(std::string_view, const exec::Value&)>& fn) {
  fn("name", exec::Value::String(b.spans.name[s]));
  fn("status", exec::Value::Status(exec::StatusOrdinal(b.spans.status_code[s])));
  fn("kind", exec::Value::Kind(exec::KindOrdinal(b.spans.kind[s])));
  if (!b.spans.status_message[s].empty()) {
    fn("statusMessage", exec::Value::String(b.spans.status_message[s]));
  }
  std::string label;
  auto each = [&](std::string_view prefix, Range r) {
    for (uint32_t i = r.begin; i < r.end(); ++i) {
      exec::Value v = exec::FromAny(b, b.key_values[i].value);
      if (v.IsNil() || v.kind == exec::ValueKind::kDuration) continue;
      label.assign(prefix);
      label.append(b.key_values[i].key);
      fn(label, v);
    }
  };
  each("span.", b.spans.attributes[s]);
  each("resource.", b.resources[b.scopes[b.spans.scope[s]].resource].attributes);
}

}  // namespace th::query::metrics::internal

// Jaeger → SpanBatch translation, after the Collector's contrib pkg/translator/jaeger
// (jthrift_to_traces.go and protogen_to_traces.go), summarised in reference §2.7:
//   * one resource per distinct process: service.name from serviceName (not the placeholder
//     OTLPResourceNoServiceName), process tags as attributes, `hostname` → `host.name` when that
//     is absent, `jaeger.version` → `opencensus.exporterversion` = "Jaeger-<v>";
//   * scope from the span tags otel.scope.name/version (older: otel.library.name/version);
//   * tags become attributes with their types (BINARY as a base64 string); duplicate keys keep
//     the last value, as pcommon.Map.Put does;
//   * span.kind, w3c.tracestate, error / otel.status_code / otel.status_description and the
//     http.status_code fallback give kind, trace state and status, and are consumed as upstream;
//   * logs become events, the `event` field their name;
//   * parent: Thrift parentSpanId, or (our addition, for clients that leave it 0) the first
//     same-trace CHILD_OF reference; api_v2 by jaeger's ParentSpanID() rule. Every other
//     reference becomes a link with attribute opentracing.ref_type.
//   * flags: Jaeger's sampled bit (1) becomes the W3C sampled trace flag. The debug bit (2) is not
//     carried: in W3C trace flags that bit means something else ("random").
#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>
#include <string>
#include <unordered_map>

#include "common/base64.h"
#include "common/strings.h"
#include "ingest/jaeger/internal/jaeger_batch.h"

namespace th::ingest::jaeger {

model::TraceId TraceIdFromHalves(int64_t high, int64_t low) {
  model::TraceId id;
  auto h = static_cast<uint64_t>(high), l = static_cast<uint64_t>(low);
  for (int i = 0; i < 8; ++i) {
    id.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(h >> (56 - 8 * i));
    id.bytes[static_cast<size_t>(8 + i)] = static_cast<uint8_t>(l >> (56 - 8 * i));
  }
  return id;
}

model::SpanId SpanIdFromInt(int64_t v) {
  model::SpanId id;
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) id.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(u >> (56 - 8 * i));
  return id;
}

namespace {

constexpr std::string_view kNoServiceName = "OTLPResourceNoServiceName";

std::string_view Base64(std::string_view in, Arena* arena) {
  if (in.empty()) return {};
  size_t n = Base64EncodedSize(in.size());
  char* out = arena->Allocate(n);
  Base64EncodeTo(in, out);
  return {out, n};
}

model::AnyValue StringValue(std::string_view s) {
  model::AnyValue v;
  v.type = model::ValueType::kString;
  v.bytes = s;
  return v;
}

// An attribute list with pcommon.Map semantics: Put replaces the value of an existing key in
// place; Remove keeps the order of the rest. Small lists are searched linearly; long ones (hostile
// input can carry thousands of tags) through a hash index.
class AttrBuilder {
 public:
  void Reset() {
    kvs_.clear();
    index_.clear();
    indexed_ = false;
  }

  const model::AnyValue* Get(std::string_view key) {
    int64_t i = Find(key);
    return i < 0 ? nullptr : &kvs_[static_cast<size_t>(i)].value;
  }

  void Put(std::string_view key, const model::AnyValue& value) {
    int64_t i = Find(key);
    if (i >= 0) {
      kvs_[static_cast<size_t>(i)].value = value;
      return;
    }
    kvs_.push_back(model::KeyValue{key, value});
    if (indexed_) index_.emplace(key, static_cast<uint32_t>(kvs_.size() - 1));
  }

  bool Remove(std::string_view key) {
    int64_t i = Find(key);
    if (i < 0) return false;
    kvs_.erase(kvs_.begin() + i);
    index_.clear();
    indexed_ = false;
    return true;
  }

  // Renames `from` to `to` in place.
  void Rename(std::string_view from, std::string_view to) {
    int64_t i = Find(from);
    if (i < 0) return;
    kvs_[static_cast<size_t>(i)].key = to;
    index_.clear();
    indexed_ = false;
  }

  // Appends the list to `out` and returns its range there.
  model::Range AppendTo(std::vector<model::KeyValue>* out) const {
    model::Range r{static_cast<uint32_t>(out->size()), static_cast<uint32_t>(kvs_.size())};
    out->insert(out->end(), kvs_.begin(), kvs_.end());
    return r;
  }

 private:
  static constexpr size_t kLinearLimit = 16;

  int64_t Find(std::string_view key) {
    if (kvs_.size() <= kLinearLimit) {
      for (size_t i = 0; i < kvs_.size(); ++i) {
        if (kvs_[i].key == key) return static_cast<int64_t>(i);
      }
      return -1;
    }
    if (!indexed_) {
      index_.clear();
      for (size_t i = 0; i < kvs_.size(); ++i) index_.emplace(kvs_[i].key, static_cast<uint32_t>(i));
      indexed_ = true;
    }
    auto it = index_.find(key);
    return it == index_.end() ? -1 : static_cast<int64_t>(it->second);
  }

  std::vector<model::KeyValue> kvs_;
  std::unordered_map<std::string_view, uint32_t> index_;
  bool indexed_ = false;
};

// pcommon.Value.Str(): the string of a string value, "" for any other type.
std::string_view Str(const model::AnyValue* v) {
  return v != nullptr && v->type == model::ValueType::kString ? v->bytes : std::string_view();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

int32_t KindFromTag(std::string_view v) {
  if (v == "client") return model::kSpanKindClient;
  if (v == "server") return model::kSpanKindServer;
  if (v == "producer") return model::kSpanKindProducer;
  if (v == "consumer") return model::kSpanKindConsumer;
  if (v == "internal") return model::kSpanKindInternal;
  return model::kSpanKindUnspecified;
}

class Translator {
 public:
  Translator(const JaegerBatch& in, model::SpanBatch* out) : in_(in), out_(out) {}

  TranslateResult Run() {
    for (const JSpan& s : in_.spans) {
      if (s.blank) continue;
      if (s.trace_id.IsZero() || s.span_id.IsZero()) {
        ++result_.rejected_spans;
        if (result_.rejection_message.empty()) {
          result_.rejection_message = th::StrCat(
              "span ", model::ToHex(s.span_id.View()), " of trace ",
              model::ToHex(s.trace_id.View()), ": ",
              s.trace_id.IsZero() ? "trace id is all zero" : "span id is all zero");
        }
        continue;
      }
      TranslateSpan(s);
    }
    Emit();
    return std::move(result_);
  }

 private:
  struct ScopeKey {
    uint32_t resource;
    std::string_view name;
    std::string_view version;
    friend bool operator==(const ScopeKey&, const ScopeKey&) = default;
  };
  struct ScopeKeyHash {
    size_t operator()(const ScopeKey& k) const {
      std::hash<std::string_view> h;
      return h(k.name) * 31 + h(k.version) * 17 + k.resource;
    }
  };
  struct Pending {
    model::SpanRow row;
    uint32_t scope;  // index into scope_keys_
  };

  model::AnyValue TagValue(const JTag& t) {
    model::AnyValue v;
    switch (t.type) {
      case kTagString: return StringValue(t.v_str);
      case kTagBool:
        v.type = model::ValueType::kBool;
        v.bool_value = t.v_bool;
        return v;
      case kTagLong:
        v.type = model::ValueType::kInt;
        v.int_value = t.v_long;
        return v;
      case kTagDouble:
        v.type = model::ValueType::kDouble;
        v.double_value = t.v_double;
        return v;
      case kTagBinary: return StringValue(Base64(t.v_binary, &out_->arena));
      default:
        return StringValue(
            out_->arena.Copy(th::StrCat("<Unknown Jaeger TagType ", t.type, ">")));
    }
  }

  void PutTags(model::Range tags, AttrBuilder* b) {
    for (uint32_t i = tags.begin; i < tags.end(); ++i) {
      const JTag& t = in_.tags[i];
      b->Put(t.key, TagValue(t));
    }
  }

  uint32_t ResourceFor(const JSpan& s) {
    const JProcess* p = nullptr;
    static const JProcess kEmpty;
    if (s.process != kBatchProcess) {
      p = &in_.processes[s.process];
    } else if (in_.has_batch_process) {
      p = &in_.batch_process;
    } else {
      p = &kEmpty;
    }
    auto it = resource_by_identity_.find(p->identity);
    if (it != resource_by_identity_.end()) return it->second;
    attrs_.Reset();
    if (!p->service_name.empty() && p->service_name != kNoServiceName) {
      attrs_.Put("service.name", StringValue(p->service_name));
    }
    PutTags(p->tags, &attrs_);
    if (attrs_.Get("hostname") != nullptr && attrs_.Get("host.name") == nullptr) {
      std::string_view host = Str(attrs_.Get("hostname"));
      attrs_.Remove("hostname");
      attrs_.Put("host.name", StringValue(host));
    }
    if (const model::AnyValue* v = attrs_.Get("jaeger.version");
        v != nullptr && attrs_.Get("opencensus.exporterversion") == nullptr) {
      std::string_view version =
          out_->arena.Copy(th::StrCat("Jaeger-", Str(v)));
      attrs_.Remove("jaeger.version");
      attrs_.Put("opencensus.exporterversion", StringValue(version));
    }
    model::Resource r;
    r.attributes = attrs_.AppendTo(&out_->key_values);
    auto index = static_cast<uint32_t>(out_->resources.size());
    out_->resources.push_back(r);
    resource_by_identity_.emplace(p->identity, index);
    return index;
  }

  // http.status_code as an integer (int, or a string of digits); false otherwise.
  static bool HttpStatus(const model::AnyValue* v, int64_t* code) {
    if (v->type == model::ValueType::kInt) {
      *code = v->int_value;
      return true;
    }
    if (v->type != model::ValueType::kString) return false;
    std::string_view s = v->bytes;
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *code);
    return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
  }

  // setInternalSpanStatus, with the kind already known (so 4xx on a SERVER span stays unset).
  void SetStatus(model::SpanRow* row) {
    int32_t code = model::kStatusUnset;
    std::string_view message;
    bool exists = false;
    auto take_description = [&](std::string_view* out) {
      const model::AnyValue* d = attrs_.Get("otel.status_description");
      if (d == nullptr) return false;
      *out = Str(d);
      attrs_.Remove("otel.status_description");
      return true;
    };
    const model::AnyValue* err = attrs_.Get("error");
    if (err != nullptr && err->type == model::ValueType::kBool && err->bool_value) {
      code = model::kStatusError;
      attrs_.Remove("error");
      exists = true;
      if (!take_description(&message)) message = Str(attrs_.Get("http.status_message"));
    }
    if (const model::AnyValue* c = attrs_.Get("otel.status_code"); c != nullptr) {
      if (!exists) {
        exists = true;
        std::string_view s = Str(c);
        if (EqualsIgnoreCase(s, "OK")) {
          code = model::kStatusOk;
        } else if (EqualsIgnoreCase(s, "ERROR")) {
          code = model::kStatusError;
        }
        take_description(&message);
      }
      attrs_.Remove("otel.status_code");
    } else if (const model::AnyValue* h = attrs_.Get("http.status_code"); !exists && h) {
      int64_t http = 0;
      if (HttpStatus(h, &http)) {
        int32_t from_http = model::kStatusError;
        if (http >= 400 && http <= 499 && row->kind == model::kSpanKindServer) {
          from_http = model::kStatusUnset;
        } else if (http >= 100 && http < 399) {
          from_http = model::kStatusUnset;
        }
        if (from_http != model::kStatusUnset) {
          exists = true;
          code = from_http;
        }
        message = Str(attrs_.Get("http.status_message"));
      }
    }
    if (exists) {
      row->status_code = code;
      row->status_message = message;
    }
  }

  void TranslateSpan(const JSpan& s) {
    Pending p;
    model::SpanRow& row = p.row;
    row.trace_id = s.trace_id;
    row.span_id = s.span_id;
    row.name = s.operation_name;
    row.flags = s.flags & 1u;
    row.start_time_unix_nano = s.start_unix_nano;
    row.end_time_unix_nano = s.start_unix_nano + s.duration_nano;
    uint32_t resource = ResourceFor(s);

    attrs_.Reset();
    PutTags(s.tags, &attrs_);
    ScopeKey scope{resource, {}, {}};
    const char* name_key = attrs_.Get("otel.scope.name") != nullptr ? "otel.scope.name"
                           : attrs_.Get("otel.library.name") != nullptr ? "otel.library.name"
                                                                        : nullptr;
    if (name_key != nullptr) {
      bool newer = name_key[5] == 's';
      const char* version_key = newer ? "otel.scope.version" : "otel.library.version";
      scope.name = Str(attrs_.Get(name_key));
      attrs_.Remove(name_key);
      if (const model::AnyValue* v = attrs_.Get(version_key); v != nullptr) {
        scope.version = Str(v);
        attrs_.Remove(version_key);
      }
    }
    if (const model::AnyValue* k = attrs_.Get("span.kind"); k != nullptr) {
      row.kind = KindFromTag(Str(k));
      attrs_.Remove("span.kind");
    }
    SetStatus(&row);
    if (const model::AnyValue* ts = attrs_.Get("w3c.tracestate"); ts != nullptr) {
      row.trace_state = Str(ts);
      attrs_.Remove("w3c.tracestate");
    }
    row.attributes = attrs_.AppendTo(&out_->key_values);

    // Parent and links.
    model::SpanId parent;
    if (in_.format == WireFormat::kThrift) {
      parent = s.parent_span_id;
      if (parent.IsZero()) {
        for (uint32_t i = s.refs.begin; i < s.refs.end(); ++i) {
          const JRef& r = in_.refs[i];
          if (r.type == kRefChildOf && r.trace_id == s.trace_id) {
            parent = r.span_id;
            break;
          }
        }
      }
    } else {
      const JRef* follows = nullptr;
      for (uint32_t i = s.refs.begin; i < s.refs.end(); ++i) {
        const JRef& r = in_.refs[i];
        if (r.trace_id != s.trace_id) continue;
        if (r.type == kRefChildOf) {
          parent = r.span_id;
          follows = nullptr;
          break;
        }
        if (follows == nullptr && r.type == kRefFollowsFrom) follows = &r;
      }
      if (follows != nullptr && parent.IsZero()) parent = follows->span_id;
    }
    row.parent_span_id = parent;
    row.links.begin = static_cast<uint32_t>(out_->links.size());
    for (uint32_t i = s.refs.begin; i < s.refs.end(); ++i) {
      const JRef& r = in_.refs[i];
      if (r.type == kRefChildOf && r.span_id == parent) continue;
      model::Link link;
      link.trace_id = r.trace_id;
      link.span_id = r.span_id;
      link.attributes = {static_cast<uint32_t>(out_->key_values.size()), 1};
      out_->key_values.push_back(model::KeyValue{
          "opentracing.ref_type", StringValue(r.type == kRefChildOf ? "child_of" : "follows_from")});
      out_->links.push_back(link);
    }
    row.links.count = static_cast<uint32_t>(out_->links.size()) - row.links.begin;

    // Logs → events. Event attribute slices are appended before the event list itself, which
    // stays contiguous.
    row.events.begin = static_cast<uint32_t>(out_->events.size());
    for (uint32_t i = s.logs.begin; i < s.logs.end(); ++i) {
      const JLog& log = in_.logs[i];
      model::Event e;
      e.time_unix_nano = log.time_unix_nano;
      attrs_.Reset();
      PutTags(log.fields, &attrs_);
      if (const model::AnyValue* n = attrs_.Get("event"); n != nullptr) {
        e.name = Str(n);
        attrs_.Remove("event");
      }
      e.attributes = attrs_.AppendTo(&out_->key_values);
      out_->events.push_back(e);
    }
    row.events.count = static_cast<uint32_t>(out_->events.size()) - row.events.begin;

    auto [it, inserted] =
        scope_index_.emplace(scope, static_cast<uint32_t>(scope_keys_.size()));
    if (inserted) scope_keys_.push_back(scope);
    p.scope = it->second;
    pending_.push_back(p);
  }

  // Scopes ordered by resource (first-seen order within each), spans by scope, so the encoders
  // see one run per resource and per scope.
  void Emit() {
    std::vector<uint32_t> order(scope_keys_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return scope_keys_[a].resource < scope_keys_[b].resource;
    });
    std::vector<uint32_t> final_index(scope_keys_.size());
    for (uint32_t i = 0; i < order.size(); ++i) {
      const ScopeKey& k = scope_keys_[order[i]];
      final_index[order[i]] = i;
      model::Scope s;
      s.resource = k.resource;
      s.name = k.name;
      s.version = k.version;
      out_->scopes.push_back(s);
    }
    std::stable_sort(pending_.begin(), pending_.end(), [&](const Pending& a, const Pending& b) {
      return final_index[a.scope] < final_index[b.scope];
    });
    out_->spans.Reserve(pending_.size());
    for (Pending& p : pending_) {
      p.row.scope = final_index[p.scope];
      out_->AppendSpan(p.row);
    }
  }

  const JaegerBatch& in_;
  model::SpanBatch* out_;
  TranslateResult result_;
  AttrBuilder attrs_;
  std::unordered_map<std::string_view, uint32_t> resource_by_identity_;
  std::unordered_map<ScopeKey, uint32_t, ScopeKeyHash> scope_index_;
  std::vector<ScopeKey> scope_keys_;
  std::vector<Pending> pending_;
};

}  // namespace

TranslateResult TranslateToSpanBatch(const JaegerBatch& in, model::SpanBatch* out) {
  return Translator(in, out).Run();
}

}  // namespace th::ingest::jaeger

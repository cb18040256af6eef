#include "ingest/zipkin/internal/translate.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "common/strings.h"
#include "ingest/zipkin/internal/text.h"
#include "model/ids.h"

namespace th::ingest::zipkin {
namespace {

using model::KeyValue;
using model::Range;
using model::SpanBatch;
using model::ValueType;

constexpr std::string_view kNoServiceName = "OTLPResourceNoServiceName";
constexpr std::string_view kServiceName = "service.name";
constexpr std::string_view kServiceNameSource = "otlp.service.name.source";
constexpr std::string_view kLibraryName = "otel.library.name";
constexpr std::string_view kLibraryVersion = "otel.library.version";
constexpr std::string_view kScopeName = "otel.scope.name";
constexpr std::string_view kScopeVersion = "otel.scope.version";
constexpr std::string_view kTraceState = "w3c.tracestate";
constexpr std::string_view kSpanKind = "span.kind";
constexpr std::string_view kStatusCode = "otel.status_code";
constexpr std::string_view kStatusDescription = "otel.status_description";
constexpr std::string_view kError = "error";
constexpr std::string_view kStartTimeAbsent = "otel.zipkin.absentField.startTime";
constexpr std::string_view kLocalAddress = "network.local.address";
constexpr std::string_view kHostPort = "net.host.port";
constexpr std::string_view kPeerService = "peer.service";
constexpr std::string_view kPeerAddress = "network.peer.address";
constexpr std::string_view kPeerPort = "net.peer.port";
constexpr int kMaxLinks = 128;

// The Collector's resource semantic-convention keys (getResourceSemanticConventionAttributeNames)
// plus the OpenCensus resource keys it adds: moved from a group's first span onto the resource,
// dropped from every span.
constexpr std::string_view kResourceKeys[] = {
    "cloud.provider", "cloud.account.id", "cloud.region", "cloud.availability_zone",
    "cloud.platform", "aws.ecs.container.arn", "aws.ecs.cluster.arn", "aws.ecs.launchtype",
    "aws.ecs.task.arn", "aws.ecs.task.family", "aws.ecs.task.revision", "aws.eks.cluster.arn",
    "aws.log.group.names", "aws.log.group.arns", "aws.log.stream.names", "aws.log.stream.arns",
    "container.name", "container.id", "container.runtime", "container.image.name",
    "container.image.tag", "deployment.environment", "device.id", "device.model.identifier",
    "device.model.name", "device.manufacturer", "faas.name", "faas.id", "faas.version",
    "faas.instance", "faas.max_memory", "host.id", "host.name", "host.type", "host.arch",
    "host.image.name", "host.image.id", "host.image.version", "k8s.cluster.name",
    "k8s.node.name", "k8s.node.uid", "k8s.namespace.name", "k8s.pod.uid", "k8s.pod.name",
    "k8s.container.name", "k8s.container.restart_count", "k8s.replicaset.uid",
    "k8s.replicaset.name", "k8s.deployment.uid", "k8s.deployment.name", "k8s.statefulset.uid",
    "k8s.statefulset.name", "k8s.daemonset.uid", "k8s.daemonset.name", "k8s.job.uid",
    "k8s.job.name", "k8s.cronjob.uid", "k8s.cronjob.name", "os.type", "os.description",
    "os.name", "os.version", "process.pid", "process.executable.name",
    "process.executable.path", "process.command", "process.command_line",
    "process.command_args", "process.owner", "process.runtime.name", "process.runtime.version",
    "process.runtime.description", "service.name", "service.namespace", "service.instance.id",
    "service.version", "telemetry.sdk.name", "telemetry.sdk.language", "telemetry.sdk.version",
    "telemetry.auto.version", "webengine.name", "webengine.version", "webengine.description",
    "opencensus.starttime", "opencensus.exporterversion", "opencensus.resourcetype"};

// Keys never copied to span attributes: the resource keys and the scope/resource control tags.
const std::vector<std::string_view>& NonSpanKeys() {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> k(std::begin(kResourceKeys), std::end(kResourceKeys));
    k.insert(k.end(), {kServiceNameSource, kLibraryName, kLibraryVersion, kScopeName,
                       kScopeVersion});
    std::sort(k.begin(), k.end());
    k.erase(std::unique(k.begin(), k.end()), k.end());
    return k;
  }();
  return keys;
}

bool IsNonSpanKey(std::string_view key) {
  const auto& keys = NonSpanKeys();
  return std::binary_search(keys.begin(), keys.end(), key);
}

const std::array<std::string, kMaxLinks>& LinkKeys() {
  static const std::array<std::string, kMaxLinks> keys = [] {
    std::array<std::string, kMaxLinks> k;
    for (int i = 0; i < kMaxLinks; ++i) k[i] = th::StrCat("otlp.link.", i);
    return k;
  }();
  return keys;
}

// A span's tags as a map: the last of duplicate keys wins (as a Go map built from JSON or a
// protobuf map does), sorted by key for lookup; `order` keeps the wire position for output.
struct WorkTag {
  std::string_view key;
  std::string_view value;
  uint32_t order = 0;
  bool consumed = false;
};

class TagSet {
 public:
  void Reset(const SpanList& list, Range range) {
    tags_.clear();
    for (uint32_t i = 0; i < range.count; ++i) {
      const Tag& t = list.tags[range.begin + i];
      tags_.push_back({t.key, t.value, i, false});
    }
    // Ordered by (key, wire position), so the last of a run of equal keys is the last sent.
    // std::sort, unlike std::stable_sort, needs no temporary buffer: no allocation per span.
    std::sort(tags_.begin(), tags_.end(), [](const WorkTag& a, const WorkTag& b) {
      return a.key != b.key ? a.key < b.key : a.order < b.order;
    });
    // Keep the last of each run of equal keys.
    size_t out = 0;
    for (size_t i = 0; i < tags_.size(); ++i) {
      if (i + 1 < tags_.size() && tags_[i + 1].key == tags_[i].key) continue;
      tags_[out++] = tags_[i];
    }
    tags_.resize(out);
  }

  bool empty() const { return tags_.empty(); }

  // The live (not consumed) tag named `key`, or nullptr.
  WorkTag* Find(std::string_view key) {
    auto it = std::lower_bound(tags_.begin(), tags_.end(), key,
                               [](const WorkTag& t, std::string_view k) { return t.key < k; });
    if (it == tags_.end() || it->key != key || it->consumed) return nullptr;
    return &*it;
  }

  // Removes and returns the value of `key`; false when absent.
  bool Take(std::string_view key, std::string_view* value) {
    WorkTag* t = Find(key);
    if (t == nullptr) return false;
    t->consumed = true;
    *value = t->value;
    return true;
  }

  // The live tags in wire order.
  void Remaining(std::vector<const WorkTag*>* out) const {
    out->clear();
    for (const WorkTag& t : tags_) {
      if (!t.consumed) out->push_back(&t);
    }
    std::sort(out->begin(), out->end(),
              [](const WorkTag* a, const WorkTag* b) { return a->order < b->order; });
  }

 private:
  std::vector<WorkTag> tags_;
};

// The last value of `key` among a span's raw tags, or empty.
std::string_view RawTag(const SpanList& list, const Span& span, std::string_view key) {
  std::string_view value;
  for (uint32_t i = 0; i < span.tags.count; ++i) {
    const Tag& t = list.tags[span.tags.begin + i];
    if (t.key == key) value = t.value;
  }
  return value;
}

std::string_view ServiceOf(const Span& span) {
  return span.local_endpoint.service_name.empty() ? kNoServiceName
                                                  : span.local_endpoint.service_name;
}

// Instrumentation scope name of a span: otel.scope.name, else otel.library.name.
std::string_view LibraryOf(const SpanList& list, const Span& span) {
  std::string_view scope = RawTag(list, span, kScopeName);
  return scope.empty() ? RawTag(list, span, kLibraryName) : scope;
}

int32_t StatusCodeFromTag(std::string_view value) {
  // The Collector's table is {STATUS_CODE_UNSET, STATUS_CODE_OK, STATUS_CODE_ERROR, Unset, Ok,
  // Error}, unknown values giving UNSET; we also accept other letter cases.
  std::string_view v = value;
  if (v.size() > 12 && EqualsIgnoreCase(v.substr(0, 12), "STATUS_CODE_")) v.remove_prefix(12);
  if (EqualsIgnoreCase(v, "OK")) return model::kStatusOk;
  if (EqualsIgnoreCase(v, "ERROR")) return model::kStatusError;
  return model::kStatusUnset;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// parse_string_tags: the Collector's DetermineValueType regular expressions, in its order.
model::AnyValue TypedValue(std::string_view v, bool parse) {
  model::AnyValue out;
  out.type = ValueType::kString;
  out.bytes = v;
  if (!parse || v.empty()) return out;
  std::string_view digits = v.front() == '-' ? v.substr(1) : v;
  if (IsDigits(digits)) {  // ^-?\d+$
    int64_t i = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), i);
    if (ec == std::errc::result_out_of_range) {
      // Go's strconv.ParseInt saturates on overflow, and the Collector ignores the error.
      i = v.front() == '-' ? std::numeric_limits<int64_t>::min()
                           : std::numeric_limits<int64_t>::max();
    }
    (void)end;
    out.type = ValueType::kInt;
    out.int_value = i;
    return out;
  }
  size_t dot = digits.find('.');
  if (dot != std::string_view::npos && IsDigits(digits.substr(0, dot)) &&
      IsDigits(digits.substr(dot + 1))) {  // ^-?\d+\.\d+$
    double d = 0;
    std::from_chars(v.data(), v.data() + v.size(), d);
    out.type = ValueType::kDouble;
    out.double_value = d;
    return out;
  }
  if (v == "true" || v == "false") {
    out.type = ValueType::kBool;
    out.bool_value = v == "true";
  }
  return out;
}

model::AnyValue StringValue(std::string_view s) {
  model::AnyValue v;
  v.type = ValueType::kString;
  v.bytes = s;
  return v;
}

model::AnyValue IntValue(int64_t i) {
  model::AnyValue v;
  v.type = ValueType::kInt;
  v.int_value = i;
  return v;
}

// Sets `key` among the attributes `*range`, which must be the last entries of the pool.
void Upsert(SpanBatch* batch, Range* range, std::string_view key, const model::AnyValue& value) {
  for (uint32_t i = range->begin; i < range->end(); ++i) {
    if (batch->key_values[i].key == key) {
      batch->key_values[i].value = value;
      return;
    }
  }
  batch->key_values.push_back({key, value});
  ++range->count;
}

// Parses a JSON object of attributes as the Collector's jsonMapToAttributeMap does: strings,
// booleans, and numbers (integral ones as int); other values are skipped; the last of duplicate
// keys wins. Keys come out sorted (Go's map order is random). Strings are copied into the arena.
class JsonAttributes {
 public:
  // False when `json` is not a JSON object or null.
  bool Parse(std::string_view json, SpanBatch* batch, Range* out) {
    *out = {};
    simdjson::dom::element root;
    if (parser_.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) return false;
    if (root.is_null()) return true;
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS) return false;
    scratch_.clear();
    for (simdjson::dom::key_value_pair field : object) {
      model::AnyValue v;
      simdjson::dom::element e = field.value;
      switch (e.type()) {
        case simdjson::dom::element_type::STRING:
          v = StringValue(batch->arena.Copy(e.get_string().value_unsafe()));
          break;
        case simdjson::dom::element_type::BOOL:
          v.type = ValueType::kBool;
          v.bool_value = e.get_bool().value_unsafe();
          break;
        case simdjson::dom::element_type::INT64:
          v = IntValue(e.get_int64().value_unsafe());
          break;
        case simdjson::dom::element_type::UINT64:
          v.type = ValueType::kDouble;
          v.double_value = static_cast<double>(e.get_uint64().value_unsafe());
          break;
        case simdjson::dom::element_type::DOUBLE: {
          double d = e.get_double().value_unsafe();
          if (std::trunc(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
            v = IntValue(static_cast<int64_t>(d));
          } else {
            v.type = ValueType::kDouble;
            v.double_value = d;
          }
          break;
        }
        default:
          continue;
      }
      scratch_.push_back({batch->arena.Copy(field.key), v});
    }
    std::stable_sort(scratch_.begin(), scratch_.end(),
                     [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });
    out->begin = static_cast<uint32_t>(batch->key_values.size());
    for (size_t i = 0; i < scratch_.size(); ++i) {
      if (i + 1 < scratch_.size() && scratch_[i + 1].key == scratch_[i].key) continue;
      batch->key_values.push_back(scratch_[i]);
      ++out->count;
    }
    return true;
  }

 private:
  simdjson::dom::parser parser_;
  std::vector<KeyValue> scratch_;
};

// Splits `s` on '|'.
void SplitBars(std::string_view s, std::vector<std::string_view>* parts) {
  parts->clear();
  size_t start = 0;
  while (true) {
    size_t bar = s.find('|', start);
    if (bar == std::string_view::npos) {
      parts->push_back(s.substr(start));
      return;
    }
    parts->push_back(s.substr(start, bar - start));
    start = bar + 1;
  }
}

// The bytes of parts [first, last] of a '|'-split `s`, bars included: the Collector rejoins the
// middle parts of a link or annotation with '|' to get its JSON.
std::string_view Join(const std::vector<std::string_view>& parts, size_t first, size_t last) {
  const char* begin = parts[first].data();
  const char* end = parts[last].data() + parts[last].size();
  return {begin, static_cast<size_t>(end - begin)};
}

bool ParseUint32(std::string_view s, uint32_t* out) {
  if (s.empty() || s.front() == '+') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// The Collector's unmarshalJSON for link ids: optional surrounding quotes, empty means zero,
// otherwise exactly 2N hex digits.
template <size_t N>
bool ParseLinkId(std::string_view s, model::Id<N>* out) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  *out = {};
  if (s.empty()) return true;
  std::optional<model::Id<N>> id;
  if constexpr (N == 16) {
    id = model::TraceIdFromHex(s);
  } else {
    id = model::SpanIdFromHex(s);
  }
  if (!id) return false;
  *out = *id;
  return true;
}

class Translator {
 public:
  Translator(const SpanList& list, const DecodeOptions& options, SpanBatch* batch)
      : list_(list), options_(options), batch_(batch) {}

  Status Run() {
    const size_t n = list_.spans.size();
    // Group keys, computed once per span.
    std::vector<std::pair<std::string_view, std::string_view>> keys(n);
    std::vector<uint32_t> order(n);
    for (size_t i = 0; i < n; ++i) {
      keys[i] = {ServiceOf(list_.spans[i]), LibraryOf(list_, list_.spans[i])};
      order[i] = static_cast<uint32_t>(i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&keys](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });

    batch_->spans.Reserve(batch_->spans.size() + n);
    bool first = true;
    bool scope_is_new = true;
    std::string_view service;
    std::string_view library;
    for (uint32_t i : order) {
      const Span& span = list_.spans[i];
      tags_.Reset(list_, span.tags);
      if (first || keys[i].first != service) {
        first = false;
        service = keys[i].first;
        AddResource(service);
        scope_is_new = true;
      }
      if (scope_is_new || keys[i].second != library) {
        scope_is_new = false;
        library = keys[i].second;
        AddScope(library);
      }
      RETURN_IF_ERROR(AddSpan(span));
    }
    return absl::OkStatus();
  }

 private:
  Status Error(const Span& span, std::string_view what) const {
    return absl::InvalidArgumentError(th::StrCat("span ", span.index, ": ", what));
  }

  void AddResource(std::string_view service) {
    batch_->resources.emplace_back();
    model::Resource& resource = batch_->resources.back();
    resource.attributes.begin = static_cast<uint32_t>(batch_->key_values.size());
    if (service == kNoServiceName) return;
    std::string_view source;
    tags_.Take(kServiceNameSource, &source);
    Upsert(batch_, &resource.attributes, source.empty() ? kServiceName : source,
           StringValue(service));
    for (std::string_view key : kResourceKeys) {
      std::string_view value;
      if (tags_.Take(key, &value)) Upsert(batch_, &resource.attributes, key, StringValue(value));
    }
  }

  void AddScope(std::string_view library) {
    batch_->scopes.emplace_back();
    model::Scope& scope = batch_->scopes.back();
    scope.resource = static_cast<uint32_t>(batch_->resources.size() - 1);
    scope.attributes.begin = static_cast<uint32_t>(batch_->key_values.size());
    if (library.empty()) return;
    scope.name = library;
    std::string_view version;
    if (!tags_.Take(kScopeVersion, &version)) tags_.Take(kLibraryVersion, &version);
    scope.version = version;
  }

  Status AddSpan(const Span& span) {
    model::SpanColumns& s = batch_->spans;
    const uint32_t i = s.AppendDefault();
    s.scope[i] = static_cast<uint32_t>(batch_->scopes.size() - 1);
    s.trace_id[i] = span.trace_id;
    s.span_id[i] = span.id;
    if (!span.parent_id.IsZero() && span.parent_id != span.id) s.parent_span_id[i] = span.parent_id;
    tags_.Take(kTraceState, &s.trace_state[i]);
    s.name[i] = span.name;
    std::string_view value;
    switch (span.kind) {
      case Kind::kClient:
        s.kind[i] = model::kSpanKindClient;
        break;
      case Kind::kServer:
        s.kind[i] = model::kSpanKindServer;
        break;
      case Kind::kProducer:
        s.kind[i] = model::kSpanKindProducer;
        break;
      case Kind::kConsumer:
        s.kind[i] = model::kSpanKindConsumer;
        break;
      case Kind::kUnspecified:
        if (tags_.Take(kSpanKind, &value) && value == "internal") {
          s.kind[i] = model::kSpanKindInternal;
        }
        break;
    }
    if (tags_.Take(kStatusCode, &value)) {
      s.status_code[i] = StatusCodeFromTag(value);
      tags_.Take(kStatusDescription, &s.status_message[i]);
    }
    if (WorkTag* error = tags_.Find(kError)) {
      s.status_code[i] = model::kStatusError;
      if (error->value == "true") error->consumed = true;
    }

    // Link tags are consumed before the attributes are written, their content parsed after, so
    // the span's attributes stay the last entries of the pool while endpoints are upserted.
    link_values_.clear();
    for (int l = 0; l < kMaxLinks; ++l) {
      if (!tags_.Take(LinkKeys()[l], &value)) break;
      link_values_.push_back(value);
    }

    Range attributes;
    attributes.begin = static_cast<uint32_t>(batch_->key_values.size());
    tags_.Remaining(&remaining_);
    for (const WorkTag* t : remaining_) {
      if (IsNonSpanKey(t->key)) continue;
      batch_->key_values.push_back({t->key, TypedValue(t->value, options_.parse_string_tags)});
      ++attributes.count;
    }
    const Endpoint& local = span.local_endpoint;
    if (!local.ipv4.empty()) Upsert(batch_, &attributes, kLocalAddress, StringValue(local.ipv4));
    if (!local.ipv6.empty()) Upsert(batch_, &attributes, kLocalAddress, StringValue(local.ipv6));
    if (local.port > 0) Upsert(batch_, &attributes, kHostPort, IntValue(local.port));
    const Endpoint& remote = span.remote_endpoint;
    if (!remote.service_name.empty()) {
      Upsert(batch_, &attributes, kPeerService, StringValue(remote.service_name));
    }
    if (!remote.ipv4.empty()) Upsert(batch_, &attributes, kPeerAddress, StringValue(remote.ipv4));
    if (!remote.ipv6.empty()) Upsert(batch_, &attributes, kPeerAddress, StringValue(remote.ipv6));
    if (remote.port > 0) Upsert(batch_, &attributes, kPeerPort, IntValue(remote.port));

    constexpr uint64_t kMaxMicros = std::numeric_limits<uint64_t>::max() / 1000;
    if (span.timestamp_us > kMaxMicros) return Error(span, "timestamp: out of range");
    if (span.duration_us > kMaxMicros) return Error(span, "duration: out of range");
    const uint64_t start = span.timestamp_us * 1000;
    const uint64_t duration = span.duration_us * 1000;
    if (duration > std::numeric_limits<uint64_t>::max() - start) {
      return Error(span, "timestamp + duration: out of range");
    }
    s.start_time_unix_nano[i] = start;
    s.end_time_unix_nano[i] = start + duration;
    if (span.timestamp_us == 0) {
      model::AnyValue absent;
      absent.type = ValueType::kBool;
      absent.bool_value = true;
      Upsert(batch_, &attributes, kStartTimeAbsent, absent);
    }
    s.attributes[i] = attributes;

    RETURN_IF_ERROR(AddLinks(span, i));
    return AddEvents(span, i);
  }

  Status AddLinks(const Span& span, uint32_t i) {
    Range links;
    links.begin = static_cast<uint32_t>(batch_->links.size());
    for (size_t l = 0; l < link_values_.size(); ++l) {
      SplitBars(link_values_[l], &parts_);
      if (parts_.size() < 5) continue;
      auto fail = [&](std::string_view what) {
        return Error(span, th::StrCat("tag ", LinkKeys()[l], ": ", what));
      };
      model::Link link;
      if (!ParseLinkId(parts_[0], &link.trace_id)) return fail("trace id: not 32 hex digits");
      if (!ParseLinkId(parts_[1], &link.span_id)) return fail("span id: not 16 hex digits");
      link.trace_state = parts_[2];
      if (!json_.Parse(Join(parts_, 3, parts_.size() - 2), batch_, &link.attributes)) {
        return fail("attributes: not a JSON object");
      }
      if (!ParseUint32(parts_.back(), &link.dropped_attributes_count)) {
        return fail("dropped attributes count: not a 32-bit unsigned integer");
      }
      batch_->links.push_back(link);
      ++links.count;
    }
    batch_->spans.links[i] = links;
    return absl::OkStatus();
  }

  Status AddEvents(const Span& span, uint32_t i) {
    Range events;
    events.begin = static_cast<uint32_t>(batch_->events.size());
    for (uint32_t a = 0; a < span.annotations.count; ++a) {
      const Annotation& annotation = list_.annotations[span.annotations.begin + a];
      if (annotation.timestamp_us > std::numeric_limits<uint64_t>::max() / 1000) {
        return Error(span, th::StrCat("annotations[", a, "].timestamp: out of range"));
      }
      model::Event event;
      event.time_unix_nano = annotation.timestamp_us * 1000;
      event.name = annotation.value;
      SplitBars(annotation.value, &parts_);
      if (parts_.size() >= 3) {
        const size_t mark = batch_->key_values.size();
        uint32_t dropped = 0;
        if (json_.Parse(Join(parts_, 1, parts_.size() - 2), batch_, &event.attributes) &&
            ParseUint32(parts_.back(), &dropped)) {
          event.name = parts_[0];
          event.dropped_attributes_count = dropped;
        } else {
          batch_->key_values.resize(mark);
          event.attributes = {};
        }
      }
      batch_->events.push_back(event);
      ++events.count;
    }
    batch_->spans.events[i] = events;
    return absl::OkStatus();
  }

  const SpanList& list_;
  const DecodeOptions& options_;
  SpanBatch* batch_;
  TagSet tags_;
  std::vector<const WorkTag*> remaining_;
  std::vector<std::string_view> link_values_;
  std::vector<std::string_view> parts_;
  JsonAttributes json_;
};

}  // namespace

Status Translate(const SpanList& list, const DecodeOptions& options, SpanBatch* batch) {
  Translator translator(list, options, batch);
  return translator.Run();
}

}  // namespace th::ingest::zipkin

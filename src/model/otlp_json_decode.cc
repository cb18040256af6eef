// OTLP/JSON decoder (DecodeOtlpTracesJson). The body is parsed into a simdjson DOM, then walked
// once; every string is copied into the batch's arena because simdjson's views die with its
// parser.
//
// Pool layout: a JSON array of N attributes, events, links or array elements first reserves N
// consecutive slots in its pool and remembers the begin *index*; entry i is decoded into a local
// value and stored in slot begin + i. Nested kvlists and arrays append their own slots past the
// end while that happens, which may reallocate the pool, so nothing here keeps a pointer or a
// reference into a pool across a nested decode.
//
// Errors: the decoder keeps a stack of path segments (`resourceSpans[0]`, `scopeSpans[1]`, ...)
// and renders it only when an error or a rejection needs a message.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/strings/escaping.h>
#include <absl/strings/str_cat.h>
#include <simdjson.h>

#include "model/ids.h"
#include "model/internal/json_path.h"
#include "model/internal/json_scalars.h"
#include "model/internal/otlp_json_schema.h"
#include "model/otlp_decode.h"
#include "model/span_batch.h"

// Inside internal so the schema tables and Path read unqualified.
namespace th::model::internal {
namespace {

namespace dom = simdjson::dom;

// AnyValue nesting (arrays in kvlists in arrays ...) past this depth is refused, so hostile input
// cannot drive the recursion arbitrarily deep.
constexpr int kMaxAnyValueDepth = 64;
// A thread's parser keeps buffers sized for the largest body it saw; past this it is dropped
// after use rather than pinning that memory for the thread's lifetime.
constexpr size_t kParserCapacityToKeep = size_t{16} << 20;
// Range indexes pools with uint32_t.
constexpr size_t kMaxPoolSize = std::numeric_limits<uint32_t>::max();

size_t CountEntries(const dom::array& array) {
  // array.size() saturates at 2^24 - 1, so count by walking, which skips children in O(1).
  size_t n = 0;
  for (auto it = array.begin(); it != array.end(); ++it) ++n;
  return n;
}

// Debian's Abseil is built with its own absl::string_view, which does not convert from
// std::string_view implicitly.
absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }

class Decoder {
 public:
  explicit Decoder(SpanBatch* batch) : batch_(batch) {}

  Status DecodeRequest(const dom::element& root);

  int64_t rejected_spans() const { return rejected_spans_; }
  std::string& rejection_message() { return rejection_message_; }

 private:
  Status Error(std::string_view field, std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(path_.Render(field), ": ", ToAbsl(what)));
  }
  // Turns what a scalar reader found wrong (empty: nothing) into a status naming `field`.
  Status Check(std::string_view field, std::string_view what) const {
    return what.empty() ? absl::OkStatus() : Error(field, what);
  }
  // Keeps the first reason a span is unusable; the span is dropped once fully decoded.
  void Reject(std::string* reason, std::string_view field, std::string_view what) const {
    if (reason->empty()) *reason = absl::StrCat(path_.Render(field), ": ", ToAbsl(what));
  }

  template <typename E, size_t N>
  Status Scan(const dom::element& e, const FieldName (&names)[N], Fields<E>* out) const;

  Status DecodeResourceSpans(const dom::element& e);
  Status DecodeScopeSpans(const dom::element& e, uint32_t resource);
  Status DecodeSpan(const dom::element& e, uint32_t scope);
  Status DecodeStatus(const dom::element& e, uint32_t span);
  Status DecodeEvent(const dom::element& e, Event* out);
  Status DecodeLink(const dom::element& e, Link* out, std::string* reject);
  Status DecodeKeyValue(const dom::element& e, int depth, KeyValue* out);
  Status DecodeAnyValue(const dom::element& e, int depth, AnyValue* out);
  Status DecodeAttributes(const dom::element* e, Range* out) {
    return DecodeRepeated(
        e, "attributes", &batch_->key_values, out,
        [this](const dom::element& item, KeyValue* kv) { return DecodeKeyValue(item, 1, kv); });
  }

  // Decodes the JSON array `e` (field `field` of the current object; nullptr when absent) into
  // consecutive slots of `pool`, and sets `out` to them. `decode_one(element, T*)` fills one.
  template <typename T, typename Fn>
  Status DecodeRepeated(const dom::element* e, std::string_view field, std::vector<T>* pool,
                        Range* out, Fn decode_one);

  Status ReadArray(const dom::element& e, std::string_view field, dom::array* out) const;
  Status ReadString(const dom::element& e, std::string_view field, std::string_view* out);
  Status ReadBool(const dom::element& e, std::string_view field, bool* out) const;
  Status ReadUint32(const dom::element* e, std::string_view field, uint32_t* out) const;
  Status ReadTime(const dom::element* e, std::string_view field, uint64_t* out) const;
  template <size_t N>
  Status ReadEnum(const dom::element* e, std::string_view field, const EnumName (&names)[N],
                  int32_t* out) const;
  Status ReadBytes(const dom::element& e, std::string_view field, std::string_view* out);
  // Reads a hex id. A wrong JSON type fails the request; a bad value only rejects the span, by
  // setting `reject`. `optional`: missing or empty means "not set" (all zero) and is fine.
  template <size_t N>
  Status ReadId(const dom::element* e, std::string_view field, bool optional, Id<N>* out,
                std::string* reject) const;

  SpanBatch* batch_;
  Path path_;
  std::string scratch_;  // decoded base64, reused
  std::vector<uint32_t> rejected_;
  int64_t rejected_spans_ = 0;
  std::string rejection_message_;
};

template <typename E, size_t N>
Status Decoder::Scan(const dom::element& e, const FieldName (&names)[N], Fields<E>* out) const {
  static_assert(N == Fields<E>::kSize, "name table and field enum differ");
  dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) return Error("", "expected an object");
  for (dom::key_value_pair field : object) {
    // Unknown keys are skipped: OTLP receivers must ignore fields they do not know.
    for (size_t i = 0; i < N; ++i) {
      if (field.key != names[i].camel && field.key != names[i].snake) continue;
      if (out->seen[i]) return Error(names[i].camel, "set more than once");
      out->seen[i] = true;
      if (!field.value.is_null()) {
        out->value[i] = field.value;
        out->present[i] = true;
      }
      break;
    }
  }
  return absl::OkStatus();
}

Status Decoder::DecodeRequest(const dom::element& root) {
  Fields<RequestField> f;
  RETURN_IF_ERROR(Scan(root, kRequestFields, &f));
  if (const dom::element* e = f[RequestField::kResourceSpans]) {
    dom::array array;
    RETURN_IF_ERROR(ReadArray(*e, "resourceSpans", &array));
    int64_t i = 0;
    for (dom::element item : array) {
      PathScope p(&path_, "resourceSpans", i++);
      RETURN_IF_ERROR(DecodeResourceSpans(item));
    }
  }
  if (!rejected_.empty()) {
    std::vector<bool> keep(batch_->spans.size(), true);
    for (uint32_t i : rejected_) keep[i] = false;
    batch_->spans.Compact(keep);
  }
  return absl::OkStatus();
}

Status Decoder::DecodeResourceSpans(const dom::element& e) {
  Fields<ResourceSpansField> f;
  RETURN_IF_ERROR(Scan(e, kResourceSpansFields, &f));
  if (batch_->resources.size() >= kMaxPoolSize) return Error("", "too many resources");
  auto index = static_cast<uint32_t>(batch_->resources.size());
  batch_->resources.emplace_back();
  Resource resource;
  if (const dom::element* r = f[ResourceSpansField::kResource]) {
    PathScope p(&path_, "resource");
    Fields<AttributedField> rf;
    RETURN_IF_ERROR(Scan(*r, kAttributedFields, &rf));
    RETURN_IF_ERROR(DecodeAttributes(rf[AttributedField::kAttributes], &resource.attributes));
    RETURN_IF_ERROR(ReadUint32(rf[AttributedField::kDroppedAttributesCount],
                               "droppedAttributesCount", &resource.dropped_attributes_count));
  }
  if (const dom::element* s = f[ResourceSpansField::kSchemaUrl]) {
    RETURN_IF_ERROR(ReadString(*s, "schemaUrl", &resource.schema_url));
  }
  batch_->resources[index] = resource;
  if (const dom::element* s = f[ResourceSpansField::kScopeSpans]) {
    dom::array array;
    RETURN_IF_ERROR(ReadArray(*s, "scopeSpans", &array));
    int64_t i = 0;
    for (dom::element item : array) {
      PathScope p(&path_, "scopeSpans", i++);
      RETURN_IF_ERROR(DecodeScopeSpans(item, index));
    }
  }
  return absl::OkStatus();
}

Status Decoder::DecodeScopeSpans(const dom::element& e, uint32_t resource) {
  Fields<ScopeSpansField> f;
  RETURN_IF_ERROR(Scan(e, kScopeSpansFields, &f));
  if (batch_->scopes.size() >= kMaxPoolSize) return Error("", "too many scopes");
  auto index = static_cast<uint32_t>(batch_->scopes.size());
  batch_->scopes.emplace_back();
  Scope scope;
  scope.resource = resource;
  if (const dom::element* s = f[ScopeSpansField::kScope]) {
    PathScope p(&path_, "scope");
    Fields<AttributedField> sf;
    RETURN_IF_ERROR(Scan(*s, kAttributedFields, &sf));
    if (const dom::element* n = sf[AttributedField::kName]) {
      RETURN_IF_ERROR(ReadString(*n, "name", &scope.name));
    }
    if (const dom::element* v = sf[AttributedField::kVersion]) {
      RETURN_IF_ERROR(ReadString(*v, "version", &scope.version));
    }
    RETURN_IF_ERROR(DecodeAttributes(sf[AttributedField::kAttributes], &scope.attributes));
    RETURN_IF_ERROR(ReadUint32(sf[AttributedField::kDroppedAttributesCount],
                               "droppedAttributesCount", &scope.dropped_attributes_count));
  }
  if (const dom::element* s = f[ScopeSpansField::kSchemaUrl]) {
    RETURN_IF_ERROR(ReadString(*s, "schemaUrl", &scope.schema_url));
  }
  batch_->scopes[index] = scope;
  if (const dom::element* s = f[ScopeSpansField::kSpans]) {
    dom::array array;
    RETURN_IF_ERROR(ReadArray(*s, "spans", &array));
    int64_t i = 0;
    for (dom::element item : array) {
      PathScope p(&path_, "spans", i++);
      RETURN_IF_ERROR(DecodeSpan(item, index));
    }
  }
  return absl::OkStatus();
}

Status Decoder::DecodeSpan(const dom::element& e, uint32_t scope) {
  Fields<SpanField> f;
  RETURN_IF_ERROR(Scan(e, kSpanFields, &f));
  // Everything this span appends to the pools lies past these marks; a rejected span gives it back.
  const size_t key_values_mark = batch_->key_values.size();
  const size_t array_values_mark = batch_->array_values.size();
  const size_t events_mark = batch_->events.size();
  const size_t links_mark = batch_->links.size();

  SpanColumns& s = batch_->spans;
  const uint32_t i = s.AppendDefault();
  s.scope[i] = scope;
  std::string reject;
  RETURN_IF_ERROR(ReadId(f[SpanField::kTraceId], "traceId", false, &s.trace_id[i], &reject));
  RETURN_IF_ERROR(ReadId(f[SpanField::kSpanId], "spanId", false, &s.span_id[i], &reject));
  RETURN_IF_ERROR(
      ReadId(f[SpanField::kParentSpanId], "parentSpanId", true, &s.parent_span_id[i], &reject));
  if (const dom::element* v = f[SpanField::kTraceState]) {
    RETURN_IF_ERROR(ReadString(*v, "traceState", &s.trace_state[i]));
  }
  RETURN_IF_ERROR(ReadUint32(f[SpanField::kFlags], "flags", &s.flags[i]));
  if (const dom::element* v = f[SpanField::kName]) {
    RETURN_IF_ERROR(ReadString(*v, "name", &s.name[i]));
  }
  RETURN_IF_ERROR(ReadEnum(f[SpanField::kKind], "kind", kSpanKindNames, &s.kind[i]));
  RETURN_IF_ERROR(
      ReadTime(f[SpanField::kStartTimeUnixNano], "startTimeUnixNano", &s.start_time_unix_nano[i]));
  RETURN_IF_ERROR(
      ReadTime(f[SpanField::kEndTimeUnixNano], "endTimeUnixNano", &s.end_time_unix_nano[i]));
  // The column vectors do not grow while this span decodes, so pointers into them are stable.
  RETURN_IF_ERROR(DecodeAttributes(f[SpanField::kAttributes], &s.attributes[i]));
  RETURN_IF_ERROR(ReadUint32(f[SpanField::kDroppedAttributesCount], "droppedAttributesCount",
                             &s.dropped_attributes_count[i]));
  RETURN_IF_ERROR(DecodeRepeated(
      f[SpanField::kEvents], "events", &batch_->events, &s.events[i],
      [this](const dom::element& item, Event* event) { return DecodeEvent(item, event); }));
  RETURN_IF_ERROR(ReadUint32(f[SpanField::kDroppedEventsCount], "droppedEventsCount",
                             &s.dropped_events_count[i]));
  RETURN_IF_ERROR(DecodeRepeated(f[SpanField::kLinks], "links", &batch_->links, &s.links[i],
                                 [this, &reject](const dom::element& item, Link* link) {
                                   return DecodeLink(item, link, &reject);
                                 }));
  RETURN_IF_ERROR(
      ReadUint32(f[SpanField::kDroppedLinksCount], "droppedLinksCount", &s.dropped_links_count[i]));
  if (const dom::element* v = f[SpanField::kStatus]) {
    PathScope p(&path_, "status");
    RETURN_IF_ERROR(DecodeStatus(*v, i));
  }

  if (!reject.empty()) {
    batch_->key_values.resize(key_values_mark);
    batch_->array_values.resize(array_values_mark);
    batch_->events.resize(events_mark);
    batch_->links.resize(links_mark);
    rejected_.push_back(i);
    ++rejected_spans_;
    if (rejection_message_.empty()) rejection_message_ = std::move(reject);
  }
  return absl::OkStatus();
}

Status Decoder::DecodeStatus(const dom::element& e, uint32_t span) {
  Fields<StatusField> f;
  RETURN_IF_ERROR(Scan(e, kStatusFields, &f));
  if (const dom::element* v = f[StatusField::kMessage]) {
    RETURN_IF_ERROR(ReadString(*v, "message", &batch_->spans.status_message[span]));
  }
  return ReadEnum(f[StatusField::kCode], "code", kStatusCodeNames,
                  &batch_->spans.status_code[span]);
}

Status Decoder::DecodeEvent(const dom::element& e, Event* out) {
  Fields<EventField> f;
  RETURN_IF_ERROR(Scan(e, kEventFields, &f));
  RETURN_IF_ERROR(ReadTime(f[EventField::kTimeUnixNano], "timeUnixNano", &out->time_unix_nano));
  if (const dom::element* v = f[EventField::kName]) {
    RETURN_IF_ERROR(ReadString(*v, "name", &out->name));
  }
  RETURN_IF_ERROR(DecodeAttributes(f[EventField::kAttributes], &out->attributes));
  return ReadUint32(f[EventField::kDroppedAttributesCount], "droppedAttributesCount",
                    &out->dropped_attributes_count);
}

Status Decoder::DecodeLink(const dom::element& e, Link* out, std::string* reject) {
  Fields<LinkField> f;
  RETURN_IF_ERROR(Scan(e, kLinkFields, &f));
  RETURN_IF_ERROR(ReadId(f[LinkField::kTraceId], "traceId", false, &out->trace_id, reject));
  RETURN_IF_ERROR(ReadId(f[LinkField::kSpanId], "spanId", false, &out->span_id, reject));
  if (const dom::element* v = f[LinkField::kTraceState]) {
    RETURN_IF_ERROR(ReadString(*v, "traceState", &out->trace_state));
  }
  RETURN_IF_ERROR(DecodeAttributes(f[LinkField::kAttributes], &out->attributes));
  RETURN_IF_ERROR(ReadUint32(f[LinkField::kDroppedAttributesCount], "droppedAttributesCount",
                             &out->dropped_attributes_count));
  return ReadUint32(f[LinkField::kFlags], "flags", &out->flags);
}

Status Decoder::DecodeKeyValue(const dom::element& e, int depth, KeyValue* out) {
  Fields<KeyValueField> f;
  RETURN_IF_ERROR(Scan(e, kKeyValueFields, &f));
  if (const dom::element* k = f[KeyValueField::kKey]) {
    RETURN_IF_ERROR(ReadString(*k, "key", &out->key));
  }
  if (const dom::element* v = f[KeyValueField::kValue]) {
    PathScope p(&path_, "value");
    RETURN_IF_ERROR(DecodeAnyValue(*v, depth, &out->value));
  }
  return absl::OkStatus();
}

Status Decoder::DecodeAnyValue(const dom::element& e, int depth, AnyValue* out) {
  if (depth > kMaxAnyValueDepth) {
    return Error("", absl::StrCat("values nested more than ", kMaxAnyValueDepth, " deep"));
  }
  Fields<ValueField> f;
  RETURN_IF_ERROR(Scan(e, kValueFields, &f));
  if (f.present.count() > 1) {
    return Error("",
                 "more than one of stringValue, boolValue, intValue, doubleValue, "
                 "arrayValue, kvlistValue, bytesValue is set");
  }
  if (const dom::element* v = f[ValueField::kString]) {
    out->type = ValueType::kString;
    return ReadString(*v, "stringValue", &out->bytes);
  }
  if (const dom::element* v = f[ValueField::kBool]) {
    out->type = ValueType::kBool;
    return ReadBool(*v, "boolValue", &out->bool_value);
  }
  if (const dom::element* v = f[ValueField::kInt]) {
    out->type = ValueType::kInt;
    return Check("intValue", ReadSigned(*v, std::numeric_limits<int64_t>::min(),
                                        std::numeric_limits<int64_t>::max(), &out->int_value));
  }
  if (const dom::element* v = f[ValueField::kDouble]) {
    out->type = ValueType::kDouble;
    return Check("doubleValue", ReadDouble(*v, &out->double_value));
  }
  if (const dom::element* v = f[ValueField::kBytes]) {
    out->type = ValueType::kBytes;
    return ReadBytes(*v, "bytesValue", &out->bytes);
  }
  if (const dom::element* v = f[ValueField::kArray]) {
    out->type = ValueType::kArray;
    PathScope p(&path_, "arrayValue");
    Fields<ListField> lf;
    RETURN_IF_ERROR(Scan(*v, kListFields, &lf));
    return DecodeRepeated(lf[ListField::kValues], "values", &batch_->array_values, &out->range,
                          [this, depth](const dom::element& item, AnyValue* value) {
                            return DecodeAnyValue(item, depth + 1, value);
                          });
  }
  if (const dom::element* v = f[ValueField::kKvList]) {
    out->type = ValueType::kKvList;
    PathScope p(&path_, "kvlistValue");
    Fields<ListField> lf;
    RETURN_IF_ERROR(Scan(*v, kListFields, &lf));
    return DecodeRepeated(lf[ListField::kValues], "values", &batch_->key_values, &out->range,
                          [this, depth](const dom::element& item, KeyValue* kv) {
                            return DecodeKeyValue(item, depth + 1, kv);
                          });
  }
  out->type = ValueType::kEmpty;
  return absl::OkStatus();
}

template <typename T, typename Fn>
Status Decoder::DecodeRepeated(const dom::element* e, std::string_view field, std::vector<T>* pool,
                               Range* out, Fn decode_one) {
  *out = {};
  if (e == nullptr) return absl::OkStatus();
  dom::array array;
  RETURN_IF_ERROR(ReadArray(*e, field, &array));
  // Sized from the entries actually present, each at least a byte of the body.
  const size_t n = CountEntries(array);
  if (n > kMaxPoolSize - pool->size()) return Error(field, "too many entries in one request");
  const auto begin = static_cast<uint32_t>(pool->size());
  pool->resize(pool->size() + n);
  uint32_t i = 0;
  for (dom::element item : array) {
    PathScope p(&path_, field, i);
    T value{};
    RETURN_IF_ERROR(decode_one(item, &value));
    (*pool)[begin + i] = value;
    ++i;
  }
  *out = {begin, static_cast<uint32_t>(n)};
  return absl::OkStatus();
}

Status Decoder::ReadArray(const dom::element& e, std::string_view field, dom::array* out) const {
  if (e.get_array().get(*out) != simdjson::SUCCESS) return Error(field, "expected an array");
  return absl::OkStatus();
}

Status Decoder::ReadString(const dom::element& e, std::string_view field, std::string_view* out) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return Error(field, "expected a string");
  *out = batch_->arena.Copy(s);
  return absl::OkStatus();
}

Status Decoder::ReadBool(const dom::element& e, std::string_view field, bool* out) const {
  if (e.get_bool().get(*out) != simdjson::SUCCESS) return Error(field, "expected true or false");
  return absl::OkStatus();
}

Status Decoder::ReadUint32(const dom::element* e, std::string_view field, uint32_t* out) const {
  if (e == nullptr) return absl::OkStatus();
  uint64_t v = 0;
  RETURN_IF_ERROR(Check(field, ReadUnsigned(*e, std::numeric_limits<uint32_t>::max(), &v)));
  *out = static_cast<uint32_t>(v);
  return absl::OkStatus();
}

Status Decoder::ReadTime(const dom::element* e, std::string_view field, uint64_t* out) const {
  if (e == nullptr) return absl::OkStatus();
  return Check(field, ReadUnsigned(*e, std::numeric_limits<uint64_t>::max(), out));
}

template <size_t N>
Status Decoder::ReadEnum(const dom::element* e, std::string_view field, const EnumName (&names)[N],
                         int32_t* out) const {
  if (e == nullptr) return absl::OkStatus();
  if (e->is_string()) {
    std::string_view s;
    if (e->get_string().get(s) != simdjson::SUCCESS) return Error(field, "expected a string");
    for (const EnumName& n : names) {
      if (n.name == s) {
        *out = n.value;
        return absl::OkStatus();
      }
    }
    // Bounded: a hostile name is not echoed whole.
    return Error(field, absl::StrCat("unknown enum value name \"",
                                     absl::CHexEscape(ToAbsl(s.substr(0, 64))), "\""));
  }
  if (!e->is_number()) return Error(field, "expected an enum value name or an integer");
  // Integers outside the known names are kept: they may come from a newer OTLP.
  int64_t v = 0;
  RETURN_IF_ERROR(Check(field, ReadSigned(*e, std::numeric_limits<int32_t>::min(),
                                          std::numeric_limits<int32_t>::max(), &v)));
  *out = static_cast<int32_t>(v);
  return absl::OkStatus();
}

Status Decoder::ReadBytes(const dom::element& e, std::string_view field, std::string_view* out) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return Error(field, "expected a base64 string");
  // proto3 JSON writes standard base64 and accepts the URL-safe alphabet too.
  if (!absl::Base64Unescape(ToAbsl(s), &scratch_) &&
      !absl::WebSafeBase64Unescape(ToAbsl(s), &scratch_)) {
    return Error(field, "invalid base64");
  }
  *out = batch_->arena.Copy(scratch_);
  return absl::OkStatus();
}

template <size_t N>
Status Decoder::ReadId(const dom::element* e, std::string_view field, bool optional, Id<N>* out,
                       std::string* reject) const {
  constexpr std::string_view kTraceIdMessage = "must be 32 hex digits";
  constexpr std::string_view kSpanIdMessage = "must be 16 hex digits";
  const std::string_view wrong_length = N == TraceId::kSize ? kTraceIdMessage : kSpanIdMessage;
  std::string_view hex;
  if (e != nullptr && e->get_string().get(hex) != simdjson::SUCCESS) {
    return Error(field, "expected a hex string");
  }
  if (hex.empty()) {
    if (!optional) Reject(reject, field, wrong_length);
    return absl::OkStatus();
  }
  std::optional<Id<N>> id;
  if constexpr (N == TraceId::kSize) {
    id = TraceIdFromHex(hex);
  } else {
    id = SpanIdFromHex(hex);
  }
  if (!id) {
    Reject(reject, field, optional ? "must be empty or 16 hex digits" : wrong_length);
    return absl::OkStatus();
  }
  if (!optional && id->IsZero()) {
    Reject(reject, field, "must not be all zero");
    return absl::OkStatus();
  }
  *out = *id;
  return absl::OkStatus();
}

// Shrinks the thread's parser after a large body, whatever way the decode ends.
class ParserTrim {
 public:
  explicit ParserTrim(dom::parser* parser) : parser_(parser) {}
  ~ParserTrim() {
    if (parser_->capacity() > kParserCapacityToKeep) *parser_ = dom::parser();
  }
  ParserTrim(const ParserTrim&) = delete;
  ParserTrim& operator=(const ParserTrim&) = delete;

 private:
  dom::parser* parser_;
};

}  // namespace
}  // namespace th::model::internal

namespace th::model {

Result<DecodedTraces> DecodeOtlpTracesJson(std::string_view body, std::string_view tenant) {
  thread_local simdjson::dom::parser parser;
  internal::ParserTrim trim(&parser);
  simdjson::dom::element root;
  // parse() copies the body into a padded buffer, so `body` needs no SIMDJSON_PADDING.
  if (simdjson::error_code err = parser.parse(body.data(), body.size()).get(root);
      err != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("request: invalid json: ", simdjson::error_message(err)));
  }
  DecodedTraces out;
  out.batch = std::make_unique<SpanBatch>();
  out.batch->tenant = std::string(tenant);
  internal::Decoder decoder(out.batch.get());
  RETURN_IF_ERROR(decoder.DecodeRequest(root));
  out.rejected_spans = decoder.rejected_spans();
  out.rejection_message = std::move(decoder.rejection_message());
  return out;
}

}  // namespace th::model

// Hand-written OTLP protobuf decoder: wire bytes straight into SpanBatch columns, with string
// views into the adopted request body (no copies, no per-span heap allocation). Field numbers
// follow proto/opentelemetry/proto/{common,resource,trace}/v1/*.proto.
#include <string>
#include <vector>

#include "common/protobuf_wire.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "model/otlp_decode.h"

namespace th::model {
namespace {

using wire::Reader;

constexpr int kMaxValueDepth = 64;

class ProtoDecoder {
 public:
  explicit ProtoDecoder(SpanBatch* batch) : b_(batch) {}

  Status DecodeRequest(std::string_view data) {
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("export request");
      if (field == 1 && wt == wire::kLen) {
        std::string_view sub;
        if (!r.ReadLen(&sub)) return Malformed("resource_spans");
        ++rs_;
        ss_ = -1;
        sp_ = -1;
        RETURN_IF_ERROR(DecodeResourceSpans(sub));
      } else if (!r.Skip(wt)) {
        return Malformed("export request");
      }
    }
    if (!keep_.empty()) b_->spans.Compact(keep_);
    return absl::OkStatus();
  }

  int64_t rejected() const { return rejected_; }
  std::string& rejection_message() { return rejection_message_; }

 private:
  // Where in the request the decoder is, for error messages.
  std::string Path() const {
    std::string p;
    if (rs_ >= 0) th::StrAppend(&p, "resource_spans[", rs_, "]");
    if (ss_ >= 0) th::StrAppend(&p, ".scope_spans[", ss_, "]");
    if (sp_ >= 0) th::StrAppend(&p, ".spans[", sp_, "]");
    return p;
  }

  Status Malformed(std::string_view what) const {
    std::string path = Path();
    return absl::InvalidArgumentError(th::StrCat("malformed protobuf in ",
                                                 path.empty() ? "" : path + ": ", what,
                                                 " (truncated, bad length or bad wire type)"));
  }

  Status Invalid(std::string_view field, std::string_view what) const {
    std::string path = Path();
    return absl::InvalidArgumentError(th::StrCat(path, path.empty() ? "" : ".", field, ": ", what));
  }

  // Reads a string field and checks it is UTF-8. `suffix` is appended to `field` in the error
  // message only, so the hot path builds no strings.
  Status ReadString(Reader& r, std::string_view field, std::string_view* out,
                    std::string_view suffix = {}) {
    if (!r.ReadLen(out)) return Malformed(th::StrCat(field, suffix));
    if (!IsValidUtf8(*out)) {
      return Invalid(th::StrCat(field, suffix), "invalid UTF-8");
    }
    return absl::OkStatus();
  }

  void RejectSpan(uint32_t index, std::string_view field, std::string_view why) {
    if (keep_.empty()) keep_.assign(b_->spans.size(), true);
    keep_.resize(b_->spans.size(), true);
    if (keep_[index]) {
      keep_[index] = false;
      ++rejected_;
      if (rejection_message_.empty()) {
        rejection_message_ = th::StrCat(Path(), ".", field, ": ", why);
      }
    }
  }

  Status DecodeResourceSpans(std::string_view data) {
    auto resource_index = static_cast<uint32_t>(b_->resources.size());
    b_->resources.emplace_back();
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("resource_spans");
      std::string_view sub;
      if (field == 1 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("resource");
        RETURN_IF_ERROR(DecodeResource(sub, resource_index));
        b_->resources[resource_index].wire = sub;
      } else if (field == 2 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("scope_spans");
        ++ss_;
        sp_ = -1;
        RETURN_IF_ERROR(DecodeScopeSpans(sub, resource_index));
      } else if (field == 3 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, "schema_url", &sub));
        b_->resources[resource_index].schema_url = sub;
      } else if (!r.Skip(wt)) {
        return Malformed("resource_spans");
      }
    }
    return absl::OkStatus();
  }

  Status DecodeResource(std::string_view data, uint32_t resource_index) {
    size_t mark = scratch_.size();
    uint32_t dropped = 0;
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("resource");
      if (field == 1 && wt == wire::kLen) {
        std::string_view sub;
        if (!r.ReadLen(&sub)) return Malformed("resource.attributes");
        scratch_.push_back(sub);
      } else if (field == 2 && wt == wire::kVarint) {
        uint64_t v;
        if (!r.ReadVarint(&v)) return Malformed("resource.dropped_attributes_count");
        dropped = static_cast<uint32_t>(v);
      } else if (!r.Skip(wt)) {
        return Malformed("resource");
      }
    }
    Range attrs;
    RETURN_IF_ERROR(DecodeKeyValues(mark, "resource.attributes", 0, &attrs));
    b_->resources[resource_index].attributes = attrs;
    b_->resources[resource_index].dropped_attributes_count = dropped;
    return absl::OkStatus();
  }

  Status DecodeScopeSpans(std::string_view data, uint32_t resource_index) {
    auto scope_index = static_cast<uint32_t>(b_->scopes.size());
    b_->scopes.emplace_back();
    b_->scopes[scope_index].resource = resource_index;
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("scope_spans");
      std::string_view sub;
      if (field == 1 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("scope");
        RETURN_IF_ERROR(DecodeScope(sub, scope_index));
        b_->scopes[scope_index].wire = sub;
      } else if (field == 2 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("spans");
        ++sp_;
        RETURN_IF_ERROR(DecodeSpan(sub, scope_index));
      } else if (field == 3 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, "schema_url", &sub));
        b_->scopes[scope_index].schema_url = sub;
      } else if (!r.Skip(wt)) {
        return Malformed("scope_spans");
      }
    }
    sp_ = -1;
    return absl::OkStatus();
  }

  Status DecodeScope(std::string_view data, uint32_t scope_index) {
    size_t mark = scratch_.size();
    Scope s = b_->scopes[scope_index];
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("scope");
      std::string_view sub;
      uint64_t v;
      if (field == 1 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, "scope.name", &s.name));
      } else if (field == 2 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, "scope.version", &s.version));
      } else if (field == 3 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("scope.attributes");
        scratch_.push_back(sub);
      } else if (field == 4 && wt == wire::kVarint) {
        if (!r.ReadVarint(&v)) return Malformed("scope.dropped_attributes_count");
        s.dropped_attributes_count = static_cast<uint32_t>(v);
      } else if (!r.Skip(wt)) {
        return Malformed("scope");
      }
    }
    RETURN_IF_ERROR(DecodeKeyValues(mark, "scope.attributes", 0, &s.attributes));
    b_->scopes[scope_index] = s;
    return absl::OkStatus();
  }

  // Reads an id field: `size` bytes, or empty when `allow_empty`. Returns false (after rejecting
  // the span) when the length is wrong.
  bool ReadId(std::string_view raw, size_t size, bool allow_empty, uint32_t span,
              std::string_view field, uint8_t* out) {
    if (raw.empty() && allow_empty) return true;
    if (raw.size() != size) {
      RejectSpan(span, field, th::StrCat("must be ", size, " bytes, got ", raw.size()));
      return false;
    }
    std::memcpy(out, raw.data(), size);
    return true;
  }

  Status DecodeSpan(std::string_view data, uint32_t scope_index) {
    SpanColumns& c = b_->spans;
    uint32_t i = c.AppendDefault();
    c.scope[i] = scope_index;
    c.wire[i] = data;
    size_t attr_mark = scratch_.size();
    std::string_view trace_id, span_id, parent_id;
    bool saw_trace_id = false, saw_span_id = false;
    size_t n_events = 0, n_links = 0;
    // Collect attribute, event and link views first (they may interleave on the wire), in
    // three contiguous runs: attributes in scratch_, events and links in their own stacks.
    size_t event_mark = event_scratch_.size();
    size_t link_mark = link_scratch_.size();
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("span");
      std::string_view sub;
      uint64_t v;
      uint32_t f32;
      switch (field) {
        case 1:
          if (wt != wire::kLen || !r.ReadLen(&trace_id)) return Malformed("trace_id");
          saw_trace_id = true;
          break;
        case 2:
          if (wt != wire::kLen || !r.ReadLen(&span_id)) return Malformed("span_id");
          saw_span_id = true;
          break;
        case 3:
          if (wt != wire::kLen) return Malformed("trace_state");
          RETURN_IF_ERROR(ReadString(r, "trace_state", &c.trace_state[i]));
          break;
        case 4:
          if (wt != wire::kLen || !r.ReadLen(&parent_id)) return Malformed("parent_span_id");
          break;
        case 5:
          if (wt != wire::kLen) return Malformed("name");
          RETURN_IF_ERROR(ReadString(r, "name", &c.name[i]));
          break;
        case 6:
          if (wt != wire::kVarint || !r.ReadVarint(&v)) return Malformed("kind");
          c.kind[i] = static_cast<int32_t>(v);
          break;
        case 7:
          if (wt != wire::kFixed64 || !r.ReadFixed64(&v)) return Malformed("start_time_unix_nano");
          c.start_time_unix_nano[i] = v;
          break;
        case 8:
          if (wt != wire::kFixed64 || !r.ReadFixed64(&v)) return Malformed("end_time_unix_nano");
          c.end_time_unix_nano[i] = v;
          break;
        case 9:
          if (wt != wire::kLen || !r.ReadLen(&sub)) return Malformed("attributes");
          scratch_.push_back(sub);
          break;
        case 10:
          if (wt != wire::kVarint || !r.ReadVarint(&v))
            return Malformed("dropped_attributes_count");
          c.dropped_attributes_count[i] = static_cast<uint32_t>(v);
          break;
        case 11:
          if (wt != wire::kLen || !r.ReadLen(&sub)) return Malformed("events");
          event_scratch_.push_back(sub);
          ++n_events;
          break;
        case 12:
          if (wt != wire::kVarint || !r.ReadVarint(&v)) return Malformed("dropped_events_count");
          c.dropped_events_count[i] = static_cast<uint32_t>(v);
          break;
        case 13:
          if (wt != wire::kLen || !r.ReadLen(&sub)) return Malformed("links");
          link_scratch_.push_back(sub);
          ++n_links;
          break;
        case 14:
          if (wt != wire::kVarint || !r.ReadVarint(&v)) return Malformed("dropped_links_count");
          c.dropped_links_count[i] = static_cast<uint32_t>(v);
          break;
        case 15:
          if (wt != wire::kLen || !r.ReadLen(&sub)) return Malformed("status");
          RETURN_IF_ERROR(DecodeStatus(sub, i));
          break;
        case 16:
          if (wt != wire::kFixed32 || !r.ReadFixed32(&f32)) return Malformed("flags");
          c.flags[i] = f32;
          break;
        default:
          if (!r.Skip(wt)) return Malformed("span");
      }
    }
    if (!saw_trace_id || trace_id.empty()) {
      RejectSpan(i, "trace_id", "missing");
    } else if (ReadId(trace_id, 16, false, i, "trace_id", c.trace_id[i].bytes.data()) &&
               c.trace_id[i].IsZero()) {
      RejectSpan(i, "trace_id", "must not be all zero");
    }
    if (!saw_span_id || span_id.empty()) {
      RejectSpan(i, "span_id", "missing");
    } else if (ReadId(span_id, 8, false, i, "span_id", c.span_id[i].bytes.data()) &&
               c.span_id[i].IsZero()) {
      RejectSpan(i, "span_id", "must not be all zero");
    }
    ReadId(parent_id, 8, true, i, "parent_span_id", c.parent_span_id[i].bytes.data());

    Range attrs;
    RETURN_IF_ERROR(DecodeKeyValues(attr_mark, "attributes", 0, &attrs));
    c.attributes[i] = attrs;

    Range events{static_cast<uint32_t>(b_->events.size()), static_cast<uint32_t>(n_events)};
    b_->events.resize(events.end());
    for (size_t k = 0; k < n_events; ++k) {
      RETURN_IF_ERROR(DecodeEvent(event_scratch_[event_mark + k], events.begin + k));
    }
    event_scratch_.resize(event_mark);
    c.events[i] = events;

    Range links{static_cast<uint32_t>(b_->links.size()), static_cast<uint32_t>(n_links)};
    b_->links.resize(links.end());
    for (size_t k = 0; k < n_links; ++k) {
      RETURN_IF_ERROR(DecodeLink(link_scratch_[link_mark + k], links.begin + k, i));
    }
    link_scratch_.resize(link_mark);
    c.links[i] = links;
    return absl::OkStatus();
  }

  Status DecodeStatus(std::string_view data, uint32_t i) {
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("status");
      uint64_t v;
      if (field == 2 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, "status.message", &b_->spans.status_message[i]));
      } else if (field == 3 && wt == wire::kVarint) {
        if (!r.ReadVarint(&v)) return Malformed("status.code");
        b_->spans.status_code[i] = static_cast<int32_t>(v);
      } else if (!r.Skip(wt)) {
        return Malformed("status");
      }
    }
    return absl::OkStatus();
  }

  Status DecodeEvent(std::string_view data, size_t slot) {
    size_t mark = scratch_.size();
    Event e;
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("events");
      std::string_view sub;
      uint64_t v;
      if (field == 1 && wt == wire::kFixed64) {
        if (!r.ReadFixed64(&v)) return Malformed("events.time_unix_nano");
        e.time_unix_nano = v;
      } else if (field == 2 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, "events.name", &e.name));
      } else if (field == 3 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("events.attributes");
        scratch_.push_back(sub);
      } else if (field == 4 && wt == wire::kVarint) {
        if (!r.ReadVarint(&v)) return Malformed("events.dropped_attributes_count");
        e.dropped_attributes_count = static_cast<uint32_t>(v);
      } else if (!r.Skip(wt)) {
        return Malformed("events");
      }
    }
    RETURN_IF_ERROR(DecodeKeyValues(mark, "events.attributes", 0, &e.attributes));
    b_->events[slot] = e;
    return absl::OkStatus();
  }

  Status DecodeLink(std::string_view data, size_t slot, uint32_t span) {
    size_t mark = scratch_.size();
    Link l;
    std::string_view trace_id, span_id;
    Reader r(data);
    while (!r.done()) {
      uint32_t field, wt;
      if (!r.ReadTag(&field, &wt)) return Malformed("links");
      std::string_view sub;
      uint64_t v;
      uint32_t f32;
      if (field == 1 && wt == wire::kLen) {
        if (!r.ReadLen(&trace_id)) return Malformed("links.trace_id");
      } else if (field == 2 && wt == wire::kLen) {
        if (!r.ReadLen(&span_id)) return Malformed("links.span_id");
      } else if (field == 3 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, "links.trace_state", &l.trace_state));
      } else if (field == 4 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed("links.attributes");
        scratch_.push_back(sub);
      } else if (field == 5 && wt == wire::kVarint) {
        if (!r.ReadVarint(&v)) return Malformed("links.dropped_attributes_count");
        l.dropped_attributes_count = static_cast<uint32_t>(v);
      } else if (field == 6 && wt == wire::kFixed32) {
        if (!r.ReadFixed32(&f32)) return Malformed("links.flags");
        l.flags = f32;
      } else if (!r.Skip(wt)) {
        return Malformed("links");
      }
    }
    ReadId(trace_id, 16, true, span, "links.trace_id", l.trace_id.bytes.data());
    ReadId(span_id, 8, true, span, "links.span_id", l.span_id.bytes.data());
    RETURN_IF_ERROR(DecodeKeyValues(mark, "links.attributes", 0, &l.attributes));
    b_->links[slot] = l;
    return absl::OkStatus();
  }

  // Decodes the KeyValue messages whose views are scratch_[mark..] into consecutive slots of
  // key_values, pops them from scratch_, and returns their range.
  Status DecodeKeyValues(size_t mark, std::string_view field, int depth, Range* out) {
    size_t n = scratch_.size() - mark;
    Range range{static_cast<uint32_t>(b_->key_values.size()), static_cast<uint32_t>(n)};
    b_->key_values.resize(range.end());
    for (size_t k = 0; k < n; ++k) {
      // Index, not reference: nested kvlists grow key_values while we decode.
      RETURN_IF_ERROR(DecodeKeyValue(scratch_[mark + k], range.begin + k, field, depth));
    }
    scratch_.resize(mark);
    *out = range;
    return absl::OkStatus();
  }

  Status DecodeKeyValue(std::string_view data, size_t slot, std::string_view field, int depth) {
    std::string_view key;
    AnyValue value;
    Reader r(data);
    while (!r.done()) {
      uint32_t f, wt;
      if (!r.ReadTag(&f, &wt)) return Malformed(field);
      if (f == 1 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, field, &key, ".key"));
      } else if (f == 2 && wt == wire::kLen) {
        std::string_view sub;
        if (!r.ReadLen(&sub)) return Malformed(field);
        RETURN_IF_ERROR(DecodeAnyValue(sub, field, depth + 1, &value));
      } else if (!r.Skip(wt)) {
        return Malformed(field);
      }
    }
    b_->key_values[slot] = KeyValue{key, value};
    return absl::OkStatus();
  }

  Status DecodeAnyValue(std::string_view data, std::string_view field, int depth, AnyValue* out) {
    if (depth > kMaxValueDepth) {
      return Invalid(field, th::StrCat("values nested deeper than ", kMaxValueDepth));
    }
    AnyValue v;
    Reader r(data);
    while (!r.done()) {
      uint32_t f, wt;
      if (!r.ReadTag(&f, &wt)) return Malformed(field);
      uint64_t u;
      std::string_view sub;
      if (f == 1 && wt == wire::kLen) {
        RETURN_IF_ERROR(ReadString(r, field, &sub));
        v = AnyValue{.type = ValueType::kString, .bytes = sub};
      } else if (f == 2 && wt == wire::kVarint) {
        if (!r.ReadVarint(&u)) return Malformed(field);
        v = AnyValue{.type = ValueType::kBool, .bool_value = u != 0};
      } else if (f == 3 && wt == wire::kVarint) {
        if (!r.ReadVarint(&u)) return Malformed(field);
        v = AnyValue{.type = ValueType::kInt, .int_value = static_cast<int64_t>(u)};
      } else if (f == 4 && wt == wire::kFixed64) {
        if (!r.ReadFixed64(&u)) return Malformed(field);
        double d;
        std::memcpy(&d, &u, 8);
        v = AnyValue{.type = ValueType::kDouble, .double_value = d};
      } else if (f == 5 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed(field);
        v = AnyValue{.type = ValueType::kArray};
        RETURN_IF_ERROR(DecodeArray(sub, field, depth, &v.range));
      } else if (f == 6 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed(field);
        v = AnyValue{.type = ValueType::kKvList};
        RETURN_IF_ERROR(DecodeKvList(sub, field, depth, &v.range));
      } else if (f == 7 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed(field);
        v = AnyValue{.type = ValueType::kBytes, .bytes = sub};
      } else if (!r.Skip(wt)) {
        return Malformed(field);
      }
    }
    *out = v;
    return absl::OkStatus();
  }

  Status DecodeArray(std::string_view data, std::string_view field, int depth, Range* out) {
    size_t mark = scratch_.size();
    Reader r(data);
    while (!r.done()) {
      uint32_t f, wt;
      if (!r.ReadTag(&f, &wt)) return Malformed(field);
      std::string_view sub;
      if (f == 1 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed(field);
        scratch_.push_back(sub);
      } else if (!r.Skip(wt)) {
        return Malformed(field);
      }
    }
    size_t n = scratch_.size() - mark;
    Range range{static_cast<uint32_t>(b_->array_values.size()), static_cast<uint32_t>(n)};
    b_->array_values.resize(range.end());
    for (size_t k = 0; k < n; ++k) {
      AnyValue element;
      RETURN_IF_ERROR(DecodeAnyValue(scratch_[mark + k], field, depth + 1, &element));
      b_->array_values[range.begin + k] = element;
    }
    scratch_.resize(mark);
    *out = range;
    return absl::OkStatus();
  }

  Status DecodeKvList(std::string_view data, std::string_view field, int depth, Range* out) {
    size_t mark = scratch_.size();
    Reader r(data);
    while (!r.done()) {
      uint32_t f, wt;
      if (!r.ReadTag(&f, &wt)) return Malformed(field);
      std::string_view sub;
      if (f == 1 && wt == wire::kLen) {
        if (!r.ReadLen(&sub)) return Malformed(field);
        scratch_.push_back(sub);
      } else if (!r.Skip(wt)) {
        return Malformed(field);
      }
    }
    return DecodeKeyValues(mark, field, depth + 1, out);
  }

  SpanBatch* b_;
  // Views of repeated sub-messages waiting to be decoded into contiguous pool slots, used as a
  // stack by nested calls. Reused across the whole request, so no per-span allocation.
  std::vector<std::string_view> scratch_;
  std::vector<std::string_view> event_scratch_;
  std::vector<std::string_view> link_scratch_;
  std::vector<bool> keep_;  // empty until the first rejected span
  int64_t rejected_ = 0;
  std::string rejection_message_;
  int rs_ = -1, ss_ = -1, sp_ = -1;
};

}  // namespace

namespace {

// Decodes `data` into `batch` (whose views then point into `data`); returns the rejected spans.
Result<int64_t> DecodeInto(std::string_view data, SpanBatch* batch, std::string* rejection) {
  // A rough first guess from the body size (~350 bytes per span) avoids regrowing columns;
  // the size is bounded by the body the server already accepted.
  batch->spans.Reserve(data.size() / 256);
  ProtoDecoder decoder(batch);
  RETURN_IF_ERROR(decoder.DecodeRequest(data));
  if (decoder.rejected() == 0) {
    batch->otlp_encoding = data;
  } else {
    // The views no longer describe an encoding of exactly these spans.
    for (auto& w : batch->spans.wire) w = {};
  }
  if (rejection != nullptr) *rejection = std::move(decoder.rejection_message());
  return decoder.rejected();
}

}  // namespace

Result<DecodedTraces> DecodeOtlpTracesProto(std::string&& body, std::string_view tenant) {
  auto batch = std::make_unique<SpanBatch>();
  batch->tenant = std::string(tenant);
  std::string_view data = batch->arena.Adopt(std::move(body));
  DecodedTraces out;
  ASSIGN_OR_RETURN(out.rejected_spans, DecodeInto(data, batch.get(), &out.rejection_message));
  out.batch = std::move(batch);
  return out;
}

Result<int64_t> DecodeOtlpTracesProtoInto(std::string_view body, std::string_view tenant,
                                          SpanBatch* batch) {
  batch->Clear();
  batch->tenant = std::string(tenant);
  return DecodeInto(body, batch, nullptr);
}

}  // namespace th::model

#include "store/block/block_writer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <utility>

#include "common/clock.h"
#include "common/failpoint.h"
#include "common/strings.h"
#include "store/block/bloom.h"
#include "store/block/encoding/page.h"
#include "store/block/internal/attributes.h"
#include "store/block/internal/byte_io.h"
#include "store/block/internal/columns.h"
#include "model/span_batch_merge.h"

#include "absl/container/flat_hash_map.h"

namespace th::store::block {
namespace {

namespace enc = ::th::store::block::encoding;
using internal::AttributeWriter;
using internal::DedicatedKeys;
using internal::RowGroupBuilder;
using model::AnyValue;
using model::Range;
using model::SpanBatch;
using model::SpanId;
using model::TraceId;
using model::ValueType;

constexpr uint32_t kParentExternal = 0xffffffffu;

// A byte string identifying an attribute list's content, for de-duplicating resources/scopes.
void AppendValueKey(const SpanBatch& b, const AnyValue& v, std::string* out);
void AppendAttributesKey(const SpanBatch& b, Range r, std::string* out) {
  internal::PutVarint(out, r.count);
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    internal::PutString(out, b.key_values[i].key);
    AppendValueKey(b, b.key_values[i].value, out);
  }
}
void AppendValueKey(const SpanBatch& b, const AnyValue& v, std::string* out) {
  out->push_back(static_cast<char>(v.type));
  switch (v.type) {
    case ValueType::kString:
    case ValueType::kBytes:
      internal::PutString(out, v.bytes);
      break;
    case ValueType::kBool:
      out->push_back(v.bool_value ? 1 : 0);
      break;
    case ValueType::kInt:
      internal::PutVarint(out, static_cast<uint64_t>(v.int_value));
      break;
    case ValueType::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &v.double_value, 8);
      internal::PutVarint(out, bits);
      break;
    }
    case ValueType::kArray:
      internal::PutVarint(out, v.range.count);
      for (uint32_t i = v.range.begin; i < v.range.end(); ++i) {
        AppendValueKey(b, b.array_values[i], out);
      }
      break;
    case ValueType::kKvList:
      AppendAttributesKey(b, v.range, out);
      break;
    case ValueType::kEmpty:
      break;
  }
}

// Encodes the spans [begin, end) of the sorted span list, which hold whole traces.
// The block's resource and scope tables: one entry per distinct content.
class TableEncoder {
 public:
  // With `copy_inputs` the tables keep copies of what they take from input batches, which then
  // need not outlive the encoder (a block written row group by row group); without, they keep
  // views into the batches.
  explicit TableEncoder(bool copy_inputs)
      : copies_(copy_inputs ? std::make_unique<SpanBatch>() : nullptr),
        scope_attrs_("scope", nullptr, 1),
        resource_attrs_("resource", nullptr, 1) {}
  // The table index of scope `scope` of `b`, input batch number `batch`.
  uint32_t ScopeOf(const SpanBatch& b, uint32_t batch, uint32_t scope);
  // Forgets which input scope went where: batch numbers given after this are new batches.
  void ForgetInputs() {
    scope_by_input_.clear();
    resource_by_input_.clear();
  }
  Status Write(RowGroupBuilder* out);

 private:
  uint32_t ResourceOf(const SpanBatch& b, uint32_t batch, uint32_t resource);
  // A string to keep in the tables: copied when the inputs are not kept.
  std::string_view Keep(std::string_view v) { return copies_ ? copies_->arena.Copy(v) : v; }

  std::unique_ptr<SpanBatch> copies_;
  absl::flat_hash_map<uint64_t, uint32_t> scope_by_input_, resource_by_input_;
  absl::flat_hash_map<std::string, uint32_t> scope_by_content_, resource_by_content_;
  std::vector<uint32_t> scope_resource_, scope_dropped_;
  std::vector<std::string_view> scope_name_, scope_version_, scope_schema_url_;
  AttributeWriter scope_attrs_;
  std::vector<std::string_view> resource_schema_url_;
  std::vector<uint32_t> resource_dropped_;
  AttributeWriter resource_attrs_;
};

class RowGroupEncoder {
 public:
  RowGroupEncoder(const std::vector<const SpanBatch*>& batches, TableEncoder* tables,
                  const DedicatedKeys* dedicated, uint32_t group_count)
      : batches_(batches),
        tables_(tables),
        span_attrs_("span", dedicated, group_count),
        event_attrs_("event", nullptr, 1),
        link_attrs_("link", nullptr, 1) {}

  // Adds one trace: spans (batch, span) in order.
  void AddTrace(const TraceId& id, std::span<const std::pair<uint32_t, uint32_t>> spans,
                uint64_t* trace_start, uint64_t* trace_end);
  Status Write(RowGroupBuilder* out);

 private:
  const std::vector<const SpanBatch*>& batches_;
  TableEncoder* tables_;
  std::string trace_ids_;
  std::vector<uint32_t> trace_span_count_;
  std::vector<uint64_t> trace_start_;

  std::string span_ids_, parent_ids_;
  std::vector<uint32_t> parent_, scope_, kind_, status_code_, flags_, dropped_attrs_,
      dropped_events_, dropped_links_, event_count_, link_count_;
  std::vector<std::string_view> name_, status_message_, trace_state_;
  std::vector<int64_t> start_, duration_;
  AttributeWriter span_attrs_;

  std::vector<int64_t> event_time_;
  std::vector<std::string_view> event_name_;
  std::vector<uint32_t> event_dropped_;
  AttributeWriter event_attrs_;

  std::string link_trace_ids_, link_span_ids_;
  std::vector<std::string_view> link_trace_state_;
  std::vector<uint32_t> link_flags_, link_dropped_;
  AttributeWriter link_attrs_;

  absl::flat_hash_map<SpanId, uint32_t> index_in_trace_;
};

uint32_t TableEncoder::ResourceOf(const SpanBatch& b, uint32_t batch, uint32_t resource) {
  uint64_t input = (static_cast<uint64_t>(batch) << 32) | resource;
  auto it = resource_by_input_.find(input);
  if (it != resource_by_input_.end()) return it->second;
  const model::Resource& r = b.resources[resource];
  std::string key;
  internal::PutString(&key, r.schema_url);
  internal::PutVarint(&key, r.dropped_attributes_count);
  AppendAttributesKey(b, r.attributes, &key);
  auto [c, inserted] =
      resource_by_content_.try_emplace(key, static_cast<uint32_t>(resource_schema_url_.size()));
  if (inserted) {
    resource_schema_url_.push_back(Keep(r.schema_url));
    resource_dropped_.push_back(r.dropped_attributes_count);
    if (copies_) {
      resource_attrs_.Add(*copies_, model::CopyAttributes(b, r.attributes, copies_.get()));
    } else {
      resource_attrs_.Add(b, r.attributes);
    }
  }
  resource_by_input_[input] = c->second;
  return c->second;
}

uint32_t TableEncoder::ScopeOf(const SpanBatch& b, uint32_t batch, uint32_t scope) {
  uint64_t input = (static_cast<uint64_t>(batch) << 32) | scope;
  auto it = scope_by_input_.find(input);
  if (it != scope_by_input_.end()) return it->second;
  const model::Scope& s = b.scopes[scope];
  uint32_t resource = ResourceOf(b, batch, s.resource);
  std::string key;
  internal::PutVarint(&key, resource);
  internal::PutString(&key, s.name);
  internal::PutString(&key, s.version);
  internal::PutString(&key, s.schema_url);
  internal::PutVarint(&key, s.dropped_attributes_count);
  AppendAttributesKey(b, s.attributes, &key);
  auto [c, inserted] =
      scope_by_content_.try_emplace(key, static_cast<uint32_t>(scope_name_.size()));
  if (inserted) {
    scope_resource_.push_back(resource);
    scope_name_.push_back(Keep(s.name));
    scope_version_.push_back(Keep(s.version));
    scope_schema_url_.push_back(Keep(s.schema_url));
    scope_dropped_.push_back(s.dropped_attributes_count);
    if (copies_) {
      scope_attrs_.Add(*copies_, model::CopyAttributes(b, s.attributes, copies_.get()));
    } else {
      scope_attrs_.Add(b, s.attributes);
    }
  }
  scope_by_input_[input] = c->second;
  return c->second;
}

void RowGroupEncoder::AddTrace(const TraceId& id,
                               std::span<const std::pair<uint32_t, uint32_t>> spans,
                               uint64_t* trace_start, uint64_t* trace_end) {
  trace_ids_.append(id.View());
  trace_span_count_.push_back(static_cast<uint32_t>(spans.size()));
  uint64_t start = UINT64_MAX, end = 0;
  index_in_trace_.clear();
  for (size_t i = 0; i < spans.size(); ++i) {
    const auto& c = batches_[spans[i].first]->spans;
    start = std::min(start, c.start_time_unix_nano[spans[i].second]);
    end = std::max(end, c.end_time_unix_nano[spans[i].second]);
    index_in_trace_.try_emplace(c.span_id[spans[i].second], static_cast<uint32_t>(i));
  }
  trace_start_.push_back(start);
  *trace_start = start;
  *trace_end = end;

  for (size_t own = 0; own < spans.size(); ++own) {
    const auto [batch, i] = spans[own];
    const SpanBatch& b = *batches_[batch];
    const model::SpanColumns& c = b.spans;
    span_ids_.append(c.span_id[i].View());
    const SpanId& parent = c.parent_span_id[i];
    uint64_t base = start;  // what the start time is stored relative to
    auto it = parent.IsZero() ? index_in_trace_.end() : index_in_trace_.find(parent);
    if (parent.IsZero()) {
      parent_.push_back(0);
    } else if (it != index_in_trace_.end() && it->second < own) {
      parent_.push_back(static_cast<uint32_t>(own - it->second));
      const auto [pb, pi] = spans[it->second];
      base = batches_[pb]->spans.start_time_unix_nano[pi];
    } else if (it != index_in_trace_.end() && it->second > own) {
      parent_.push_back(it->second);
    } else {
      parent_.push_back(kParentExternal);
      parent_ids_.append(parent.View());
    }
    scope_.push_back(tables_->ScopeOf(b, batch, c.scope[i]));
    name_.push_back(c.name[i]);
    kind_.push_back(static_cast<uint32_t>(c.kind[i]));
    status_code_.push_back(static_cast<uint32_t>(c.status_code[i]));
    status_message_.push_back(c.status_message[i]);
    trace_state_.push_back(c.trace_state[i]);
    flags_.push_back(c.flags[i]);
    uint64_t span_start = c.start_time_unix_nano[i];
    start_.push_back(static_cast<int64_t>(span_start - base));
    duration_.push_back(static_cast<int64_t>(c.end_time_unix_nano[i] - span_start));
    dropped_attrs_.push_back(c.dropped_attributes_count[i]);
    dropped_events_.push_back(c.dropped_events_count[i]);
    dropped_links_.push_back(c.dropped_links_count[i]);
    span_attrs_.Add(b, c.attributes[i]);

    Range ev = c.events[i];
    event_count_.push_back(ev.count);
    for (uint32_t e = ev.begin; e < ev.end(); ++e) {
      const model::Event& event = b.events[e];
      event_time_.push_back(static_cast<int64_t>(event.time_unix_nano - span_start));
      event_name_.push_back(event.name);
      event_dropped_.push_back(event.dropped_attributes_count);
      event_attrs_.Add(b, event.attributes);
    }
    Range lk = c.links[i];
    link_count_.push_back(lk.count);
    for (uint32_t l = lk.begin; l < lk.end(); ++l) {
      const model::Link& link = b.links[l];
      link_trace_ids_.append(link.trace_id.View());
      link_span_ids_.append(link.span_id.View());
      link_trace_state_.push_back(link.trace_state);
      link_flags_.push_back(link.flags);
      link_dropped_.push_back(link.dropped_attributes_count);
      link_attrs_.Add(b, link.attributes);
    }
  }
}

Status RowGroupEncoder::Write(RowGroupBuilder* o) {
  RETURN_IF_ERROR(o->Fixed("trace.id", trace_ids_));
  RETURN_IF_ERROR(o->U32("trace.span_count", trace_span_count_));
  RETURN_IF_ERROR(o->U64("trace.start", trace_start_));
  RETURN_IF_ERROR(o->Fixed("span.id", span_ids_));
  RETURN_IF_ERROR(o->U32("span.parent", parent_));
  RETURN_IF_ERROR(o->Fixed("span.parent_id", parent_ids_));
  RETURN_IF_ERROR(o->U32("span.scope", scope_));
  RETURN_IF_ERROR(o->Str("span.name", name_));
  RETURN_IF_ERROR(o->U32("span.kind", kind_));
  RETURN_IF_ERROR(o->U32("span.status_code", status_code_));
  RETURN_IF_ERROR(o->Str("span.status_message", status_message_));
  RETURN_IF_ERROR(o->Str("span.trace_state", trace_state_));
  RETURN_IF_ERROR(o->U32("span.flags", flags_));
  RETURN_IF_ERROR(o->I64("span.start", start_));
  RETURN_IF_ERROR(o->I64("span.duration", duration_));
  RETURN_IF_ERROR(o->U32("span.dropped_attributes", dropped_attrs_));
  RETURN_IF_ERROR(o->U32("span.dropped_events", dropped_events_));
  RETURN_IF_ERROR(o->U32("span.dropped_links", dropped_links_));
  RETURN_IF_ERROR(o->U32("span.event_count", event_count_));
  RETURN_IF_ERROR(o->U32("span.link_count", link_count_));
  RETURN_IF_ERROR(span_attrs_.Write(o));
  RETURN_IF_ERROR(o->I64("event.time", event_time_));
  RETURN_IF_ERROR(o->Str("event.name", event_name_));
  RETURN_IF_ERROR(o->U32("event.dropped_attributes", event_dropped_));
  RETURN_IF_ERROR(event_attrs_.Write(o));
  RETURN_IF_ERROR(o->Fixed("link.trace_id", link_trace_ids_));
  RETURN_IF_ERROR(o->Fixed("link.span_id", link_span_ids_));
  RETURN_IF_ERROR(o->Str("link.trace_state", link_trace_state_));
  RETURN_IF_ERROR(o->U32("link.flags", link_flags_));
  RETURN_IF_ERROR(o->U32("link.dropped_attributes", link_dropped_));
  return link_attrs_.Write(o);
}

Status TableEncoder::Write(RowGroupBuilder* o) {
  RETURN_IF_ERROR(o->U32("scope.resource", scope_resource_));
  RETURN_IF_ERROR(o->Str("scope.name", scope_name_));
  RETURN_IF_ERROR(o->Str("scope.version", scope_version_));
  RETURN_IF_ERROR(o->Str("scope.schema_url", scope_schema_url_));
  RETURN_IF_ERROR(o->U32("scope.dropped_attributes", scope_dropped_));
  RETURN_IF_ERROR(scope_attrs_.Write(o));
  RETURN_IF_ERROR(o->Str("resource.schema_url", resource_schema_url_));
  RETURN_IF_ERROR(o->U32("resource.dropped_attributes", resource_dropped_));
  return resource_attrs_.Write(o);
}

// Counts span attribute keys to choose a block's dedicated keys: the most frequent.
class DedicatedKeyCounter {
 public:
  void Add(const SpanBatch& batch, uint32_t span) {
    Range r = batch.spans.attributes[span];
    for (uint32_t i = r.begin; i < r.end(); ++i) {
      std::string_view key = batch.key_values[i].key;
      auto it = counts_.find(absl::string_view(key.data(), key.size()));
      if (it != counts_.end()) {
        ++it->second;
      } else {
        counts_.emplace(std::string(key), 1);
      }
    }
  }

  // Up to `max_keys` keys, most frequent first (ties by key); keys seen once are not worth it.
  std::vector<std::string> Top(uint32_t max_keys) const {
    std::vector<std::pair<std::string_view, uint64_t>> sorted(counts_.begin(), counts_.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    std::vector<std::string> keys;
    for (const auto& [key, n] : sorted) {
      if (keys.size() >= max_keys || n < 2) break;
      keys.emplace_back(key);
    }
    return keys;
  }

 private:
  absl::flat_hash_map<std::string, uint64_t> counts_;
};

}  // namespace

std::string BlockObjectKey(std::string_view tenant, std::string_view block_id,
                           std::string_view object) {
  return th::StrCat(tenant, "/", block_id, "/", object);
}

// What a block being written has so far: meta, trace-id index, bloom filter, the data object's
// stream and the resource/scope tables. Row groups are encoded into it one at a time.
struct BlockWriter::Build {
  Build(const BlockWriterOptions& options, std::vector<std::string> dedicated_keys,
        uint64_t trace_count, bool copy_tables)
      : bloom(BloomShapeFor(trace_count)), tables(copy_tables) {
    meta.tenant = options.tenant;
    meta.block_id = options.block_id;
    meta.compaction_level = options.compaction_level;
    meta.wal_segment_end = options.wal_segment_end;
    meta.sources = options.sources;
    meta.created_unix_nano =
        options.created_unix_nano != 0 ? options.created_unix_nano : NowUnixNano();
    meta.dedicated_keys = std::move(dedicated_keys);
    for (size_t i = 0; i < meta.dedicated_keys.size(); ++i) {
      dedicated[meta.dedicated_keys[i]] = static_cast<uint32_t>(i + 1);
    }
    group_count = static_cast<uint32_t>(meta.dedicated_keys.size() + 1);
  }

  Status FlushIndexPage();
  // Encodes spans [0, n) of `spans` (sorted by trace id, whole traces) as the next row group.
  Status AddRowGroup(const std::vector<const SpanBatch*>& batches,
                     std::span<const PendingSpan> spans, int zstd_level);
  // Writes the tables, index, bloom filter and, last, the meta.
  Result<BlockMeta> Finish(backend::Backend* backend, int zstd_level);

  BlockMeta meta;
  DedicatedKeys dedicated;
  uint32_t group_count = 1;
  BloomBuilder bloom;
  std::unique_ptr<backend::ObjectWriter> data;
  internal::ColumnNames names;
  std::string index_page;  // entries of the current index page
  std::string index;
  uint32_t index_entries = 0;
  uint64_t data_size = 0;
  TableEncoder tables;
  std::vector<std::pair<uint32_t, uint32_t>> trace_spans;  // reused
};

Status BlockWriter::Build::FlushIndexPage() {
  if (index_entries == 0) return Status();
  std::string body;
  internal::PutU32(&body, index_entries);
  body += index_page;
  IndexPageInfo info;
  info.first_trace_id = TraceId::FromBytes(std::string_view(index_page).substr(0, 16));
  info.range.offset = index.size();
  RETURN_IF_ERROR(enc::AppendPage(enc::Encoding::kRaw, enc::Compression::kNone, body, &index));
  info.range.length = index.size() - info.range.offset;
  meta.index_pages.push_back(info);
  index_page.clear();
  index_entries = 0;
  return Status();
}

Status BlockWriter::Build::AddRowGroup(const std::vector<const SpanBatch*>& batches,
                                       std::span<const PendingSpan> spans, int zstd_level) {
  if (spans.empty()) return Status();
  RowGroupEncoder encoder(batches, &tables, &dedicated, group_count);
  RowGroupInfo rg;
  const auto rg_index = static_cast<uint32_t>(meta.row_groups.size());
  rg.first_trace_id = spans[0].trace_id;
  rg.min_start_unix_nano = UINT64_MAX;
  size_t pos = 0;
  while (pos < spans.size()) {
    size_t end = pos;
    trace_spans.clear();
    while (end < spans.size() && spans[end].trace_id == spans[pos].trace_id) {
      trace_spans.emplace_back(spans[end].batch, spans[end].span);
      ++end;
    }
    const TraceId& id = spans[pos].trace_id;
    uint64_t start, finish;
    encoder.AddTrace(id, trace_spans, &start, &finish);
    rg.min_start_unix_nano = std::min(rg.min_start_unix_nano, start);
    rg.max_end_unix_nano = std::max(rg.max_end_unix_nano, finish);
    rg.last_trace_id = id;
    bloom.Add(id);
    index_page.append(id.View());
    internal::PutU32(&index_page, rg_index);
    internal::PutU32(&index_page, rg.span_count);
    internal::PutU32(&index_page, static_cast<uint32_t>(end - pos));
    if (++index_entries == kIndexEntriesPerPage) RETURN_IF_ERROR(FlushIndexPage());
    rg.span_count += static_cast<uint32_t>(end - pos);
    ++rg.trace_count;
    pos = end;
  }
  RowGroupBuilder builder(&names, zstd_level);
  RETURN_IF_ERROR(encoder.Write(&builder));
  rg.range.offset = data_size;
  rg.range.length = builder.data().size();
  rg.chunks = std::move(builder.chunks());
  data_size += builder.data().size();
  RETURN_IF_ERROR(data->Append(builder.data()));
  if (meta.row_groups.empty()) {
    meta.min_start_unix_nano = rg.min_start_unix_nano;
    meta.max_end_unix_nano = rg.max_end_unix_nano;
  } else {
    meta.min_start_unix_nano = std::min(meta.min_start_unix_nano, rg.min_start_unix_nano);
    meta.max_end_unix_nano = std::max(meta.max_end_unix_nano, rg.max_end_unix_nano);
  }
  meta.span_count += rg.span_count;
  meta.trace_count += rg.trace_count;
  meta.row_groups.push_back(std::move(rg));
  return Status();
}

Result<BlockMeta> BlockWriter::Build::Finish(backend::Backend* backend, int zstd_level) {
  RETURN_IF_ERROR(FlushIndexPage());
  {
    RowGroupBuilder builder(&names, zstd_level);
    RETURN_IF_ERROR(tables.Write(&builder));
    meta.tables.range.offset = data_size;
    meta.tables.range.length = builder.data().size();
    meta.tables.chunks = std::move(builder.chunks());
    data_size += builder.data().size();
    RETURN_IF_ERROR(data->Append(builder.data()));
  }
  RETURN_IF_ERROR(data->Commit());
  meta.data_size = data_size;
  meta.column_names = names.names();

  RETURN_IF_ERROR(backend->Put(BlockObjectKey(meta.tenant, meta.block_id, kIndexObject), index));
  meta.index_size = index.size();

  std::string bloom_bytes;
  meta.bloom = bloom.shape();
  for (uint32_t i = 0; i < meta.bloom.shard_count; ++i) {
    ObjectRange r;
    r.offset = bloom_bytes.size();
    RETURN_IF_ERROR(enc::AppendPage(enc::Encoding::kRaw, enc::Compression::kNone, bloom.shard(i),
                                    &bloom_bytes));
    r.length = bloom_bytes.size() - r.offset;
    meta.bloom_shards.push_back(r);
  }
  RETURN_IF_ERROR(
      backend->Put(BlockObjectKey(meta.tenant, meta.block_id, kBloomObject), bloom_bytes));
  meta.bloom_size = bloom_bytes.size();

  ASSIGN_OR_RETURN(std::string meta_bytes, EncodeBlockMeta(meta));
  // Data, index and bloom are durable; the block is not visible until the next line.
  failpoint::Hit("block.before_meta");
  RETURN_IF_ERROR(
      backend->Put(BlockObjectKey(meta.tenant, meta.block_id, kMetaObject), meta_bytes));
  return meta;
}

BlockWriter::BlockWriter(backend::Backend* backend, BlockWriterOptions options)
    : backend_(backend), options_(std::move(options)) {}

BlockWriter::~BlockWriter() = default;

uint32_t BlockWriter::BatchIndex(const SpanBatch& batch) {
  if (!batches_.empty() && batches_.back() == &batch) {
    return static_cast<uint32_t>(batches_.size() - 1);
  }
  batches_.push_back(&batch);
  return static_cast<uint32_t>(batches_.size() - 1);
}

Status BlockWriter::CheckAdding() const {
  if (finished_) return absl::FailedPreconditionError("block writer: already finished");
  return Status();
}

Status BlockWriter::AddTrace(const SpanBatch& batch, std::span<const uint32_t> span_indices) {
  RETURN_IF_ERROR(CheckAdding());
  if (span_indices.empty()) return Status();
  for (uint32_t i : span_indices) {
    if (i >= batch.span_count()) {
      return absl::InvalidArgumentError(
          th::StrCat("block writer: span index ", i, " out of range (", batch.span_count(), ")"));
    }
    if (batch.spans.trace_id[i] != batch.spans.trace_id[span_indices[0]]) {
      return absl::InvalidArgumentError("block writer: AddTrace given spans of several traces");
    }
  }
  uint32_t b = BatchIndex(batch);
  for (uint32_t i : span_indices) spans_.push_back({batch.spans.trace_id[i], b, i});
  return Status();
}

Status BlockWriter::AddBatch(const SpanBatch& batch) {
  RETURN_IF_ERROR(CheckAdding());
  if (batch.span_count() == 0) return Status();
  uint32_t b = BatchIndex(batch);
  for (uint32_t i = 0; i < batch.span_count(); ++i) {
    spans_.push_back({batch.spans.trace_id[i], b, i});
  }
  return Status();
}

bool BlockWriter::TraceIdLess(const PendingSpan& a, const PendingSpan& b) {
  static_assert(sizeof(a.trace_id.bytes) == 16);
  auto word = [](const model::TraceId& id, size_t i) {
    uint64_t w;
    std::memcpy(&w, id.bytes.data() + i * 8, 8);
    return std::endian::native == std::endian::little ? __builtin_bswap64(w) : w;
  };
  const uint64_t a0 = word(a.trace_id, 0), b0 = word(b.trace_id, 0);
  if (a0 != b0) return a0 < b0;
  return word(a.trace_id, 1) < word(b.trace_id, 1);
}

Status BlockWriter::Open(std::vector<std::string> dedicated_keys, uint64_t trace_count,
                         bool copy_tables) {
  if (options_.block_id.empty()) return absl::InvalidArgumentError("block writer: no block id");
  auto build = std::make_unique<Build>(options_, std::move(dedicated_keys), trace_count,
                                       copy_tables);
  ASSIGN_OR_RETURN(build->data, backend_->PutStream(BlockObjectKey(
                                    build->meta.tenant, build->meta.block_id, kDataObject)));
  build_ = std::move(build);
  return Status();
}

struct BlockWriter::Streaming {
  uint64_t trace_count = 0;
  uint64_t sample_spans = 0;
  // Until the keys are chosen: the row groups so far, copied, and their keys counted.
  std::vector<std::unique_ptr<SpanBatch>> held;
  DedicatedKeyCounter keys;
  uint64_t sampled = 0;
  std::optional<TraceId> last_trace;  // of the row groups so far
};

Status BlockWriter::StartRowGroups(uint64_t trace_count, uint64_t sample_spans) {
  if (finished_) return absl::FailedPreconditionError("block writer: already finished");
  if (streaming_ != nullptr || !spans_.empty()) {
    return absl::FailedPreconditionError("block writer: StartRowGroups after adding spans");
  }
  if (options_.block_id.empty()) return absl::InvalidArgumentError("block writer: no block id");
  streaming_ = std::make_unique<Streaming>();
  streaming_->trace_count = trace_count;
  streaming_->sample_spans = sample_spans;
  // Nothing to sample: no dedicated keys, and nothing held.
  if (sample_spans == 0) return ChooseKeysAndWriteHeld();
  return Status();
}

Status BlockWriter::AddRowGroup(const SpanBatch& batch) {
  if (streaming_ == nullptr) {
    return absl::FailedPreconditionError("block writer: AddRowGroup before StartRowGroups");
  }
  RETURN_IF_ERROR(AddBatch(batch));
  return EndRowGroup();
}

Status BlockWriter::ChooseKeysAndWriteHeld() {
  Streaming& st = *streaming_;
  RETURN_IF_ERROR(Open(st.keys.Top(options_.max_dedicated_keys), st.trace_count,
                       /*copy_tables=*/true));
  for (auto& held : st.held) {
    spans_.clear();
    for (uint32_t i = 0; i < held->span_count(); ++i) {
      spans_.push_back({held->spans.trace_id[i], 0, i});
    }
    std::stable_sort(spans_.begin(), spans_.end(), TraceIdLess);
    build_->tables.ForgetInputs();
    RETURN_IF_ERROR(build_->AddRowGroup({held.get()}, spans_, options_.zstd_level));
    held.reset();
  }
  st.held.clear();
  spans_.clear();
  return Status();
}

Status BlockWriter::EndRowGroup() {
  if (finished_) return absl::FailedPreconditionError("block writer: already finished");
  if (streaming_ == nullptr) {
    return absl::FailedPreconditionError("block writer: EndRowGroup before StartRowGroups");
  }
  Streaming& st = *streaming_;
  if (spans_.empty()) return Status();
  std::stable_sort(spans_.begin(), spans_.end(), TraceIdLess);
  if (st.last_trace && !(*st.last_trace < spans_.front().trace_id)) {
    spans_.clear();
    batches_.clear();
    return absl::InvalidArgumentError(
        "block writer: row group's traces do not follow the previous row group's in id order");
  }
  st.last_trace = spans_.back().trace_id;
  Status result;
  if (build_ != nullptr) {
    // Table entries keep copies, and input batches are numbered afresh per row group.
    build_->tables.ForgetInputs();
    result = build_->AddRowGroup(batches_, spans_, options_.zstd_level);
  } else {
    // Still choosing the dedicated keys: count them, and keep a copy of the row group (runs of
    // spans from one batch copied at a time, so each trace keeps the order its spans came in).
    auto held = std::make_unique<SpanBatch>();
    held->tenant = options_.tenant;
    size_t k = 0;
    std::vector<uint32_t> run;
    while (k < spans_.size()) {
      const uint32_t b = spans_[k].batch;
      run.clear();
      for (; k < spans_.size() && spans_[k].batch == b; ++k) {
        run.push_back(spans_[k].span);
        st.keys.Add(*batches_[b], spans_[k].span);
      }
      model::AppendBatch(held.get(), model::CopySpans(*batches_[b], run));
    }
    st.sampled += held->span_count();
    st.held.push_back(std::move(held));
    if (st.sampled >= st.sample_spans) result = ChooseKeysAndWriteHeld();
  }
  spans_.clear();
  batches_.clear();
  return result;
}

Result<BlockMeta> BlockWriter::Finish() {
  if (finished_) return absl::FailedPreconditionError("block writer: already finished");
  if (streaming_ != nullptr) {
    RETURN_IF_ERROR(EndRowGroup());
    finished_ = true;
    if (build_ == nullptr) RETURN_IF_ERROR(ChooseKeysAndWriteHeld());
    return build_->Finish(backend_, options_.zstd_level);
  }
  finished_ = true;
  // Every span is here: sort them by trace, choose the dedicated keys over them all, then cut
  // row groups of at least target_spans_per_row_group spans (whole traces).
  std::stable_sort(spans_.begin(), spans_.end(), TraceIdLess);
  uint64_t trace_count = 0;
  for (size_t i = 0; i < spans_.size(); ++i) {
    if (i == 0 || spans_[i].trace_id != spans_[i - 1].trace_id) ++trace_count;
  }
  DedicatedKeyCounter keys;
  for (const PendingSpan& p : spans_) keys.Add(*batches_[p.batch], p.span);
  RETURN_IF_ERROR(Open(keys.Top(options_.max_dedicated_keys), trace_count, /*copy_tables=*/false));
  size_t pos = 0;
  while (pos < spans_.size()) {
    size_t end = pos;
    uint32_t n = 0;
    while (end < spans_.size() && n < options_.target_spans_per_row_group) {
      const TraceId& id = spans_[end].trace_id;
      while (end < spans_.size() && spans_[end].trace_id == id) ++end, ++n;
    }
    RETURN_IF_ERROR(build_->AddRowGroup(
        batches_, std::span<const PendingSpan>(spans_.data() + pos, end - pos),
        options_.zstd_level));
    pos = end;
  }
  return build_->Finish(backend_, options_.zstd_level);
}

}  // namespace th::store::block

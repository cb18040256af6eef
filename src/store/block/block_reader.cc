#include "store/block/block_reader.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "model/otlp_encode.h"
#include "store/block/block_writer.h"
#include "store/block/bloom.h"
#include "store/block/encoding/limits.h"
#include "store/block/encoding/page.h"
#include "store/block/internal/byte_io.h"
#include "store/block/internal/columns.h"
#include "store/block/internal/span_filter.h"

namespace th::store::block {
namespace {

namespace enc = ::th::store::block::encoding;
using internal::AttributeReader;
using internal::RowGroupColumns;
using model::Range;
using model::SpanBatch;
using model::SpanId;
using model::TraceId;

constexpr uint32_t kParentExternal = 0xffffffffu;

// Decodes one row group's columns, then its traces one at a time, in order.
class RowGroupDecoder {
 public:
  // `bytes` are the row group's, or empty when columns() reads them lazily.
  RowGroupDecoder(const BlockMeta& meta, const internal::ColumnNameIndex& names,
                  const internal::DedicatedKeys& dedicated, const SpanBatch& tables,
                  uint32_t index, std::string_view bytes)
      : meta_(meta),
        dedicated_(dedicated),
        tables_(tables),
        info_(meta.row_groups[index]),
        prefix_(th::StrCat("block ", meta.block_id, ": row group ", index, ": ")),
        columns_(meta.block_id, th::StrCat("row group ", index), bytes, &info_.chunks, &names) {}

  Status Load();
  size_t trace_count() const { return trace_span_count_.size(); }
  // Decodes the next trace into a new batch (`out`), or moves past it when out is null (checking
  // its parent links, as VerifyBlock needs).
  Status Next(std::unique_ptr<SpanBatch>* out);
  // Moves past the next `traces` traces at once, as look-ups and filtered scans do to reach the
  // traces they want: positions only, no per-span checks beyond the columns' bounds.
  Status SkipTraces(size_t traces);
  // The first span row of the trace Next reads.
  size_t next_span_row() const { return span_pos_; }
  // Spans of trace `t` of the row group. Requires: t < trace_count().
  size_t trace_spans(size_t t) const { return trace_span_count_[t]; }
  // Spans of the trace Next reads.
  size_t next_trace_spans() const {
    return trace_pos_ < trace_span_count_.size() ? trace_span_count_[trace_pos_] : 0;
  }
  // Evaluates `filter` on the row group's columns, before (or without) Load; the columns it reads
  // go through the cache given to columns().UseCache.
  size_t Filter(internal::SpanFilter* filter) {
    columns_.set_cache_on(true);
    const size_t matched = filter->Evaluate(&columns_, info_.trace_count, info_.span_count);
    columns_.set_cache_on(false);
    return matched;
  }
  RowGroupColumns& columns() { return columns_; }

 private:
  Status Corrupt(std::string_view what) const {
    return absl::DataLossError(th::StrCat(prefix_, what));
  }
  Status NextAttributes(AttributeReader* reader, SpanBatch* batch, Range* out);
  Status Wrap(const Status& s) const {
    if (s.ok() || th::Message(s).starts_with("block ")) return s;
    return absl::Status(s.code(), th::StrCat(prefix_, th::Message(s)));
  }

  const BlockMeta& meta_;
  const internal::DedicatedKeys& dedicated_;
  const SpanBatch& tables_;
  const RowGroupInfo& info_;
  std::string prefix_;
  RowGroupColumns columns_;

  std::string_view trace_ids_, span_ids_, parent_ids_, link_trace_ids_, link_span_ids_;
  std::vector<uint32_t> trace_span_count_;
  std::vector<uint64_t> trace_start_;
  std::vector<uint32_t> parent_, scope_, kind_, status_code_, flags_, dropped_attrs_,
      dropped_events_, dropped_links_, event_count_, link_count_;
  internal::StrColumn name_, status_message_, trace_state_;
  std::vector<int64_t> start_, duration_;
  std::vector<uint64_t> trace_starts_;  // start times of the trace being decoded
  std::vector<int64_t> event_time_;
  internal::StrColumn event_name_, link_trace_state_;
  std::vector<uint32_t> event_dropped_, link_flags_, link_dropped_;
  AttributeReader span_attrs_, event_attrs_, link_attrs_;

  size_t trace_pos_ = 0, span_pos_ = 0, event_pos_ = 0, link_pos_ = 0, parent_id_pos_ = 0;
};

Status RowGroupDecoder::Load() {
  RowGroupColumns& c = columns_;
  const size_t traces = info_.trace_count, spans = info_.span_count;
  RETURN_IF_ERROR(c.Fixed("trace.id", 16, traces, &trace_ids_));
  RETURN_IF_ERROR(c.U32("trace.span_count", traces, &trace_span_count_));
  RETURN_IF_ERROR(c.U64("trace.start", traces, &trace_start_));
  uint64_t total = 0;
  for (uint32_t n : trace_span_count_) total += n;
  if (total != spans) return Corrupt("trace span counts do not add up to the span count");
  RETURN_IF_ERROR(c.Fixed("span.id", 8, spans, &span_ids_));
  RETURN_IF_ERROR(c.U32("span.parent", spans, &parent_));
  RETURN_IF_ERROR(c.Fixed("span.parent_id", 8, RowGroupColumns::kAnyCount, &parent_ids_));
  RETURN_IF_ERROR(c.U32("span.scope", spans, &scope_));
  RETURN_IF_ERROR(c.Dict("span.name", spans, &name_));
  RETURN_IF_ERROR(c.U32("span.kind", spans, &kind_));
  RETURN_IF_ERROR(c.U32("span.status_code", spans, &status_code_));
  RETURN_IF_ERROR(c.Dict("span.status_message", spans, &status_message_));
  RETURN_IF_ERROR(c.Dict("span.trace_state", spans, &trace_state_));
  RETURN_IF_ERROR(c.U32("span.flags", spans, &flags_));
  RETURN_IF_ERROR(c.I64("span.start", spans, &start_));
  RETURN_IF_ERROR(c.I64("span.duration", spans, &duration_));
  RETURN_IF_ERROR(c.U32("span.dropped_attributes", spans, &dropped_attrs_));
  RETURN_IF_ERROR(c.U32("span.dropped_events", spans, &dropped_events_));
  RETURN_IF_ERROR(c.U32("span.dropped_links", spans, &dropped_links_));
  RETURN_IF_ERROR(c.U32("span.event_count", spans, &event_count_));
  RETURN_IF_ERROR(c.U32("span.link_count", spans, &link_count_));
  uint32_t groups = static_cast<uint32_t>(meta_.dedicated_keys.size() + 1);
  RETURN_IF_ERROR(Wrap(span_attrs_.Load(&c, "span", &dedicated_, groups, spans)));

  uint64_t events = 0, links = 0;
  for (uint32_t n : event_count_) events += n;
  for (uint32_t n : link_count_) links += n;
  RETURN_IF_ERROR(c.I64("event.time", events, &event_time_));
  RETURN_IF_ERROR(c.Dict("event.name", events, &event_name_));
  RETURN_IF_ERROR(c.U32("event.dropped_attributes", events, &event_dropped_));
  RETURN_IF_ERROR(Wrap(event_attrs_.Load(&c, "event", nullptr, 1, events)));
  RETURN_IF_ERROR(c.Fixed("link.trace_id", 16, links, &link_trace_ids_));
  RETURN_IF_ERROR(c.Fixed("link.span_id", 8, links, &link_span_ids_));
  RETURN_IF_ERROR(c.Dict("link.trace_state", links, &link_trace_state_));
  RETURN_IF_ERROR(c.U32("link.flags", links, &link_flags_));
  RETURN_IF_ERROR(c.U32("link.dropped_attributes", links, &link_dropped_));
  RETURN_IF_ERROR(Wrap(link_attrs_.Load(&c, "link", nullptr, 1, links)));

  return Status();
}

Status RowGroupDecoder::SkipTraces(size_t traces) {
  if (traces > trace_span_count_.size() - trace_pos_) return Corrupt("read past the last trace");
  size_t spans = 0;
  for (size_t t = trace_pos_; t < trace_pos_ + traces; ++t) spans += trace_span_count_[t];
  // Load checked that the trace span counts add up to the row group's span count.
  size_t external = 0, events = 0, links = 0;
  for (size_t s = span_pos_; s < span_pos_ + spans; ++s) {
    external += parent_[s] == kParentExternal;
    events += event_count_[s];
    links += link_count_[s];
  }
  if ((parent_id_pos_ + external) * 8 > parent_ids_.size()) return Corrupt("parent ids exhausted");
  RETURN_IF_ERROR(Wrap(span_attrs_.Skip(spans)));
  RETURN_IF_ERROR(Wrap(event_attrs_.Skip(events)));
  RETURN_IF_ERROR(Wrap(link_attrs_.Skip(links)));
  trace_pos_ += traces;
  span_pos_ += spans;
  parent_id_pos_ += external;
  event_pos_ += events;
  link_pos_ += links;
  return Status();
}

Status RowGroupDecoder::NextAttributes(AttributeReader* reader, SpanBatch* batch, Range* out) {
  Result<Range> r = reader->Next(batch);
  if (!r.ok()) return Wrap(r.status());
  *out = *r;
  return Status();
}

Status RowGroupDecoder::Next(std::unique_ptr<SpanBatch>* out) {
  if (trace_pos_ >= trace_span_count_.size()) return Corrupt("read past the last trace");
  const size_t first = span_pos_;
  const size_t n = trace_span_count_[trace_pos_];
  const uint64_t trace_start = trace_start_[trace_pos_];
  TraceId trace_id = TraceId::FromBytes(trace_ids_.substr(trace_pos_ * 16, 16));
  ++trace_pos_;
  SpanBatch* b = nullptr;
  if (out != nullptr) {
    *out = std::make_unique<SpanBatch>();
    b = out->get();
    b->tenant = meta_.tenant;
    b->spans.Reserve(n);
  }
  std::vector<int32_t> scope_map, resource_map;
  trace_starts_.clear();
  if (b != nullptr) {
    scope_map.assign(tables_.scopes.size(), -1);
    resource_map.assign(tables_.resources.size(), -1);
  }
  for (size_t s = first; s < first + n; ++s) {
    const size_t own = s - first;
    const uint32_t parent = parent_[s];
    SpanId parent_id;
    uint64_t base = trace_start;
    if (parent == kParentExternal) {
      if ((parent_id_pos_ + 1) * 8 > parent_ids_.size()) return Corrupt("parent ids exhausted");
      parent_id = SpanId::FromBytes(parent_ids_.substr(parent_id_pos_ * 8, 8));
      ++parent_id_pos_;
    } else if (parent != 0) {
      // 1..own: the parent is `parent` spans earlier; above own: the parent's index.
      if (parent > own && parent >= n) return Corrupt("parent index out of the trace");
      size_t p = parent <= own ? own - parent : parent;
      parent_id = SpanId::FromBytes(span_ids_.substr((first + p) * 8, 8));
      if (p < own) base = trace_starts_[p];
    }
    const uint64_t span_start = base + static_cast<uint64_t>(start_[s]);
    trace_starts_.push_back(span_start);
    const uint32_t events = event_count_[s], links = link_count_[s];
    if (b == nullptr) {
      RETURN_IF_ERROR(Wrap(span_attrs_.Skip()));
      for (uint32_t e = 0; e < events; ++e) RETURN_IF_ERROR(Wrap(event_attrs_.Skip()));
      for (uint32_t l = 0; l < links; ++l) RETURN_IF_ERROR(Wrap(link_attrs_.Skip()));
      event_pos_ += events;
      link_pos_ += links;
      continue;
    }
    uint32_t scope = scope_[s];
    if (scope >= scope_map.size()) return Corrupt("span names a scope out of range");
    if (scope_map[scope] < 0) {
      const model::Scope& from = tables_.scopes[scope];
      if (resource_map[from.resource] < 0) {
        const model::Resource& r = tables_.resources[from.resource];
        model::Resource copy;
        copy.attributes = internal::CopyAttributes(tables_, r.attributes, b);
        copy.dropped_attributes_count = r.dropped_attributes_count;
        copy.schema_url = b->arena.Copy(r.schema_url);
        resource_map[from.resource] = static_cast<int32_t>(b->resources.size());
        b->resources.push_back(copy);
      }
      model::Scope copy;
      copy.resource = static_cast<uint32_t>(resource_map[from.resource]);
      copy.name = b->arena.Copy(from.name);
      copy.version = b->arena.Copy(from.version);
      copy.schema_url = b->arena.Copy(from.schema_url);
      copy.dropped_attributes_count = from.dropped_attributes_count;
      copy.attributes = internal::CopyAttributes(tables_, from.attributes, b);
      scope_map[scope] = static_cast<int32_t>(b->scopes.size());
      b->scopes.push_back(copy);
    }
    model::SpanRow row;
    row.scope = static_cast<uint32_t>(scope_map[scope]);
    row.trace_id = trace_id;
    row.span_id = SpanId::FromBytes(span_ids_.substr(s * 8, 8));
    row.parent_span_id = parent_id;
    row.trace_state = b->arena.Copy(trace_state_[s]);
    row.flags = flags_[s];
    row.name = b->arena.Copy(name_[s]);
    row.kind = static_cast<int32_t>(kind_[s]);
    row.start_time_unix_nano = span_start;
    row.end_time_unix_nano = row.start_time_unix_nano + static_cast<uint64_t>(duration_[s]);
    RETURN_IF_ERROR(NextAttributes(&span_attrs_, b, &row.attributes));
    row.dropped_attributes_count = dropped_attrs_[s];
    row.events.begin = static_cast<uint32_t>(b->events.size());
    row.events.count = events;
    for (uint32_t e = 0; e < events; ++e, ++event_pos_) {
      model::Event ev;
      ev.time_unix_nano = row.start_time_unix_nano + static_cast<uint64_t>(event_time_[event_pos_]);
      ev.name = b->arena.Copy(event_name_[event_pos_]);
      ev.dropped_attributes_count = event_dropped_[event_pos_];
      RETURN_IF_ERROR(NextAttributes(&event_attrs_, b, &ev.attributes));
      b->events.push_back(ev);
    }
    row.dropped_events_count = dropped_events_[s];
    row.links.begin = static_cast<uint32_t>(b->links.size());
    row.links.count = links;
    for (uint32_t l = 0; l < links; ++l, ++link_pos_) {
      model::Link lk;
      lk.trace_id = TraceId::FromBytes(link_trace_ids_.substr(link_pos_ * 16, 16));
      lk.span_id = SpanId::FromBytes(link_span_ids_.substr(link_pos_ * 8, 8));
      lk.trace_state = b->arena.Copy(link_trace_state_[link_pos_]);
      lk.flags = link_flags_[link_pos_];
      lk.dropped_attributes_count = link_dropped_[link_pos_];
      RETURN_IF_ERROR(NextAttributes(&link_attrs_, b, &lk.attributes));
      b->links.push_back(lk);
    }
    row.dropped_links_count = dropped_links_[s];
    row.status_code = static_cast<int32_t>(status_code_[s]);
    row.status_message = b->arena.Copy(status_message_[s]);
    b->AppendSpan(row);
  }
  span_pos_ = first + n;
  return Status();
}

Status NextTableAttributes(AttributeReader* reader, SpanBatch* batch, Range* out) {
  ASSIGN_OR_RETURN(*out, reader->Next(batch));
  return Status();
}

// Decodes the block's resource and scope tables into `tables`.
Status LoadTableColumns(RowGroupColumns& c, SpanBatch* tables) {
  std::vector<std::string_view> schema_urls, names, versions;
  std::vector<uint32_t> dropped, scope_resource;
  RETURN_IF_ERROR(c.U32("resource.dropped_attributes", RowGroupColumns::kAnyCount, &dropped));
  size_t resources = dropped.size();
  RETURN_IF_ERROR(c.Str("resource.schema_url", resources, &schema_urls));
  AttributeReader attrs;
  RETURN_IF_ERROR(attrs.Load(&c, "resource", nullptr, 1, resources));
  for (size_t i = 0; i < resources; ++i) {
    model::Resource r;
    RETURN_IF_ERROR(NextTableAttributes(&attrs, tables, &r.attributes));
    r.dropped_attributes_count = dropped[i];
    r.schema_url = tables->arena.Copy(schema_urls[i]);
    tables->resources.push_back(r);
  }
  RETURN_IF_ERROR(c.U32("scope.resource", RowGroupColumns::kAnyCount, &scope_resource));
  size_t scopes = scope_resource.size();
  RETURN_IF_ERROR(c.Str("scope.name", scopes, &names));
  RETURN_IF_ERROR(c.Str("scope.version", scopes, &versions));
  RETURN_IF_ERROR(c.Str("scope.schema_url", scopes, &schema_urls));
  RETURN_IF_ERROR(c.U32("scope.dropped_attributes", scopes, &dropped));
  AttributeReader scope_attrs;
  RETURN_IF_ERROR(scope_attrs.Load(&c, "scope", nullptr, 1, scopes));
  for (size_t i = 0; i < scopes; ++i) {
    model::Scope sc;
    if (scope_resource[i] >= resources) {
      return absl::DataLossError("tables: scope names a resource out of range");
    }
    sc.resource = scope_resource[i];
    sc.name = tables->arena.Copy(names[i]);
    sc.version = tables->arena.Copy(versions[i]);
    sc.schema_url = tables->arena.Copy(schema_urls[i]);
    sc.dropped_attributes_count = dropped[i];
    RETURN_IF_ERROR(NextTableAttributes(&scope_attrs, tables, &sc.attributes));
    tables->scopes.push_back(sc);
  }
  return Status();
}

// The fields of an index entry after its trace id, as stored (little-endian u32s).
struct IndexEntry {
  uint32_t row_group;
  uint32_t first_span_row;
  uint32_t span_count;
};
static_assert(sizeof(IndexEntry) == 12);

}  // namespace

BlockReader::BlockReader(backend::Backend* backend, BlockMeta meta, PageCache* cache)
    : backend_(backend),
      cache_(cache),
      column_cache_(cache == nullptr ? nullptr : PageCache::Columns()),
      meta_(std::move(meta)),
      column_index_(&meta_.column_names) {
  if (cache_ != nullptr) cache_owner_ = PageCache::NewOwner();
  if (column_cache_ != nullptr) column_owner_ = PageCache::NewOwner();
  for (size_t i = 0; i < meta_.dedicated_keys.size(); ++i) {
    dedicated_[meta_.dedicated_keys[i]] = static_cast<uint32_t>(i + 1);
  }
}

BlockReader::~BlockReader() {
  if (cache_ != nullptr) cache_->EraseOwner(cache_owner_);
  if (column_cache_ != nullptr) column_cache_->EraseOwner(column_owner_);
}

std::string BlockReader::Key(std::string_view object) const {
  return BlockObjectKey(meta_.tenant, meta_.block_id, object);
}

Result<std::unique_ptr<BlockReader>> BlockReader::Open(backend::Backend* backend,
                                                       std::string_view tenant,
                                                       std::string_view block_id,
                                                       PageCache* cache) {
  std::string key = BlockObjectKey(tenant, block_id, kMetaObject);
  ASSIGN_OR_RETURN(std::string bytes, backend->Get(key));
  ASSIGN_OR_RETURN(BlockMeta meta, DecodeBlockMeta(bytes, key));
  if (meta.tenant != tenant || meta.block_id != block_id) {
    return absl::DataLossError(
        th::StrCat(key, ": meta names block ", meta.tenant, "/", meta.block_id));
  }
  // Row groups must lie in the data object and have sane counts, since the decoder sizes
  // vectors from them.
  for (size_t i = 0; i < meta.row_groups.size(); ++i) {
    const RowGroupInfo& g = meta.row_groups[i];
    if (g.range.offset > meta.data_size || g.range.length > meta.data_size - g.range.offset ||
        g.trace_count > g.span_count || g.span_count > enc::kMaxValuesPerPage) {
      return absl::DataLossError(th::StrCat(key, ": row group ", i, " is malformed"));
    }
  }
  auto reader = std::unique_ptr<BlockReader>(new BlockReader(backend, std::move(meta), cache));
  RETURN_IF_ERROR(reader->LoadTables());
  return reader;
}

Status BlockReader::LoadTables() {
  tables_ = std::make_unique<SpanBatch>();
  const TablesInfo& t = meta_.tables;
  if (t.range.offset > meta_.data_size || t.range.length > meta_.data_size - t.range.offset) {
    return absl::DataLossError(th::StrCat("block ", meta_.block_id, ": tables are malformed"));
  }
  if (t.range.length == 0) return Status();
  std::string key = Key(kDataObject);
  Result<std::string> bytes = backend_->GetRange(key, t.range.offset, t.range.length);
  if (!bytes.ok()) {
    if (absl::IsOutOfRange(bytes.status())) {
      return absl::DataLossError(th::StrCat(key, ": shorter than meta says"));
    }
    return bytes.status();
  }
  RowGroupColumns columns(meta_.block_id, "tables", *bytes, &t.chunks, &column_index_);
  Status s = LoadTableColumns(columns, tables_.get());
  if (!s.ok() && !th::Message(s).starts_with("block ")) {
    return absl::Status(s.code(), th::StrCat("block ", meta_.block_id, ": ", th::Message(s)));
  }
  return s;
}

Status BlockReader::ReadObjectPage(std::string_view object, const ObjectRange& range,
                                   std::string_view what, std::string* scratch,
                                   std::string_view* payload) const {
  std::string key = Key(object);
  Result<std::string> bytes = backend_->GetRange(key, range.offset, range.length);
  if (!bytes.ok()) {
    if (absl::IsOutOfRange(bytes.status())) {
      return absl::DataLossError(th::StrCat(key, ": ", what, ": object is shorter than meta says"));
    }
    return bytes.status();
  }
  *scratch = std::move(*bytes);
  Result<enc::Page> page = enc::ReadPage(*scratch);
  if (!page.ok()) {
    return absl::DataLossError(
        th::StrCat("block ", meta_.block_id, ": ", what, ": ", th::Message(page.status())));
  }
  if (page->size != scratch->size() || page->compression != enc::Compression::kNone) {
    return absl::DataLossError(
        th::StrCat("block ", meta_.block_id, ": ", what, ": malformed page"));
  }
  *payload = page->stored;
  return Status();
}

Result<std::shared_ptr<const std::string>> BlockReader::CachedObjectPage(
    std::string_view object, const ObjectRange& range, std::string_view what,
    uint64_t page) const {
  if (cache_ != nullptr) {
    std::shared_ptr<const std::string> hit = cache_->Lookup(cache_owner_, page);
    if (hit != nullptr) return hit;
  }
  std::string scratch;
  std::string_view payload;
  RETURN_IF_ERROR(ReadObjectPage(object, range, what, &scratch, &payload));
  // Keep the payload only: the envelope was verified once, here.
  scratch.erase(0, static_cast<size_t>(payload.data() - scratch.data()));
  scratch.resize(payload.size());
  auto out = std::make_shared<const std::string>(std::move(scratch));
  if (cache_ != nullptr) cache_->Insert(cache_owner_, page, out);
  return out;
}

Result<std::unique_ptr<SpanBatch>> BlockReader::FindTraceBatch(const TraceId& id) const {
  if (meta_.trace_count == 0) return std::unique_ptr<SpanBatch>();
  uint32_t shard = BloomShard(meta_.bloom, id);
  if (shard >= meta_.bloom_shards.size()) {
    return absl::DataLossError(th::StrCat("block ", meta_.block_id, ": bloom shard missing"));
  }
  // Cache keys: bloom shard i is page 2i, index page j is page 2j + 1.
  ASSIGN_OR_RETURN(std::shared_ptr<const std::string> bloom,
                   CachedObjectPage(kBloomObject, meta_.bloom_shards[shard],
                                    th::StrCat("bloom shard ", shard), uint64_t{shard} * 2));
  std::string_view payload = *bloom;
  if (payload.size() * 8 != meta_.bloom.bits_per_shard) {
    return absl::DataLossError(
        th::StrCat("block ", meta_.block_id, ": bloom shard ", shard, ": wrong size"));
  }
  if (!BloomMayContain(meta_.bloom, payload, id)) return std::unique_ptr<SpanBatch>();

  auto page_it = std::upper_bound(
      meta_.index_pages.begin(), meta_.index_pages.end(), id,
      [](const TraceId& a, const IndexPageInfo& p) { return a < p.first_trace_id; });
  if (page_it == meta_.index_pages.begin()) return std::unique_ptr<SpanBatch>();
  size_t page_index = static_cast<size_t>(page_it - meta_.index_pages.begin()) - 1;
  std::string what = th::StrCat("index page ", page_index);
  ASSIGN_OR_RETURN(std::shared_ptr<const std::string> index_page,
                   CachedObjectPage(kIndexObject, meta_.index_pages[page_index].range, what,
                                    uint64_t{page_index} * 2 + 1));
  payload = *index_page;
  internal::ByteCursor cursor(payload);
  uint32_t count;
  if (!cursor.U32(&count) || payload.size() != 4 + uint64_t{count} * kIndexEntryBytes) {
    return absl::DataLossError(th::StrCat("block ", meta_.block_id, ": ", what, ": bad size"));
  }
  std::string_view entries = payload.substr(4);
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (std::memcmp(entries.data() + mid * kIndexEntryBytes, id.bytes.data(), 16) < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == count ||
      std::memcmp(entries.data() + lo * kIndexEntryBytes, id.bytes.data(), 16) != 0) {
    return std::unique_ptr<SpanBatch>();
  }
  IndexEntry entry;
  std::memcpy(&entry, entries.data() + lo * kIndexEntryBytes + 16, sizeof(entry));
  if (entry.row_group >= meta_.row_groups.size()) {
    return absl::DataLossError(
        th::StrCat("block ", meta_.block_id, ": ", what, ": row group out of range"));
  }
  Result<std::string> bytes = RowGroupBytes(entry.row_group)();
  if (!bytes.ok()) return bytes.status();
  RowGroupDecoder decoder(meta_, column_index_, dedicated_, *tables_, entry.row_group, *bytes);
  RETURN_IF_ERROR(decoder.Load());
  // Skip to the trace starting at the index's span row, then build it alone.
  size_t t = 0, row = 0;
  while (t < decoder.trace_count() && row < entry.first_span_row) row += decoder.trace_spans(t++);
  if (row == entry.first_span_row && t < decoder.trace_count()) {
    RETURN_IF_ERROR(decoder.SkipTraces(t));
    std::unique_ptr<SpanBatch> out;
    RETURN_IF_ERROR(decoder.Next(&out));
    if (out->span_count() == entry.span_count && out->spans.trace_id[0] == id) return out;
  }
  return absl::DataLossError(th::StrCat("block ", meta_.block_id, ": row group ", entry.row_group,
                                        ": disagrees with the index"));
}

Result<std::optional<std::string>> BlockReader::FindTrace(const TraceId& id) const {
  ASSIGN_OR_RETURN(std::unique_ptr<SpanBatch> batch, FindTraceBatch(id));
  if (batch == nullptr) return std::optional<std::string>();
  std::string out;
  model::EncodeOtlpTraces(*batch, &out);
  return std::optional<std::string>(std::move(out));
}

Status BlockReader::Scan(const std::function<Status(std::unique_ptr<SpanBatch>&&)>& fn) const {
  return ScanRange(0, UINT64_MAX, fn);
}

Status BlockReader::ScanRange(uint64_t start_unix_nano, uint64_t end_unix_nano,
                              const std::function<Status(std::unique_ptr<SpanBatch>&&)>& fn) const {
  return ScanFiltered(start_unix_nano, end_unix_nano, ScanPredicate(), fn, nullptr);
}

namespace {

// True when the chunk statistics of row group `rg` rule out every span satisfying `p`.
bool ExcludedByStats(const BlockMeta& meta, const RowGroupInfo& rg, const ScanPredicate& p) {
  for (const internal::ChunkInfo& c : rg.chunks) {
    if (!c.has_stats || c.name >= meta.column_names.size()) continue;
    const std::string& name = meta.column_names[c.name];
    auto outside = [&](int64_t lo, int64_t hi) { return hi < c.min || lo > c.max; };
    if (name == "span.duration" && outside(p.min_duration, p.max_duration)) return true;
    if (name == "span.status_code" && p.status_code_equals &&
        outside(*p.status_code_equals, *p.status_code_equals)) {
      return true;
    }
    if (name == "span.kind" && p.kind_equals && outside(*p.kind_equals, *p.kind_equals)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Status BlockReader::ScanFiltered(uint64_t start_unix_nano, uint64_t end_unix_nano,
                                 const ScanPredicate& predicate,
                                 const std::function<Status(std::unique_ptr<SpanBatch>&&)>& fn,
                                 ScanSkips* skips) const {
  return FilterRowGroups(start_unix_nano, end_unix_nano, predicate, &fn, skips, nullptr);
}

Result<uint64_t> BlockReader::CountCandidateTraces(uint64_t start_unix_nano,
                                                   uint64_t end_unix_nano,
                                                   const ScanPredicate& predicate,
                                                   ScanSkips* skips) const {
  uint64_t candidates = 0;
  RETURN_IF_ERROR(
      FilterRowGroups(start_unix_nano, end_unix_nano, predicate, nullptr, skips, &candidates));
  return candidates;
}

std::function<Result<std::string>()> BlockReader::RowGroupBytes(uint32_t index) const {
  return [this, index]() -> Result<std::string> {
    const std::string key = Key(kDataObject);
    const RowGroupInfo& rg = meta_.row_groups[index];
    Result<std::string> bytes = backend_->GetRange(key, rg.range.offset, rg.range.length);
    if (absl::IsOutOfRange(bytes.status())) {
      return absl::DataLossError(th::StrCat(key, ": shorter than meta says"));
    }
    return bytes;
  };
}

Status BlockReader::ScanRowGroup(
    uint32_t index, const std::function<Status(std::unique_ptr<SpanBatch>&&)>& fn) const {
  if (index >= meta_.row_groups.size()) {
    return absl::InvalidArgumentError(th::StrCat("row group ", index, " out of range (",
                                                 meta_.row_groups.size(), ")"));
  }
  RowGroupDecoder decoder(meta_, column_index_, dedicated_, *tables_, index, {});
  decoder.columns().ReadLazily(RowGroupBytes(index));
  Status s = decoder.Load();
  for (size_t t = 0; s.ok() && t < decoder.trace_count(); ++t) {
    std::unique_ptr<SpanBatch> batch;
    s = decoder.Next(&batch);
    if (s.ok()) RETURN_IF_ERROR(fn(std::move(batch)));
  }
  return s;
}

Status BlockReader::FilterRowGroups(
    uint64_t start_unix_nano, uint64_t end_unix_nano, const ScanPredicate& predicate,
    const std::function<Status(std::unique_ptr<SpanBatch>&&)>* fn, ScanSkips* skips,
    uint64_t* candidates) const {
  ScanSkips ignored;
  if (skips == nullptr) skips = &ignored;
  const bool filtered = !predicate.empty();
  std::optional<internal::SpanFilter> filter;
  if (filtered) {
    filter.emplace(predicate, *tables_, dedicated_);
    if (!filter->block_may_match()) {
      ++skips->blocks;
      skips->spans += meta_.span_count;
      return Status();
    }
  }
  Status first_error;
  for (uint32_t g = 0; g < meta_.row_groups.size(); ++g) {
    const RowGroupInfo& rg = meta_.row_groups[g];
    if (rg.max_end_unix_nano < start_unix_nano || rg.min_start_unix_nano > end_unix_nano) continue;
    if (filtered && ExcludedByStats(meta_, rg, predicate)) {
      ++skips->row_groups;
      skips->spans += rg.span_count;
      continue;
    }
    RowGroupDecoder decoder(meta_, column_index_, dedicated_, *tables_, g, {});
    decoder.columns().ReadLazily(RowGroupBytes(g));
    if (column_cache_ != nullptr) decoder.columns().UseCache(column_cache_, column_owner_, g);
    Status s;
    const std::vector<uint8_t>* match = nullptr;
    if (filtered) {
      // Column-first: only the predicate's columns are decoded until a trace qualifies; on warm
      // data they come from the column cache and the row group is not read at all.
      const size_t matched = decoder.Filter(&*filter);
      s = decoder.columns().read_status();
      if (!s.ok()) {
        if (first_error.ok()) first_error = s;
        continue;
      }
      skips->evaluated_spans += rg.span_count;
      if (candidates != nullptr) *candidates += matched;
      if (matched == 0) {
        ++skips->row_groups_by_columns;
        skips->traces += rg.trace_count;
        skips->spans += rg.span_count;
        continue;
      }
      if (fn == nullptr) continue;
      match = &filter->trace_match();
    } else if (fn == nullptr) {
      if (candidates != nullptr) *candidates += rg.trace_count;
      continue;
    }
    s = decoder.Load();
    for (size_t t = 0; s.ok() && t < decoder.trace_count(); ++t) {
      if (match != nullptr && (t >= match->size() || !(*match)[t])) {
        // Skip the whole run of traces that cannot match at once.
        size_t run = 0;
        for (; t + run < decoder.trace_count() && (t + run >= match->size() || !(*match)[t + run]);
             ++run) {
          skips->spans += decoder.trace_spans(t + run);
        }
        skips->traces += run;
        s = decoder.SkipTraces(run);
        t += run - 1;
        continue;
      }
      std::unique_ptr<SpanBatch> batch;
      s = decoder.Next(&batch);
      if (s.ok()) RETURN_IF_ERROR((*fn)(std::move(batch)));
    }
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  return first_error;
}

std::unique_ptr<BlockReader> BlockReader::OpenForVerify(backend::Backend* backend, BlockMeta meta,
                                                        Status* tables_status) {
  auto reader =
      std::unique_ptr<BlockReader>(new BlockReader(backend, std::move(meta), /*cache=*/nullptr));
  *tables_status = reader->LoadTables();
  if (!tables_status->ok()) reader->tables_ = std::make_unique<SpanBatch>();
  return reader;
}

Status BlockReader::DecodeRowGroup(
    uint32_t index, std::string_view bytes, bool build_batches,
    const std::function<Status(std::unique_ptr<SpanBatch>&&)>& fn) const {
  RowGroupDecoder decoder(meta_, column_index_, dedicated_, *tables_, index, bytes);
  RETURN_IF_ERROR(decoder.Load());
  for (size_t t = 0; t < decoder.trace_count(); ++t) {
    if (!build_batches) {
      RETURN_IF_ERROR(decoder.Next(nullptr));
      continue;
    }
    std::unique_ptr<SpanBatch> batch;
    RETURN_IF_ERROR(decoder.Next(&batch));
    RETURN_IF_ERROR(fn(std::move(batch)));
  }
  return Status();
}

}  // namespace th::store::block

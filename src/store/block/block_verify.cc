#include "store/block/block_verify.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <utility>

#include "common/strings.h"
#include "store/block/block_reader.h"
#include "store/block/block_writer.h"
#include "store/block/bloom.h"
#include "store/block/encoding/limits.h"
#include "store/block/encoding/page.h"
#include "store/block/internal/byte_io.h"
#include "store/block/internal/columns.h"

namespace th::store::block {
namespace {

namespace enc = ::th::store::block::encoding;
using model::SpanBatch;
using model::TraceId;

// Problems of one repetitive kind (say, index entries) beyond this many are summarised.
constexpr int kMaxProblemsPerKind = 10;

// A trace as the row group's trace columns give it.
struct TraceRow {
  TraceId id;
  uint32_t first_span_row = 0;
  uint32_t span_count = 0;
};

std::string Hex(const TraceId& id) { return model::ToHex(id.View()); }

// Drops "prefix: " from the start of `message` when it is there.
std::string_view StripPrefix(std::string_view message, std::string_view prefix) {
  if (message.size() > prefix.size() + 1 && message.starts_with(prefix) &&
      message.substr(prefix.size(), 2) == ": ") {
    message.remove_prefix(prefix.size() + 2);
  }
  return message;
}

class Verifier {
 public:
  Verifier(backend::Backend* backend, std::string_view tenant, std::string_view block_id,
           VerifyReport* report)
      : backend_(backend), report_(report) {
    report_->tenant = std::string(tenant);
    report_->block_id = std::string(block_id);
  }

  Status Run();

 private:
  std::string Key(std::string_view object) const {
    return BlockObjectKey(report_->tenant, report_->block_id, object);
  }
  void Problem(std::string_view object, std::string location, std::string message) {
    report_->problems.push_back({std::string(object), std::move(location), std::move(message)});
  }
  // Like Problem, for kinds that can repeat once per trace: only the first few are kept.
  void RepeatedProblem(std::string_view object, std::string_view kind, std::string location,
                       std::string message) {
    auto& [count, obj] = repeated_[std::string(kind)];
    obj = std::string(object);
    if (++count <= kMaxProblemsPerKind) Problem(object, std::move(location), std::move(message));
  }
  // A decode error of the block reader ("block <id>: row group 3: column x: page 0: what") as a
  // problem of `data` with the location split off the message.
  void DecodeProblem(const Status& s);

  // Size of the object, or nullopt when it is missing. Errors: the backend's other errors.
  Result<std::optional<uint64_t>> StatObject(std::string_view object);
  // Bytes [offset, offset + length) of `data`; nullopt (and a problem) when they lie past the
  // end of the object as it is. Errors: the backend's.
  Result<std::optional<std::string>> ReadData(const ObjectRange& range, std::string location);

  void CheckMetaConsistency(const BlockMeta& m);
  // Checks every page of the column chunks `chunks` of `bytes`; returns the problems found.
  int CheckChunks(std::string_view bytes, const std::vector<internal::ChunkInfo>& chunks,
                  std::string_view location);
  // Verifies row group `g`; fills rows_[g] when its trace columns are readable.
  Status CheckRowGroup(uint32_t g);
  Status CheckIndex();
  Status CheckBloom();

  backend::Backend* backend_;
  VerifyReport* report_;
  const BlockMeta* meta_ = nullptr;
  std::optional<uint64_t> data_size_, index_size_, bloom_size_;  // as stored
  std::unique_ptr<BlockReader> reader_;
  bool tables_ok_ = false;
  std::vector<std::optional<std::vector<TraceRow>>> rows_;       // per row group, when readable
  std::map<std::string, std::pair<int, std::string>> repeated_;  // kind -> (count, object)
};

void Verifier::DecodeProblem(const Status& s) {
  std::string_view m = StripPrefix(th::Message(s), th::StrCat("block ", report_->block_id));
  // Split off "row group N" / "tables", then "column X" and "page P", into the location.
  std::string location;
  for (int part = 0; part < 3; ++part) {
    size_t colon = m.find(": ");
    if (colon == std::string_view::npos) break;
    std::string_view head = m.substr(0, colon);
    bool is_location = part == 0 ? (head.starts_with("row group ") || head == "tables")
                                 : (head.starts_with("column ") || head.starts_with("page "));
    if (!is_location) break;
    if (!location.empty()) location += ", ";
    location += head;
    m.remove_prefix(colon + 2);
  }
  Problem(kDataObject, std::move(location), std::string(m));
}

Result<std::optional<uint64_t>> Verifier::StatObject(std::string_view object) {
  Result<backend::ObjectInfo> info = backend_->Stat(Key(object));
  if (absl::IsNotFound(info.status())) return std::optional<uint64_t>();
  if (!info.ok()) return info.status();
  return std::optional<uint64_t>(info->size);
}

Result<std::optional<std::string>> Verifier::ReadData(const ObjectRange& range,
                                                      std::string location) {
  if (!data_size_.has_value()) return std::optional<std::string>();  // missing: reported
  if (range.offset > *data_size_ || range.length > *data_size_ - range.offset) {
    Problem(kDataObject, std::move(location),
            th::StrCat("lies past the end of the object (bytes ", range.offset, "..",
                       range.offset + range.length, ", object is ", *data_size_, " bytes)"));
    return std::optional<std::string>();
  }
  Result<std::string> bytes = backend_->GetRange(Key(kDataObject), range.offset, range.length);
  if (absl::IsOutOfRange(bytes.status()) || absl::IsNotFound(bytes.status())) {
    Problem(kDataObject, std::move(location), "object changed or vanished while reading");
    return std::optional<std::string>();
  }
  if (!bytes.ok()) return bytes.status();
  return std::optional<std::string>(std::move(*bytes));
}

void Verifier::CheckMetaConsistency(const BlockMeta& m) {
  if (m.tenant != report_->tenant || m.block_id != report_->block_id) {
    Problem(kMetaObject, "", th::StrCat("names block ", m.tenant, "/", m.block_id));
  }
  uint64_t spans = 0, traces = 0, min_start = UINT64_MAX, max_end = 0;
  uint64_t next_offset = 0;
  for (size_t g = 0; g < m.row_groups.size(); ++g) {
    const RowGroupInfo& rg = m.row_groups[g];
    std::string where = th::StrCat("row group ", g);
    spans += rg.span_count;
    traces += rg.trace_count;
    min_start = std::min(min_start, rg.min_start_unix_nano);
    max_end = std::max(max_end, rg.max_end_unix_nano);
    if (rg.trace_count == 0 || rg.trace_count > rg.span_count ||
        rg.span_count > enc::kMaxValuesPerPage) {
      Problem(
          kMetaObject, where,
          th::StrCat("implausible counts: ", rg.trace_count, " traces, ", rg.span_count, " spans"));
    }
    if (rg.last_trace_id < rg.first_trace_id) {
      Problem(kMetaObject, where, "last trace id is below the first");
    }
    if (g > 0 && !(m.row_groups[g - 1].last_trace_id < rg.first_trace_id)) {
      Problem(kMetaObject, where, "trace ids overlap the previous row group's");
    }
    if (rg.range.offset != next_offset) {
      Problem(kMetaObject, where,
              th::StrCat("starts at byte ", rg.range.offset, " of data, expected ", next_offset,
                         " (gap or overlap)"));
    }
    next_offset = rg.range.offset + rg.range.length;
  }
  if (m.tables.range.offset != next_offset) {
    Problem(
        kMetaObject, "tables",
        th::StrCat("start at byte ", m.tables.range.offset, " of data, expected ", next_offset));
  }
  if (m.tables.range.offset + m.tables.range.length != m.data_size) {
    Problem(kMetaObject, "tables",
            th::StrCat("end at byte ", m.tables.range.offset + m.tables.range.length,
                       ", but data_size is ", m.data_size));
  }
  if (spans != m.span_count) {
    Problem(kMetaObject, "",
            th::StrCat("span count ", m.span_count, " but row groups hold ", spans));
  }
  if (traces != m.trace_count) {
    Problem(kMetaObject, "",
            th::StrCat("trace count ", m.trace_count, " but row groups hold ", traces));
  }
  if (m.row_groups.empty()) {
    min_start = 0;
    max_end = 0;
  }
  if (min_start != m.min_start_unix_nano || max_end != m.max_end_unix_nano) {
    Problem(kMetaObject, "",
            th::StrCat("time range ", m.min_start_unix_nano, "..", m.max_end_unix_nano,
                       " but row groups span ", min_start, "..", max_end));
  }

  uint64_t want_pages = (m.trace_count + kIndexEntriesPerPage - 1) / kIndexEntriesPerPage;
  if (m.index_pages.size() != want_pages) {
    Problem(kMetaObject, "",
            th::StrCat(m.index_pages.size(), " index pages for ", m.trace_count,
                       " traces, expected ", want_pages));
  }
  next_offset = 0;
  for (size_t p = 0; p < m.index_pages.size(); ++p) {
    const IndexPageInfo& page = m.index_pages[p];
    if (page.range.offset != next_offset) {
      Problem(
          kMetaObject, th::StrCat("index page ", p),
          th::StrCat("starts at byte ", page.range.offset, " of index, expected ", next_offset));
    }
    if (p > 0 && !(m.index_pages[p - 1].first_trace_id < page.first_trace_id)) {
      Problem(kMetaObject, th::StrCat("index page ", p), "first trace ids are not ascending");
    }
    next_offset = page.range.offset + page.range.length;
  }
  if (next_offset != m.index_size) {
    Problem(
        kMetaObject, "",
        th::StrCat("index pages end at byte ", next_offset, ", but index_size is ", m.index_size));
  }
  next_offset = 0;
  for (size_t s = 0; s < m.bloom_shards.size(); ++s) {
    const ObjectRange& r = m.bloom_shards[s];
    if (r.offset != next_offset) {
      Problem(kMetaObject, th::StrCat("bloom shard ", s),
              th::StrCat("starts at byte ", r.offset, " of bloom, expected ", next_offset));
    }
    if (r.length != enc::kPageHeaderBytes + m.bloom.bits_per_shard / 8) {
      Problem(kMetaObject, th::StrCat("bloom shard ", s),
              th::StrCat("is ", r.length, " bytes, expected ",
                         enc::kPageHeaderBytes + m.bloom.bits_per_shard / 8));
    }
    next_offset = r.offset + r.length;
  }
  if (next_offset != m.bloom_size) {
    Problem(
        kMetaObject, "",
        th::StrCat("bloom shards end at byte ", next_offset, ", but bloom_size is ", m.bloom_size));
  }
}

int Verifier::CheckChunks(std::string_view bytes, const std::vector<internal::ChunkInfo>& chunks,
                          std::string_view location) {
  const size_t before = report_->problems.size();
  const std::vector<std::string>& names = meta_->column_names;
  uint64_t next_offset = 0;
  std::vector<bool> seen(names.size(), false);
  std::string scratch;
  for (const internal::ChunkInfo& c : chunks) {
    const std::string& name = names[c.name];  // DecodeBlockMeta checked the index
    std::string where = th::StrCat(location, ", column ", name);
    if (seen[c.name]) Problem(kDataObject, where, "column appears twice");
    seen[c.name] = true;
    if (c.offset != next_offset) {
      Problem(kDataObject, where,
              th::StrCat("chunk starts at byte ", c.offset, ", expected ", next_offset,
                         " (gap or overlap)"));
    }
    next_offset = c.offset + c.length;
    if (c.offset > bytes.size() || c.length > bytes.size() - c.offset) {
      Problem(kDataObject, where, "chunk lies outside its row group");
      continue;
    }
    if (c.page_count != 1 && c.page_count != 2) {
      Problem(kDataObject, where, th::StrCat("chunk has ", c.page_count, " pages"));
      continue;
    }
    std::string_view rest = bytes.substr(c.offset, c.length);
    for (uint32_t p = 0; p < c.page_count; ++p) {
      std::string page_where = th::StrCat(where, ", page ", p);
      Result<enc::Page> page = enc::ReadPage(rest);
      if (!page.ok()) {
        Problem(kDataObject, page_where, std::string(th::Message(page.status())));
        rest = {};
        break;
      }
      ++report_->pages_checked;
      rest.remove_prefix(page->size);
      Result<std::string_view> payload = enc::PagePayload(*page, enc::kMaxPageBytes, &scratch);
      if (!payload.ok()) {
        Problem(kDataObject, page_where, std::string(th::Message(payload.status())));
      }
    }
    if (!rest.empty()) {
      Problem(kDataObject, where,
              th::StrCat(rest.size(), " trailing bytes after page ", c.page_count - 1));
    }
  }
  if (next_offset != bytes.size()) {
    Problem(kDataObject, std::string(location),
            th::StrCat("column chunks cover ", next_offset, " of its ", bytes.size(), " bytes"));
  }
  return static_cast<int>(report_->problems.size() - before);
}

Status Verifier::CheckRowGroup(uint32_t g) {
  const RowGroupInfo& rg = meta_->row_groups[g];
  std::string where = th::StrCat("row group ", g);
  // The decoder sizes vectors from these counts; CheckMetaConsistency reported bad ones.
  if (rg.trace_count > rg.span_count || rg.span_count > enc::kMaxValuesPerPage) {
    return Status();
  }
  ASSIGN_OR_RETURN(std::optional<std::string> bytes, ReadData(rg.range, where));
  if (!bytes.has_value()) return Status();
  const int page_problems = CheckChunks(*bytes, rg.chunks, where);

  // The trace columns alone, which the index check needs even when other columns are damaged.
  const internal::ColumnNameIndex names(&meta_->column_names);
  internal::RowGroupColumns columns(report_->block_id, where, *bytes, &rg.chunks, &names);
  std::string_view ids;
  std::vector<uint32_t> counts;
  Status s = columns.Fixed("trace.id", 16, rg.trace_count, &ids);
  if (s.ok()) s = columns.U32("trace.span_count", rg.trace_count, &counts);
  if (!s.ok()) {
    if (page_problems == 0) DecodeProblem(s);
    return Status();
  }
  std::vector<TraceRow> rows(rg.trace_count);
  uint64_t span_row = 0;
  for (uint32_t t = 0; t < rg.trace_count; ++t) {
    rows[t].id = TraceId::FromBytes(ids.substr(size_t{t} * 16, 16));
    rows[t].first_span_row = static_cast<uint32_t>(span_row);
    rows[t].span_count = counts[t];
    span_row += counts[t];
    if (t > 0 && !(rows[t - 1].id < rows[t].id)) {
      RepeatedProblem(kDataObject, "trace order", where,
                      th::StrCat("trace ", Hex(rows[t].id), " is not above the one before it"));
    }
  }
  if (span_row != rg.span_count) {
    Problem(kDataObject, where,
            th::StrCat("traces hold ", span_row, " spans, meta says ", rg.span_count));
  }
  if (!rows.empty() &&
      (rows.front().id != rg.first_trace_id || rows.back().id != rg.last_trace_id)) {
    Problem(kDataObject, where,
            th::StrCat("trace ids run ", Hex(rows.front().id), "..", Hex(rows.back().id),
                       ", meta says ", Hex(rg.first_trace_id), "..", Hex(rg.last_trace_id)));
  }
  rows_[g] = std::move(rows);
  // A damaged page was reported already; decoding would only fail on it again.
  if (page_problems > 0 || span_row != rg.span_count) return Status();

  const std::vector<TraceRow>& known = *rows_[g];
  size_t t = 0;
  uint64_t min_start = UINT64_MAX, max_end = 0;
  s = reader_->DecodeRowGroup(
      g, *bytes, tables_ok_, [&](std::unique_ptr<SpanBatch>&& batch) -> Status {
        const model::SpanColumns& c = batch->spans;
        const TraceRow& row = known[t];
        if (c.size() != row.span_count) {
          RepeatedProblem(kDataObject, "trace decode", where,
                          th::StrCat("trace ", Hex(row.id), " decoded to ", c.size(),
                                     " spans, expected ", row.span_count));
        }
        for (size_t i = 0; i < c.size(); ++i) {
          if (c.trace_id[i] != row.id) {
            RepeatedProblem(kDataObject, "trace decode", where,
                            th::StrCat("trace ", Hex(row.id), " holds a span of another trace"));
            break;
          }
          min_start = std::min(min_start, c.start_time_unix_nano[i]);
          max_end = std::max(max_end, c.end_time_unix_nano[i]);
        }
        report_->spans_checked += c.size();
        ++report_->traces_checked;
        ++t;
        return Status();
      });
  if (!s.ok()) {
    DecodeProblem(s);
    return Status();
  }
  ++report_->row_groups_decoded;
  if (tables_ok_ && (min_start != rg.min_start_unix_nano || max_end != rg.max_end_unix_nano)) {
    Problem(kDataObject, where,
            th::StrCat("spans run ", min_start, "..", max_end, " (unix ns), meta says ",
                       rg.min_start_unix_nano, "..", rg.max_end_unix_nano));
  }
  return Status();
}

Status Verifier::CheckIndex() {
  if (!index_size_.has_value()) return Status();
  Result<std::string> object = backend_->Get(Key(kIndexObject));
  if (absl::IsNotFound(object.status())) return Status();
  if (!object.ok()) return object.status();
  std::string_view bytes = *object;

  uint64_t entries_seen = 0;
  bool all_pages_read = true;
  std::optional<TraceId> previous;
  std::vector<TraceId> indexed;
  for (size_t p = 0; p < meta_->index_pages.size(); ++p) {
    const IndexPageInfo& info = meta_->index_pages[p];
    std::string where = th::StrCat("page ", p);
    if (info.range.offset > bytes.size() || info.range.length > bytes.size() - info.range.offset) {
      Problem(kIndexObject, where, "lies past the end of the object");
      all_pages_read = false;
      previous.reset();
      continue;
    }
    std::string_view stored = bytes.substr(info.range.offset, info.range.length);
    Result<enc::Page> page = enc::ReadPage(stored);
    if (!page.ok()) {
      Problem(kIndexObject, where, std::string(th::Message(page.status())));
      all_pages_read = false;
      previous.reset();
      continue;
    }
    ++report_->pages_checked;
    internal::ByteCursor cursor(page->stored);
    uint32_t count = 0;
    if (page->size != stored.size() || page->compression != enc::Compression::kNone ||
        !cursor.U32(&count) || count == 0 || count > kIndexEntriesPerPage ||
        page->stored.size() != 4 + uint64_t{count} * kIndexEntryBytes) {
      Problem(kIndexObject, where, "malformed page (size, count or compression)");
      all_pages_read = false;
      previous.reset();
      continue;
    }
    std::string_view entries = page->stored.substr(4);
    for (uint32_t e = 0; e < count; ++e) {
      std::string_view entry = entries.substr(size_t{e} * kIndexEntryBytes, kIndexEntryBytes);
      TraceId id = TraceId::FromBytes(entry.substr(0, 16));
      uint32_t fields[3];
      std::memcpy(fields, entry.data() + 16, sizeof(fields));
      const uint32_t row_group = fields[0], first_span_row = fields[1], span_count = fields[2];
      std::string entry_where = th::StrCat(where, ", entry ", e);
      ++entries_seen;
      indexed.push_back(id);
      if (e == 0 && id != info.first_trace_id) {
        Problem(kIndexObject, entry_where,
                th::StrCat("first trace id ", Hex(id), ", meta says ", Hex(info.first_trace_id)));
      }
      if (previous.has_value() && !(*previous < id)) {
        RepeatedProblem(kIndexObject, "index order", entry_where,
                        th::StrCat("trace ", Hex(id), " is out of order"));
      }
      previous = id;
      if (row_group >= meta_->row_groups.size()) {
        RepeatedProblem(kIndexObject, "index entry", entry_where,
                        th::StrCat("trace ", Hex(id), " points at row group ", row_group, " of ",
                                   meta_->row_groups.size()));
        continue;
      }
      if (!rows_[row_group].has_value()) continue;  // unreadable: reported under data
      const std::vector<TraceRow>& rows = *rows_[row_group];
      auto it = std::lower_bound(rows.begin(), rows.end(), id,
                                 [](const TraceRow& r, const TraceId& x) { return r.id < x; });
      if (it == rows.end() || it->id != id) {
        RepeatedProblem(kIndexObject, "index entry", entry_where,
                        th::StrCat("trace ", Hex(id), " is not in row group ", row_group));
      } else if (it->first_span_row != first_span_row || it->span_count != span_count) {
        RepeatedProblem(kIndexObject, "index entry", entry_where,
                        th::StrCat("trace ", Hex(id), " points at span rows ", first_span_row, "+",
                                   span_count, " of row group ", row_group, ", but it is at ",
                                   it->first_span_row, "+", it->span_count));
      }
    }
  }
  if (all_pages_read && entries_seen != meta_->trace_count) {
    Problem(kIndexObject, "",
            th::StrCat("holds ", entries_seen, " entries for ", meta_->trace_count, " traces"));
  }
  if (all_pages_read) {
    std::sort(indexed.begin(), indexed.end());
    for (size_t g = 0; g < rows_.size(); ++g) {
      if (!rows_[g].has_value()) continue;
      for (const TraceRow& r : *rows_[g]) {
        if (!std::binary_search(indexed.begin(), indexed.end(), r.id)) {
          RepeatedProblem(kIndexObject, "index entry", "",
                          th::StrCat("no entry for trace ", Hex(r.id), " of row group ", g));
        }
      }
    }
  }
  return Status();
}

Status Verifier::CheckBloom() {
  if (!bloom_size_.has_value()) return Status();
  Result<std::string> object = backend_->Get(Key(kBloomObject));
  if (absl::IsNotFound(object.status())) return Status();
  if (!object.ok()) return object.status();
  std::string_view bytes = *object;
  const BloomShape& shape = meta_->bloom;
  std::vector<std::optional<std::string_view>> shards(meta_->bloom_shards.size());
  for (size_t s = 0; s < shards.size(); ++s) {
    const ObjectRange& r = meta_->bloom_shards[s];
    std::string where = th::StrCat("shard ", s);
    if (r.offset > bytes.size() || r.length > bytes.size() - r.offset) {
      Problem(kBloomObject, where, "lies past the end of the object");
      continue;
    }
    Result<enc::Page> page = enc::ReadPage(bytes.substr(r.offset, r.length));
    if (!page.ok()) {
      Problem(kBloomObject, where, std::string(th::Message(page.status())));
      continue;
    }
    ++report_->pages_checked;
    if (page->size != r.length || page->compression != enc::Compression::kNone ||
        page->stored.size() * 8 != shape.bits_per_shard) {
      Problem(kBloomObject, where, "malformed page (size or compression)");
      continue;
    }
    shards[s] = page->stored;
  }
  for (const auto& rows : rows_) {
    if (!rows.has_value()) continue;
    for (const TraceRow& r : *rows) {
      uint32_t s = BloomShard(shape, r.id);
      if (s >= shards.size() || !shards[s].has_value()) continue;
      if (!BloomMayContain(shape, *shards[s], r.id)) {
        RepeatedProblem(kBloomObject, "bloom", th::StrCat("shard ", s),
                        th::StrCat("does not contain trace ", Hex(r.id)));
      }
    }
  }
  return Status();
}

Status Verifier::Run() {
  const std::string& tenant = report_->tenant;
  const std::string& block_id = report_->block_id;
  if (tenant.find('/') != std::string::npos || block_id.find('/') != std::string::npos) {
    return absl::InvalidArgumentError(
        th::StrCat("block ", tenant, "/", block_id, ": tenant and block id must not hold '/'"));
  }
  RETURN_IF_ERROR(backend::ValidateKey(Key(kMetaObject)));

  ASSIGN_OR_RETURN(std::optional<uint64_t> meta_size, StatObject(kMetaObject));
  ASSIGN_OR_RETURN(data_size_, StatObject(kDataObject));
  ASSIGN_OR_RETURN(index_size_, StatObject(kIndexObject));
  ASSIGN_OR_RETURN(bloom_size_, StatObject(kBloomObject));
  if (!meta_size && !data_size_ && !index_size_ && !bloom_size_) {
    return absl::NotFoundError(th::StrCat("block ", tenant, "/", block_id, " not found"));
  }
  if (!meta_size.has_value()) {
    Problem(kMetaObject, "", "missing: the block is not visible (an interrupted write?)");
    return Status();
  }
  Result<std::string> meta_bytes = backend_->Get(Key(kMetaObject));
  if (absl::IsNotFound(meta_bytes.status())) {
    Problem(kMetaObject, "", "vanished while verifying");
    return Status();
  }
  if (!meta_bytes.ok()) return meta_bytes.status();
  std::string key = Key(kMetaObject);
  Result<BlockMeta> meta = DecodeBlockMeta(*meta_bytes, key);
  if (!meta.ok()) {
    Problem(kMetaObject, "", std::string(StripPrefix(th::Message(meta.status()), key)));
    return Status();
  }
  report_->meta = std::move(*meta);
  meta_ = &*report_->meta;
  ++report_->pages_checked;
  CheckMetaConsistency(*meta_);

  const std::pair<std::string_view, std::pair<std::optional<uint64_t>, uint64_t>> objects[] = {
      {kDataObject, {data_size_, meta_->data_size}},
      {kIndexObject, {index_size_, meta_->index_size}},
      {kBloomObject, {bloom_size_, meta_->bloom_size}},
  };
  for (const auto& [object, sizes] : objects) {
    const auto& [stored, expected] = sizes;
    if (!stored.has_value()) {
      Problem(object, "", "missing");
    } else if (*stored != expected) {
      Problem(object, "",
              th::StrCat("is ", *stored, " bytes, meta says ", expected,
                         *stored < expected ? " (truncated)" : " (trailing bytes)"));
    }
  }

  // Tables first: every row group refers to them.
  ASSIGN_OR_RETURN(std::optional<std::string> tables, ReadData(meta_->tables.range, "tables"));
  int table_problems =
      tables.has_value() ? CheckChunks(*tables, meta_->tables.chunks, "tables") : 1;
  Status tables_status;
  reader_ = BlockReader::OpenForVerify(backend_, *meta_, &tables_status);
  tables_ok_ = tables_status.ok();
  if (!tables_ok_ && table_problems == 0) {
    if (!absl::IsDataLoss(tables_status) && !absl::IsOutOfRange(tables_status)) {
      return tables_status;  // the backend failing, not the block
    }
    DecodeProblem(tables_status);
  }

  rows_.resize(meta_->row_groups.size());
  for (uint32_t g = 0; g < meta_->row_groups.size(); ++g) RETURN_IF_ERROR(CheckRowGroup(g));
  RETURN_IF_ERROR(CheckIndex());
  RETURN_IF_ERROR(CheckBloom());

  for (const auto& [kind, entry] : repeated_) {
    const auto& [count, object] = entry;
    if (count > kMaxProblemsPerKind) {
      Problem(object, "",
              th::StrCat("and ", count - kMaxProblemsPerKind, " more problems like the above (",
                         kind, ")"));
    }
  }
  return Status();
}

}  // namespace

std::string FormatProblem(const VerifyProblem& p) {
  if (p.location.empty()) return th::StrCat(p.object, ": ", p.message);
  return th::StrCat(p.object, ": ", p.location, ": ", p.message);
}

Result<VerifyReport> VerifyBlock(backend::Backend* backend, std::string_view tenant,
                                 std::string_view block_id) {
  VerifyReport report;
  Verifier verifier(backend, tenant, block_id, &report);
  RETURN_IF_ERROR(verifier.Run());
  return report;
}

}  // namespace th::store::block

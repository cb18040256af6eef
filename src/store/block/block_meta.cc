#include "store/block/block_meta.h"

#include "common/strings.h"
#include "store/block/encoding/limits.h"
#include "store/block/encoding/page.h"
#include "store/block/internal/byte_io.h"

namespace th::store::block {
namespace {

namespace enc = ::th::store::block::encoding;
using internal::ByteCursor;
using internal::PutString;
using internal::PutVarint;

constexpr std::string_view kMagic = "THBM";

void PutId(std::string* out, const model::TraceId& id) { out->append(id.View()); }
void PutRange(std::string* out, const ObjectRange& r) {
  PutVarint(out, r.offset);
  PutVarint(out, r.length);
}

void PutChunks(std::string* b, const std::vector<internal::ChunkInfo>& chunks) {
  PutVarint(b, chunks.size());
  for (const auto& c : chunks) {
    PutVarint(b, c.name);
    PutVarint(b, c.offset);
    PutVarint(b, c.length);
    PutVarint(b, c.page_count);
    b->push_back(c.has_stats ? 1 : 0);
    if (c.has_stats) {
      PutVarint(b, internal::ZigZag(c.min));
      PutVarint(b, internal::ZigZag(c.max));
    }
  }
}

class BodyReader {
 public:
  BodyReader(std::string_view body, std::string_view what) : c_(body), what_(what) {}
  Status Fail(std::string_view field) const {
    return absl::DataLossError(th::StrCat(what_, ": meta: bad or truncated ", field));
  }
  Status U64(uint64_t* v, std::string_view field) { return c_.Varint(v) ? Status() : Fail(field); }
  Status U32(uint32_t* v, std::string_view field) {
    return c_.Varint32(v) ? Status() : Fail(field);
  }
  Status Str(std::string* v, std::string_view field) {
    std::string_view s;
    if (!c_.String(&s)) return Fail(field);
    v->assign(s);
    return Status();
  }
  Status Id(model::TraceId* id, std::string_view field) {
    std::string_view s;
    if (!c_.Bytes(16, &s)) return Fail(field);
    *id = model::TraceId::FromBytes(s);
    return Status();
  }
  Status Range(ObjectRange* r, std::string_view field) {
    RETURN_IF_ERROR(U64(&r->offset, field));
    return U64(&r->length, field);
  }
  // A count of items each at least `min_bytes` long must fit in what is left.
  Status Count(uint32_t* n, size_t min_bytes, std::string_view field) {
    RETURN_IF_ERROR(U32(n, field));
    if (static_cast<uint64_t>(*n) * min_bytes > c_.remaining()) return Fail(field);
    return Status();
  }
  Status Byte(uint8_t* v, std::string_view field) { return c_.U8(v) ? Status() : Fail(field); }
  size_t remaining() const { return c_.remaining(); }

 private:
  ByteCursor c_;
  std::string_view what_;
};

Status ReadChunks(BodyReader* r, size_t column_names, std::vector<internal::ChunkInfo>* out) {
  uint32_t chunks;
  RETURN_IF_ERROR(r->Count(&chunks, 5, "column chunk count"));
  out->resize(chunks);
  for (auto& c : *out) {
    RETURN_IF_ERROR(r->U32(&c.name, "column chunk name"));
    if (c.name >= column_names) return r->Fail("column chunk name");
    RETURN_IF_ERROR(r->U64(&c.offset, "column chunk offset"));
    RETURN_IF_ERROR(r->U64(&c.length, "column chunk length"));
    RETURN_IF_ERROR(r->U32(&c.page_count, "column chunk page count"));
    uint8_t has_stats;
    RETURN_IF_ERROR(r->Byte(&has_stats, "column chunk stats flag"));
    if (has_stats > 1) return r->Fail("column chunk stats flag");
    c.has_stats = has_stats == 1;
    if (c.has_stats) {
      uint64_t mn, mx;
      RETURN_IF_ERROR(r->U64(&mn, "column chunk min"));
      RETURN_IF_ERROR(r->U64(&mx, "column chunk max"));
      c.min = internal::UnZigZag(mn);
      c.max = internal::UnZigZag(mx);
    }
  }
  return Status();
}

// Versions 1 and 2 share the body; version 2 appends the lineage.
Result<BlockMeta> DecodeBody(std::string_view body, uint32_t version, std::string_view what) {
  BlockMeta m;
  m.version = version;
  BodyReader r(body, what);
  RETURN_IF_ERROR(r.Str(&m.tenant, "tenant"));
  RETURN_IF_ERROR(r.Str(&m.block_id, "block id"));
  RETURN_IF_ERROR(r.U64(&m.min_start_unix_nano, "min start"));
  RETURN_IF_ERROR(r.U64(&m.max_end_unix_nano, "max end"));
  RETURN_IF_ERROR(r.U64(&m.span_count, "span count"));
  RETURN_IF_ERROR(r.U64(&m.trace_count, "trace count"));
  RETURN_IF_ERROR(r.U64(&m.data_size, "data size"));
  RETURN_IF_ERROR(r.U64(&m.index_size, "index size"));
  RETURN_IF_ERROR(r.U64(&m.bloom_size, "bloom size"));
  uint32_t n;
  RETURN_IF_ERROR(r.Count(&n, 1, "dedicated key count"));
  m.dedicated_keys.resize(n);
  for (auto& k : m.dedicated_keys) RETURN_IF_ERROR(r.Str(&k, "dedicated key"));
  RETURN_IF_ERROR(r.Count(&n, 1, "column name count"));
  m.column_names.resize(n);
  for (auto& k : m.column_names) RETURN_IF_ERROR(r.Str(&k, "column name"));
  RETURN_IF_ERROR(r.Count(&n, 18, "index page count"));
  m.index_pages.resize(n);
  for (auto& p : m.index_pages) {
    RETURN_IF_ERROR(r.Id(&p.first_trace_id, "index page trace id"));
    RETURN_IF_ERROR(r.Range(&p.range, "index page range"));
  }
  RETURN_IF_ERROR(r.U32(&m.bloom.shard_count, "bloom shard count"));
  RETURN_IF_ERROR(r.U32(&m.bloom.bits_per_shard, "bloom bits per shard"));
  RETURN_IF_ERROR(r.U32(&m.bloom.hash_count, "bloom hash count"));
  if (m.bloom.shard_count == 0 || m.bloom.bits_per_shard == 0 || m.bloom.bits_per_shard % 8 != 0 ||
      static_cast<uint64_t>(m.bloom.shard_count) * 2 > r.remaining()) {
    return r.Fail("bloom shape");
  }
  m.bloom_shards.resize(m.bloom.shard_count);
  for (auto& s : m.bloom_shards) RETURN_IF_ERROR(r.Range(&s, "bloom shard range"));
  RETURN_IF_ERROR(r.Count(&n, 40, "row group count"));
  m.row_groups.resize(n);
  for (auto& g : m.row_groups) {
    RETURN_IF_ERROR(r.Range(&g.range, "row group range"));
    RETURN_IF_ERROR(r.U32(&g.trace_count, "row group trace count"));
    RETURN_IF_ERROR(r.U32(&g.span_count, "row group span count"));
    RETURN_IF_ERROR(r.Id(&g.first_trace_id, "row group first trace id"));
    RETURN_IF_ERROR(r.Id(&g.last_trace_id, "row group last trace id"));
    RETURN_IF_ERROR(r.U64(&g.min_start_unix_nano, "row group min start"));
    RETURN_IF_ERROR(r.U64(&g.max_end_unix_nano, "row group max end"));
    RETURN_IF_ERROR(ReadChunks(&r, m.column_names.size(), &g.chunks));
  }
  RETURN_IF_ERROR(r.Range(&m.tables.range, "tables range"));
  RETURN_IF_ERROR(ReadChunks(&r, m.column_names.size(), &m.tables.chunks));
  if (version >= 2) {
    RETURN_IF_ERROR(r.U32(&m.compaction_level, "compaction level"));
    RETURN_IF_ERROR(r.U64(&m.wal_segment_end, "wal segment end"));
    RETURN_IF_ERROR(r.U64(&m.created_unix_nano, "created time"));
    RETURN_IF_ERROR(r.Count(&n, 1, "source count"));
    m.sources.resize(n);
    for (auto& k : m.sources) RETURN_IF_ERROR(r.Str(&k, "source block id"));
  }
  if (r.remaining() != 0) return r.Fail("end (trailing bytes)");
  return m;
}

}  // namespace

Result<std::string> EncodeBlockMeta(const BlockMeta& m, uint32_t version) {
  if (version < 1 || version > kBlockFormatVersion) {
    return absl::InvalidArgumentError(th::StrCat("cannot write block meta version ", version));
  }
  std::string b;
  PutString(&b, m.tenant);
  PutString(&b, m.block_id);
  PutVarint(&b, m.min_start_unix_nano);
  PutVarint(&b, m.max_end_unix_nano);
  PutVarint(&b, m.span_count);
  PutVarint(&b, m.trace_count);
  PutVarint(&b, m.data_size);
  PutVarint(&b, m.index_size);
  PutVarint(&b, m.bloom_size);
  PutVarint(&b, m.dedicated_keys.size());
  for (const auto& k : m.dedicated_keys) PutString(&b, k);
  PutVarint(&b, m.column_names.size());
  for (const auto& k : m.column_names) PutString(&b, k);
  PutVarint(&b, m.index_pages.size());
  for (const auto& p : m.index_pages) {
    PutId(&b, p.first_trace_id);
    PutRange(&b, p.range);
  }
  PutVarint(&b, m.bloom.shard_count);
  PutVarint(&b, m.bloom.bits_per_shard);
  PutVarint(&b, m.bloom.hash_count);
  for (const auto& s : m.bloom_shards) PutRange(&b, s);
  PutVarint(&b, m.row_groups.size());
  for (const auto& g : m.row_groups) {
    PutRange(&b, g.range);
    PutVarint(&b, g.trace_count);
    PutVarint(&b, g.span_count);
    PutId(&b, g.first_trace_id);
    PutId(&b, g.last_trace_id);
    PutVarint(&b, g.min_start_unix_nano);
    PutVarint(&b, g.max_end_unix_nano);
    PutChunks(&b, g.chunks);
  }
  PutRange(&b, m.tables.range);
  PutChunks(&b, m.tables.chunks);
  if (version >= 2) {
    PutVarint(&b, m.compaction_level);
    PutVarint(&b, m.wal_segment_end);
    PutVarint(&b, m.created_unix_nano);
    PutVarint(&b, m.sources.size());
    for (const auto& k : m.sources) PutString(&b, k);
  }
  std::string out(kMagic);
  internal::PutU32(&out, version);
  RETURN_IF_ERROR(enc::AppendPage(enc::Encoding::kRaw, enc::Compression::kZstd, b, &out));
  return out;
}

Result<BlockMeta> DecodeBlockMeta(std::string_view bytes, std::string_view what) {
  ByteCursor c(bytes);
  std::string_view magic;
  uint32_t version;
  if (!c.Bytes(4, &magic) || magic != kMagic || !c.U32(&version)) {
    return absl::DataLossError(th::StrCat(what, ": not a block meta (bad magic)"));
  }
  std::string_view rest = bytes.substr(8);
  switch (version) {
    case 1:
    case 2: {
      Result<enc::Page> page = enc::ReadPage(rest);
      if (!page.ok())
        return absl::DataLossError(th::StrCat(what, ": ", th::Message(page.status())));
      if (page->size != rest.size()) {
        return absl::DataLossError(th::StrCat(what, ": trailing bytes after the meta page"));
      }
      std::string scratch;
      Result<std::string_view> body = enc::PagePayload(*page, enc::kMaxPageBytes, &scratch);
      if (!body.ok())
        return absl::DataLossError(th::StrCat(what, ": ", th::Message(body.status())));
      return DecodeBody(*body, version, what);
    }
    default:
      return absl::FailedPreconditionError(th::StrCat(what, ": block format version ", version,
                                                      " is not supported (max ",
                                                      kBlockFormatVersion, ")"));
  }
}

}  // namespace th::store::block

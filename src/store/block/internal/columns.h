// Column chunks of one row group (docs/formats/block.md, "Column kinds"): RowGroupBuilder
// encodes typed value vectors into pages appended to one buffer and records each chunk's
// location and statistics; RowGroupColumns decodes chunks back by name, verifying every page's
// checksum and reporting DataLoss that names the block, row group, column and page.
// RowGroupColumns borrows the row group bytes; string views it returns point into those bytes
// or into buffers it owns, so they live as long as both. Thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

#include "absl/container/flat_hash_map.h"

namespace th::store::block {
class PageCache;
}  // namespace th::store::block

namespace th::store::block::internal {

// Where one column chunk sits inside its row group, as recorded in meta.
struct ChunkInfo {
  uint32_t name = 0;    // index into the block's column names
  uint64_t offset = 0;  // relative to the row group
  uint64_t length = 0;
  uint32_t page_count = 1;
  bool has_stats = false;
  int64_t min = 0;
  int64_t max = 0;
};

// Assigns column name ids; shared by every row group of a block writer.
class ColumnNames {
 public:
  uint32_t Id(std::string_view name);
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
};

// A block's column names by id (its meta's column_names), so that a row group's chunks are found
// by comparing ids, not strings. `names` must outlive the index.
class ColumnNameIndex {
 public:
  explicit ColumnNameIndex(const std::vector<std::string>* names);
  const std::vector<std::string>& names() const { return *names_; }
  // The id of `name`, or -1 when the block has no column of that name.
  int64_t Find(std::string_view name) const;

 private:
  const std::vector<std::string>* names_;
  absl::flat_hash_map<std::string_view, uint32_t> ids_;
};

class RowGroupBuilder {
 public:
  RowGroupBuilder(ColumnNames* names, int zstd_level) : names_(names), zstd_level_(zstd_level) {}

  // Each appends the chunk of `name` unless `values` is empty. Errors: InvalidArgument from the
  // encoders (over kMaxValuesPerPage values).
  Status U32(std::string_view name, std::span<const uint32_t> values);
  Status U64(std::string_view name, std::span<const uint64_t> values);
  Status I64(std::string_view name, std::span<const int64_t> values);
  Status Str(std::string_view name, std::span<const std::string_view> values);
  Status Bytes(std::string_view name, std::span<const std::string_view> values);
  // `bytes` holds values of `width` bytes each, back to back.
  Status Fixed(std::string_view name, std::string_view bytes);

  std::string& data() { return data_; }
  std::vector<ChunkInfo>& chunks() { return chunks_; }

 private:
  Status AddPage(uint8_t encoding, std::string_view encoded);
  void Finish(std::string_view name, size_t start, uint32_t pages, bool has_stats, int64_t min,
              int64_t max);

  ColumnNames* names_;
  int zstd_level_;
  std::string data_;
  std::vector<ChunkInfo> chunks_;
};

// A dictionary-coded string column as read: the distinct strings and one code per value, so a
// value is a view into the dictionary and reading the column builds no view per value.
struct StrColumn {
  std::vector<std::string_view> dictionary;
  std::vector<uint32_t> codes;  // each < dictionary.size() (checked when read)

  size_t size() const { return codes.size(); }
  std::string_view operator[](size_t i) const { return dictionary[codes[i]]; }
};

class RowGroupColumns {
 public:
  // `bytes` are the row group's bytes (empty when read lazily, see ReadLazily); `chunks` come
  // from the block meta and `names` is the block's index of them. `location` names the chunk set
  // in messages ("row group 3", "tables").
  RowGroupColumns(std::string_view block_id, std::string location, std::string_view bytes,
                  const std::vector<ChunkInfo>* chunks, const ColumnNameIndex* names)
      : block_id_(block_id),
        location_(std::move(location)),
        bytes_(bytes),
        chunks_(chunks),
        names_(names) {}

  // Column-first scans. The row group's bytes are read by `read` when a column first needs them
  // (then kept), not up front; read_status() keeps the outcome.
  void ReadLazily(std::function<Result<std::string>()> read) { read_ = std::move(read); }
  const Status& read_status() const { return read_status_; }
  // While `on`, pages are looked up in `cache` (under `owner` and keys naming `row_group`, the
  // chunk and the page) before being read, and pages read are kept there. Off by default: a
  // full decode reads every column once and should not churn the cache.
  void UseCache(PageCache* cache, uint64_t owner, uint32_t row_group) {
    cache_ = cache;
    cache_owner_ = owner;
    row_group_ = row_group;
  }
  void set_cache_on(bool on) { cache_on_ = on; }

  // Each fills `out` with the column's values (empty when the row group has no such chunk) and
  // checks it holds `expected` values unless expected is kAnyCount. Errors: DataLoss naming
  // block, row group, column and page.
  static constexpr size_t kAnyCount = SIZE_MAX;
  Status U32(std::string_view name, size_t expected, std::vector<uint32_t>* out);
  Status U64(std::string_view name, size_t expected, std::vector<uint64_t>* out);
  Status I64(std::string_view name, size_t expected, std::vector<int64_t>* out);
  Status Str(std::string_view name, size_t expected, std::vector<std::string_view>* out);
  Status Bytes(std::string_view name, size_t expected, std::vector<std::string_view>* out);
  Status Fixed(std::string_view name, size_t width, size_t expected, std::string_view* out);
  // A dictionary column as its distinct strings (ascending) and one code per value, without
  // building a string per value; `codes` may be null to read the dictionary only. Both are empty
  // when the chunk is absent.
  Status Codes(std::string_view name, size_t expected, std::vector<std::string_view>* dictionary,
               std::vector<uint32_t>* codes);
  // As Str, as a StrColumn.
  Status Dict(std::string_view name, size_t expected, StrColumn* out) {
    return Codes(name, expected, &out->dictionary, &out->codes);
  }

 private:
  // The chunk's pages' payloads (decompressed when needed), or empty if the chunk is absent.
  Status Pages(std::string_view name, uint32_t want_pages, std::vector<std::string_view>* out);
  Status Error(std::string_view name, int page, std::string_view what) const;
  Status CheckCount(std::string_view name, size_t got, size_t expected) const;
  // A one-page chunk decoded by `decode(page, out)`; the shared body of U32/U64/I64.
  template <typename T, typename Decode>
  Status SinglePage(std::string_view name, size_t expected, std::vector<T>* out, Decode decode);

  // The chunk of `name`, or null.
  const ChunkInfo* FindChunk(std::string_view name);
  // Reads the row group's bytes if they are read lazily and not read yet.
  Status EnsureBytes();
  // Fills *out with the cached payloads of `chunk`'s pages; false (out cleared) unless all are.
  bool CachedPages(const ChunkInfo& chunk, std::vector<std::string_view>* out);
  uint64_t CacheKey(const ChunkInfo& chunk, uint32_t page) const;

  std::string block_id_;
  std::string location_;
  std::string_view bytes_;
  const std::vector<ChunkInfo>* chunks_;
  const ColumnNameIndex* names_;
  // Chunk index by column name id (-1: absent), built at the first look-up: a row group is read
  // by name for every column, most of them absent.
  std::vector<int32_t> chunk_by_name_;
  std::vector<std::unique_ptr<std::string>> buffers_;
  std::vector<std::shared_ptr<const std::string>> held_;  // cached payloads handed out

  std::function<Result<std::string>()> read_;
  Status read_status_;
  std::string owned_bytes_;  // what read_ returned
  PageCache* cache_ = nullptr;
  uint64_t cache_owner_ = 0;
  uint32_t row_group_ = 0;
  bool cache_on_ = false;
};

}  // namespace th::store::block::internal

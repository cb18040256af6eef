// Column chunks of one row group (docs/formats/block.md, "Column kinds"): RowGroupBuilder
// encodes typed value vectors into pages appended to one buffer and records each chunk's
// location and statistics; RowGroupColumns decodes chunks back by name, verifying every page's
// checksum and reporting DataLoss that names the block, row group, column and page.
// RowGroupColumns borrows the row group bytes; string views it returns point into those bytes
// or into buffers it owns, so they live as long as both. Thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

#include "absl/container/flat_hash_map.h"

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

class RowGroupColumns {
 public:
  // `bytes` are the row group's bytes; `chunks` and `names` come from the block meta.
  // `location` names the chunk set in messages ("row group 3", "tables").
  RowGroupColumns(std::string_view block_id, std::string location, std::string_view bytes,
                  const std::vector<ChunkInfo>* chunks, const std::vector<std::string>* names)
      : block_id_(block_id),
        location_(std::move(location)),
        bytes_(bytes),
        chunks_(chunks),
        names_(names) {}

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

 private:
  // The chunk's pages' payloads (decompressed when needed), or empty if the chunk is absent.
  Status Pages(std::string_view name, uint32_t want_pages, std::vector<std::string_view>* out);
  Status Error(std::string_view name, int page, std::string_view what) const;
  Status CheckCount(std::string_view name, size_t got, size_t expected) const;
  // A one-page chunk decoded by `decode(page, out)`; the shared body of U32/U64/I64.
  template <typename T, typename Decode>
  Status SinglePage(std::string_view name, size_t expected, std::vector<T>* out, Decode decode);

  std::string block_id_;
  std::string location_;
  std::string_view bytes_;
  const std::vector<ChunkInfo>* chunks_;
  const std::vector<std::string>* names_;
  // The chunks by column name, built at the first look-up (a row group is read by name for
  // every column, most of them absent: a scan of the chunk list per column cost more).
  absl::flat_hash_map<std::string_view, const ChunkInfo*> by_name_;
  std::vector<std::unique_ptr<std::string>> buffers_;
};

}  // namespace th::store::block::internal

// Delta encoding for sorted or nearly sorted int64 columns (timestamps): the page's first value,
// then blocks of up to 128 values, each holding its own first value (relative to the page's)
// and its successive differences frame-of-reference packed (docs/formats/encodings.md, "Delta").
// Blocks are independent, so DeltaReader can skip a block by reading only its small header.
// Unsorted input is correct, only larger. Differences use wrapping 64-bit arithmetic, so every
// int64 sequence round-trips. Encoders/decoders are pure functions; a DeltaReader is
// thread-compatible and borrows the page bytes, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace th::store::block::encoding {

// Values per delta block.
inline constexpr size_t kDeltaBlockValues = 128;

// Appends the encoding of `values` to `out`. Errors: InvalidArgument if values.size() >
// kMaxValuesPerPage.
Status EncodeDelta(std::span<const int64_t> values, std::string* out);

// Decodes all of `in` into `out` (resized). Errors: DataLoss naming the block and field for
// truncated input, trailing bytes, bad widths or a count over kMaxValuesPerPage.
Status DecodeDelta(std::string_view in, std::vector<int64_t>* out);

// Block-at-a-time reader of a delta page.
class DeltaReader {
 public:
  // Reads the page header. Errors: DataLoss for a truncated header or a count over the limit.
  static Result<DeltaReader> Open(std::string_view page);

  // Values in the page, and the index of the first value the next Read/Skip covers.
  size_t size() const { return count_; }
  size_t position() const { return position_; }
  bool done() const { return position_ == count_; }

  // Moves past the next block without unpacking it. Errors: DataLoss for a corrupt block header
  // or a block that runs past the page. Requires: !done().
  Status SkipBlock();

  // Appends the next block's values (kDeltaBlockValues, fewer for the last block) to `out`.
  // Errors: as SkipBlock. Requires: !done().
  Status ReadBlock(std::vector<int64_t>* out);

  // Bytes of the page not yet consumed (trailing garbage once done()).
  size_t remaining_bytes() const { return page_.size() - offset_; }

 private:
  struct BlockHeader {
    uint64_t first;      // absolute, as uint64 bits
    uint64_t min_delta;  // as uint64 bits
    int width;
    size_t values;
    std::string_view packed;
  };
  DeltaReader(std::string_view page, size_t offset, size_t count, uint64_t page_first)
      : page_(page), offset_(offset), count_(count), page_first_(page_first) {}
  Status ReadHeader(BlockHeader* h);

  std::string_view page_;
  size_t offset_;
  size_t count_;
  size_t position_ = 0;
  uint64_t page_first_;
};

}  // namespace th::store::block::encoding

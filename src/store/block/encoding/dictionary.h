// Dictionary encoding for string columns with repeated values: a dictionary page holding each
// distinct string once, in ascending byte order, and a codes page giving each row's index into
// it, bit-packed (docs/formats/encodings.md, "Dictionary"). Because entries are sorted, a code
// order is the string order: equality and range predicates on a page turn into code comparisons
// after one binary search of the dictionary, and "does this page contain X?" is answered from the
// dictionary alone. Encoders/decoders are pure functions; a Dictionary is immutable after Open
// (thread-safe to share) and borrows the page bytes, which must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace th::store::block::encoding {

// Appends the dictionary page of `values` to `dictionary_page` and the codes page (the
// bit-packed column encoding of one code per value, see bit_pack.h) to `codes_page`.
// Errors: InvalidArgument if values.size() > kMaxValuesPerPage.
Status EncodeDictionary(std::span<const std::string_view> values, std::string* dictionary_page,
                        std::string* codes_page);

// The decoded view of a dictionary page.
class Dictionary {
 public:
  // Parses all of `page`. Errors: DataLoss for truncated entries, trailing bytes, a count over
  // kMaxValuesPerPage, or entries not strictly ascending (which would break Find).
  static Result<Dictionary> Open(std::string_view page);

  uint32_t size() const { return static_cast<uint32_t>(entries_.size()); }

  // The string of `code`. Requires: code < size(). The view points into the page.
  std::string_view Get(uint32_t code) const { return entries_[code]; }

  // The code of `value`, or nullopt if the page holds no row equal to it.
  std::optional<uint32_t> Find(std::string_view value) const;

  // The first code whose string is >= `value` (size() if none): rows with a string < value are
  // exactly those with a code below it.
  uint32_t LowerBound(std::string_view value) const;

 private:
  explicit Dictionary(std::vector<std::string_view> entries) : entries_(std::move(entries)) {}
  std::vector<std::string_view> entries_;
};

// Decodes a codes page into `codes` (resized) without touching strings. Errors: as
// DecodeBitPacked, plus DataLoss if a code is >= `dictionary_size`.
Status DecodeCodes(std::string_view codes_page, uint32_t dictionary_size,
                   std::vector<uint32_t>* codes);

}  // namespace th::store::block::encoding

#include "store/block/encoding/dictionary.h"

#include <algorithm>
#include <numeric>

#include "common/strings.h"
#include "store/block/encoding/bit_pack.h"
#include "store/block/encoding/internal/coding.h"
#include "store/block/encoding/limits.h"

namespace th::store::block::encoding {

Status EncodeDictionary(std::span<const std::string_view> values, std::string* dictionary_page,
                        std::string* codes_page) {
  if (values.size() > kMaxValuesPerPage) {
    return absl::InvalidArgumentError(
        StrCat("dictionary page: ", values.size(), " values over limit ", kMaxValuesPerPage));
  }
  // Sorting row indexes by value gives the distinct strings in order and each row's rank at once.
  std::vector<uint32_t> order(values.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return values[a] < values[b]; });
  std::vector<uint32_t> codes(values.size());
  std::string entries;
  uint32_t distinct = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    std::string_view v = values[order[i]];
    if (i == 0 || v != values[order[i - 1]]) {
      internal::PutVarint64(&entries, v.size());
      entries.append(v);
      ++distinct;
    }
    codes[order[i]] = distinct - 1;
  }
  internal::PutVarint64(dictionary_page, distinct);
  dictionary_page->append(entries);
  return EncodeBitPacked(codes, codes_page);
}

Result<Dictionary> Dictionary::Open(std::string_view page) {
  internal::ByteReader r(page);
  uint64_t count;
  if (!r.ReadVarint64(&count)) return absl::DataLossError("dictionary page: truncated count");
  // Every entry takes at least its one-byte length.
  if (count > kMaxValuesPerPage || count > r.remaining()) {
    return absl::DataLossError(StrCat("dictionary page: count ", count, " impossible with ",
                                      r.remaining(), " bytes (limit ", kMaxValuesPerPage, ")"));
  }
  std::vector<std::string_view> entries(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len;
    if (!r.ReadVarint64(&len)) {
      return absl::DataLossError(StrCat("dictionary page: entry ", i, ": truncated length"));
    }
    if (!r.ReadBytes(len, &entries[i])) {
      return absl::DataLossError(StrCat("dictionary page: entry ", i, ": length ", len,
                                        " runs past the page (", r.remaining(), " bytes left)"));
    }
    if (i > 0 && !(entries[i - 1] < entries[i])) {
      return absl::DataLossError(StrCat("dictionary page: entry ", i, " not above entry ", i - 1));
    }
  }
  if (r.remaining() != 0) {
    return absl::DataLossError(StrCat("dictionary page: ", r.remaining(), " trailing bytes"));
  }
  return Dictionary(std::move(entries));
}

uint32_t Dictionary::LowerBound(std::string_view value) const {
  return static_cast<uint32_t>(std::lower_bound(entries_.begin(), entries_.end(), value) -
                               entries_.begin());
}

std::optional<uint32_t> Dictionary::Find(std::string_view value) const {
  uint32_t code = LowerBound(value);
  if (code < entries_.size() && entries_[code] == value) return code;
  return std::nullopt;
}

Status DecodeCodes(std::string_view codes_page, uint32_t dictionary_size,
                   std::vector<uint32_t>* codes) {
  RETURN_IF_ERROR(DecodeBitPacked(codes_page, codes));
  // Fixed-size inner loops: GCC vectorises them at -O2, whose cheap cost model leaves a plain
  // loop over an unknown count scalar (this check would otherwise cost more than the unpack).
  constexpr size_t kChunk = 64;
  const uint32_t* p = codes->data();
  const size_t n = codes->size();
  uint32_t max = 0;
  size_t i = 0;
  for (; i + kChunk <= n; i += kChunk) {
    uint32_t m = 0;
    for (size_t j = 0; j < kChunk; ++j) m = std::max(m, p[i + j]);
    max = std::max(max, m);
  }
  for (; i < n; ++i) max = std::max(max, p[i]);
  if (!codes->empty() && max >= dictionary_size) {
    return absl::DataLossError(StrCat("dictionary codes page: code ", max,
                                      " out of range for a dictionary of ", dictionary_size));
  }
  return absl::OkStatus();
}

}  // namespace th::store::block::encoding

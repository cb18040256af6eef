#include "store/block/encoding/dictionary.h"

#include <algorithm>
#include <numeric>

#include "absl/container/flat_hash_map.h"

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
  // Distinct values first (one hash per value), then only those sorted: most columns repeat a
  // few strings thousands of times, and sorting every row by value compared strings n log n
  // times (it was most of a block build's time).
  absl::flat_hash_map<std::string_view, uint32_t> first_seen;
  std::vector<std::string_view> distinct_values;
  std::vector<uint32_t> codes(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    auto [it, fresh] =
        first_seen.try_emplace(values[i], static_cast<uint32_t>(distinct_values.size()));
    if (fresh) distinct_values.push_back(values[i]);
    codes[i] = it->second;
  }
  std::vector<uint32_t> order(distinct_values.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return distinct_values[a] < distinct_values[b];
  });
  std::vector<uint32_t> rank(distinct_values.size());
  std::string entries;
  for (uint32_t r = 0; r < order.size(); ++r) {
    const std::string_view v = distinct_values[order[r]];
    internal::PutVarint64(&entries, v.size());
    entries.append(v);
    rank[order[r]] = r;
  }
  for (uint32_t& c : codes) c = rank[c];
  const uint32_t distinct = static_cast<uint32_t>(distinct_values.size());
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

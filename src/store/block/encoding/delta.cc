#include "store/block/encoding/delta.h"

#include <algorithm>

#include "common/strings.h"
#include "store/block/encoding/bit_pack.h"
#include "store/block/encoding/internal/coding.h"
#include "store/block/encoding/limits.h"

namespace th::store::block::encoding {

using internal::ZigZagDecode;
using internal::ZigZagEncode;

Status EncodeDelta(std::span<const int64_t> values, std::string* out) {
  if (values.size() > kMaxValuesPerPage) {
    return absl::InvalidArgumentError(
        StrCat("delta page: ", values.size(), " values over limit ", kMaxValuesPerPage));
  }
  internal::PutVarint64(out, values.size());
  if (values.empty()) return absl::OkStatus();
  const uint64_t page_first = static_cast<uint64_t>(values[0]);
  internal::PutVarint64(out, ZigZagEncode(values[0]));
  uint64_t packed[kDeltaBlockValues];
  for (size_t start = 0; start < values.size(); start += kDeltaBlockValues) {
    size_t n = std::min(kDeltaBlockValues, values.size() - start);
    const uint64_t first = static_cast<uint64_t>(values[start]);
    internal::PutVarint64(out, ZigZagEncode(static_cast<int64_t>(first - page_first)));
    int64_t min_delta = 0;
    for (size_t i = 1; i < n; ++i) {
      auto d = static_cast<int64_t>(static_cast<uint64_t>(values[start + i]) -
                                    static_cast<uint64_t>(values[start + i - 1]));
      min_delta = i == 1 ? d : std::min(min_delta, d);
    }
    uint64_t max_packed = 0;
    for (size_t i = 1; i < n; ++i) {
      uint64_t d =
          static_cast<uint64_t>(values[start + i]) - static_cast<uint64_t>(values[start + i - 1]);
      packed[i - 1] = d - static_cast<uint64_t>(min_delta);
      max_packed = std::max(max_packed, packed[i - 1]);
    }
    int width = BitWidth(max_packed);
    internal::PutVarint64(out, ZigZagEncode(min_delta));
    out->push_back(static_cast<char>(width));
    PackBits(std::span<const uint64_t>(packed, n - 1), width, out);
  }
  return absl::OkStatus();
}

Result<DeltaReader> DeltaReader::Open(std::string_view page) {
  internal::ByteReader r(page);
  uint64_t count;
  if (!r.ReadVarint64(&count)) return absl::DataLossError("delta page: truncated count");
  if (count > kMaxValuesPerPage) {
    return absl::DataLossError(
        StrCat("delta page: count ", count, " over limit ", kMaxValuesPerPage));
  }
  uint64_t first = 0;
  if (count > 0) {
    if (!r.ReadVarint64(&first)) return absl::DataLossError("delta page: truncated first value");
    first = static_cast<uint64_t>(ZigZagDecode(first));
  }
  // Each block header takes at least 3 bytes; checking this first bounds what a reader of a
  // corrupt count would allocate.
  size_t blocks = (count + kDeltaBlockValues - 1) / kDeltaBlockValues;
  if (r.remaining() < 3 * blocks) {
    return absl::DataLossError(StrCat("delta page: ", count, " values need at least ", 3 * blocks,
                                      " more bytes, have ", r.remaining()));
  }
  return DeltaReader(page, r.offset(), count, first);
}

Status DeltaReader::ReadHeader(BlockHeader* h) {
  size_t block = position_ / kDeltaBlockValues;
  internal::ByteReader r(page_.substr(offset_));
  uint64_t first, min_delta;
  uint8_t width;
  if (!r.ReadVarint64(&first)) {
    return absl::DataLossError(StrCat("delta page: block ", block, ": truncated first value"));
  }
  if (!r.ReadVarint64(&min_delta)) {
    return absl::DataLossError(StrCat("delta page: block ", block, ": truncated min delta"));
  }
  if (!r.ReadByte(&width)) {
    return absl::DataLossError(StrCat("delta page: block ", block, ": truncated width"));
  }
  if (width > 64) {
    return absl::DataLossError(StrCat("delta page: block ", block, ": width ", width, " over 64"));
  }
  h->first = page_first_ + static_cast<uint64_t>(ZigZagDecode(first));
  h->min_delta = static_cast<uint64_t>(ZigZagDecode(min_delta));
  h->width = width;
  h->values = std::min(kDeltaBlockValues, count_ - position_);
  size_t need = PackedBytes(h->values - 1, width);
  if (!r.ReadBytes(need, &h->packed)) {
    return absl::DataLossError(StrCat("delta page: block ", block, ": ", h->values - 1,
                                      " deltas of ", static_cast<int>(width), " bits need ", need,
                                      " bytes, have ", r.remaining()));
  }
  offset_ += r.offset();
  position_ += h->values;
  return absl::OkStatus();
}

Status DeltaReader::SkipBlock() {
  BlockHeader h;
  return ReadHeader(&h);
}

Status DeltaReader::ReadBlock(std::vector<int64_t>* out) {
  BlockHeader h;
  RETURN_IF_ERROR(ReadHeader(&h));
  uint64_t deltas[kDeltaBlockValues];
  RETURN_IF_ERROR(UnpackBits(h.packed, h.values - 1, h.width, deltas));
  size_t start = out->size();
  out->resize(start + h.values);
  int64_t* dst = out->data() + start;
  uint64_t v = h.first;
  dst[0] = static_cast<int64_t>(v);
  for (size_t i = 1; i < h.values; ++i) {
    v += deltas[i - 1] + h.min_delta;
    dst[i] = static_cast<int64_t>(v);
  }
  return absl::OkStatus();
}

Status DecodeDelta(std::string_view in, std::vector<int64_t>* out) {
  ASSIGN_OR_RETURN(DeltaReader reader, DeltaReader::Open(in));
  out->clear();
  out->reserve(reader.size());
  while (!reader.done()) RETURN_IF_ERROR(reader.ReadBlock(out));
  if (reader.remaining_bytes() != 0) {
    return absl::DataLossError(StrCat("delta page: ", reader.remaining_bytes(), " trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace th::store::block::encoding

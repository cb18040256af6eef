#include "store/block/encoding/frame_of_reference.h"

#include <algorithm>
#include <type_traits>

#include "common/strings.h"
#include "store/block/encoding/bit_pack.h"
#include "store/block/encoding/internal/coding.h"
#include "store/block/encoding/limits.h"

namespace th::store::block::encoding {
namespace {

template <typename T>
Status Encode(std::span<const T> values, std::string* out) {
  if (values.size() > kMaxValuesPerPage) {
    return absl::InvalidArgumentError(StrCat("frame-of-reference page: ", values.size(),
                                             " values over limit ", kMaxValuesPerPage));
  }
  internal::PutVarint64(out, values.size());
  if (values.empty()) return absl::OkStatus();
  auto [min_it, max_it] = std::minmax_element(values.begin(), values.end());
  T min = *min_it;
  if constexpr (std::is_signed_v<T>) {
    internal::PutVarint64(out, internal::ZigZagEncode(min));
  } else {
    internal::PutVarint64(out, min);
  }
  // Unsigned subtraction: exact for every pair since max >= min.
  const uint64_t base = static_cast<uint64_t>(min);
  int width = BitWidth(static_cast<uint64_t>(*max_it) - base);
  out->push_back(static_cast<char>(width));
  std::vector<uint64_t> distances(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    distances[i] = static_cast<uint64_t>(values[i]) - base;
  }
  PackBits(distances, width, out);
  return absl::OkStatus();
}

template <typename T>
Status Decode(std::string_view in, std::vector<T>* out) {
  internal::ByteReader r(in);
  uint64_t count;
  if (!r.ReadVarint64(&count)) {
    return absl::DataLossError("frame-of-reference page: truncated count");
  }
  if (count > kMaxValuesPerPage) {
    return absl::DataLossError(
        StrCat("frame-of-reference page: count ", count, " over limit ", kMaxValuesPerPage));
  }
  out->clear();
  if (count == 0) {
    if (r.remaining() != 0) {
      return absl::DataLossError(
          StrCat("frame-of-reference page: ", r.remaining(), " trailing bytes"));
    }
    return absl::OkStatus();
  }
  uint64_t base;
  uint8_t width;
  if (!r.ReadVarint64(&base)) return absl::DataLossError("frame-of-reference page: truncated min");
  if constexpr (std::is_signed_v<T>) base = static_cast<uint64_t>(internal::ZigZagDecode(base));
  if (!r.ReadByte(&width)) return absl::DataLossError("frame-of-reference page: truncated width");
  if (width > 64) {
    return absl::DataLossError(StrCat("frame-of-reference page: width ", width, " over 64"));
  }
  size_t need = PackedBytes(count, width);
  if (r.remaining() != need) {
    return absl::DataLossError(StrCat("frame-of-reference page: ", count, " values of ", width,
                                      " bits need ", need, " bytes, have ", r.remaining()));
  }
  out->resize(count);
  // A signed type and its unsigned counterpart may alias each other.
  auto* raw = reinterpret_cast<uint64_t*>(out->data());
  RETURN_IF_ERROR(UnpackBits(r.rest(), count, width, raw));
  for (size_t i = 0; i < count; ++i) raw[i] += base;
  return absl::OkStatus();
}

}  // namespace

Status EncodeFrameOfReference(std::span<const uint64_t> values, std::string* out) {
  return Encode(values, out);
}
Status EncodeFrameOfReference(std::span<const int64_t> values, std::string* out) {
  return Encode(values, out);
}
Status DecodeFrameOfReference(std::string_view in, std::vector<uint64_t>* out) {
  return Decode(in, out);
}
Status DecodeFrameOfReference(std::string_view in, std::vector<int64_t>* out) {
  return Decode(in, out);
}

}  // namespace th::store::block::encoding

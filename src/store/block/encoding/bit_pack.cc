#include "store/block/encoding/bit_pack.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "common/strings.h"
#include "store/block/encoding/internal/coding.h"
#include "store/block/encoding/limits.h"

namespace th::store::block::encoding {
namespace {

// Values per kernel call. A group of 32 values at width W is exactly 4*W bytes, so every group
// starts on a byte boundary and the bit offset of each value within its group is a constant.
constexpr size_t kGroup = 32;
// Bytes a kernel may read past the end of its group: one 8-byte load at the last value's byte,
// plus a second one for widths above 57 where a value can straddle two words.
constexpr size_t kSlack = 16;

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

template <int W, typename T, size_t I>
inline void UnpackOne(const uint8_t* in, T* out) {
  constexpr size_t kBit = I * W;
  constexpr size_t kByte = kBit / 8;
  constexpr int kShift = kBit % 8;
  uint64_t v = Load64(in + kByte) >> kShift;
  if constexpr (kShift + W > 64) v |= Load64(in + kByte + 8) << (64 - kShift);
  if constexpr (W < 64) v &= (uint64_t{1} << W) - 1;
  out[I] = static_cast<T>(v);
}

// Unpacks one group; every offset and shift is a compile-time constant, so this compiles to
// straight-line loads, shifts and masks (and SIMD where GCC finds it profitable).
template <int W, typename T>
void UnpackGroup(const uint8_t* in, T* out) {
  [&]<size_t... I>(std::index_sequence<I...>) { (UnpackOne<W, T, I>(in, out), ...); }
  (std::make_index_sequence<kGroup>{});
}

template <typename T>
using Kernel = void (*)(const uint8_t*, T*);

template <typename T, size_t... W>
constexpr std::array<Kernel<T>, sizeof...(W)> MakeKernels(std::index_sequence<W...>) {
  return {&UnpackGroup<static_cast<int>(W), T>...};
}

constexpr auto kKernels32 = MakeKernels<uint32_t>(std::make_index_sequence<33>{});
constexpr auto kKernels64 = MakeKernels<uint64_t>(std::make_index_sequence<65>{});

template <typename T>
void Pack(std::span<const T> values, int width, std::string* out) {
  if (width == 0 || values.empty()) return;
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  size_t start = out->size();
  out->resize(start + PackedBytes(values.size(), width));
  char* dst = out->data() + start;
  uint64_t acc = 0;
  int filled = 0;  // bits of `acc` in use, always < 64 between values
  for (T value : values) {
    uint64_t v = static_cast<uint64_t>(value) & mask;
    acc |= v << filled;
    if (filled + width >= 64) {
      std::memcpy(dst, &acc, 8);
      dst += 8;
      acc = filled == 0 ? 0 : v >> (64 - filled);
      filled = filled + width - 64;
    } else {
      filled += width;
    }
  }
  std::memcpy(dst, &acc, static_cast<size_t>((filled + 7) / 8));
}

template <typename T, size_t N>
Status Unpack(std::string_view in, size_t count, int width, T* out,
              const std::array<Kernel<T>, N>& kernels) {
  if (width < 0 || static_cast<size_t>(width) >= N) {
    return absl::InvalidArgumentError(
        StrCat("bit-packed run: width ", width, " out of range 0..", N - 1));
  }
  if (count > kMaxValuesPerPage) {
    return absl::InvalidArgumentError(
        StrCat("bit-packed run: count ", count, " over limit ", kMaxValuesPerPage));
  }
  size_t need = PackedBytes(count, width);
  if (in.size() < need) {
    return absl::DataLossError(StrCat("bit-packed run: ", count, " values of ", width,
                                      " bits need ", need, " bytes, have ", in.size()));
  }
  Kernel<T> kernel = kernels[width];
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  const size_t group_bytes = 4 * static_cast<size_t>(width);
  size_t done = 0;
  // Whole groups whose over-read stays inside `in`.
  size_t offset = 0;
  while (count - done >= kGroup && offset + group_bytes + kSlack <= in.size()) {
    kernel(src + offset, out + done);
    done += kGroup;
    offset += group_bytes;
  }
  // The tail: copy what is left of the run into a zeroed buffer so the kernel may over-read.
  while (done < count) {
    uint8_t buf[4 * 64 + kSlack] = {};
    T tmp[kGroup];
    size_t n = std::min(kGroup, count - done);
    size_t bytes = std::min(group_bytes, need - offset);
    if (bytes > 0) std::memcpy(buf, src + offset, bytes);
    kernel(buf, tmp);
    std::copy_n(tmp, n, out + done);
    done += n;
    offset += group_bytes;
  }
  return absl::OkStatus();
}

}  // namespace

void PackBits(std::span<const uint64_t> values, int width, std::string* out) {
  Pack(values, width, out);
}
void PackBits(std::span<const uint32_t> values, int width, std::string* out) {
  Pack(values, width, out);
}

Status UnpackBits(std::string_view in, size_t count, int width, uint64_t* out) {
  return Unpack(in, count, width, out, kKernels64);
}
Status UnpackBits(std::string_view in, size_t count, int width, uint32_t* out) {
  return Unpack(in, count, width, out, kKernels32);
}

Status EncodeBitPacked(std::span<const uint32_t> values, std::string* out) {
  if (values.size() > kMaxValuesPerPage) {
    return absl::InvalidArgumentError(
        StrCat("bit-packed column: ", values.size(), " values over limit ", kMaxValuesPerPage));
  }
  uint32_t max = 0;
  for (uint32_t v : values) max = std::max(max, v);
  int width = BitWidth(max);
  internal::PutVarint64(out, values.size());
  out->push_back(static_cast<char>(width));
  PackBits(values, width, out);
  return absl::OkStatus();
}

Status DecodeBitPacked(std::string_view in, std::vector<uint32_t>* out) {
  internal::ByteReader r(in);
  uint64_t count;
  uint8_t width;
  if (!r.ReadVarint64(&count)) return absl::DataLossError("bit-packed column: truncated count");
  if (count > kMaxValuesPerPage) {
    return absl::DataLossError(
        StrCat("bit-packed column: count ", count, " over limit ", kMaxValuesPerPage));
  }
  if (!r.ReadByte(&width)) return absl::DataLossError("bit-packed column: truncated width");
  if (width > 32) {
    return absl::DataLossError(StrCat("bit-packed column: width ", width, " over 32"));
  }
  size_t need = PackedBytes(count, width);
  if (r.remaining() != need) {
    return absl::DataLossError(StrCat("bit-packed column: ", count, " values of ", width,
                                      " bits need ", need, " bytes, have ", r.remaining()));
  }
  out->resize(count);
  return UnpackBits(r.rest(), count, width, out->data());
}

}  // namespace th::store::block::encoding

#include "store/block/encoding/compression.h"

#include <limits>

#include "common/strings.h"
#include "store/block/encoding/internal/coding.h"
#include "store/block/encoding/limits.h"

#include <lz4.h>
#include <zstd.h>

namespace th::store::block::encoding {
namespace {

// One decompression context per thread, reused: ZSTD_decompress sets up (allocates and
// initialises) a fresh context on every call, which for a row group's ~100 small pages cost
// more than the decompression itself.
ZSTD_DCtx* ThreadDCtx() {
  struct Holder {
    ZSTD_DCtx* ctx = ZSTD_createDCtx();
    ~Holder() { ZSTD_freeDCtx(ctx); }
  };
  thread_local Holder holder;
  return holder.ctx;
}

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kZstd:
      return "zstd";
    case Compression::kLz4:
      return "lz4";
  }
  return "unknown";
}

Status Compress(Compression compression, std::string_view in, std::string* out, int zstd_level) {
  if (in.size() > kMaxPageBytes) {
    return absl::InvalidArgumentError(
        StrCat("compress: ", in.size(), " bytes over page limit ", kMaxPageBytes));
  }
  switch (compression) {
    case Compression::kNone:
      out->append(in);
      return absl::OkStatus();
    case Compression::kZstd: {
      internal::PutVarint64(out, in.size());
      size_t start = out->size();
      size_t bound = ZSTD_compressBound(in.size());
      out->resize(start + bound);
      size_t n = ZSTD_compress(out->data() + start, bound, in.data(), in.size(), zstd_level);
      if (ZSTD_isError(n)) {
        out->resize(start);
        return absl::InternalError(StrCat("zstd compress: ", ZSTD_getErrorName(n)));
      }
      out->resize(start + n);
      return absl::OkStatus();
    }
    case Compression::kLz4: {
      internal::PutVarint64(out, in.size());
      size_t start = out->size();
      int bound = LZ4_compressBound(static_cast<int>(in.size()));
      out->resize(start + static_cast<size_t>(bound));
      int n =
          LZ4_compress_default(in.data(), out->data() + start, static_cast<int>(in.size()), bound);
      if (n <= 0 && !in.empty()) {
        out->resize(start);
        return absl::InternalError("lz4 compress failed");
      }
      out->resize(start + static_cast<size_t>(n));
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      StrCat("compress: unknown compression id ", static_cast<int>(compression)));
}

Status Decompress(Compression compression, std::string_view in, size_t max_bytes,
                  std::string* out) {
  out->clear();
  if (compression == Compression::kNone) {
    if (in.size() > max_bytes) {
      return absl::DataLossError(
          StrCat("uncompressed page: ", in.size(), " bytes over limit ", max_bytes));
    }
    out->assign(in.data(), in.size());
    return absl::OkStatus();
  }
  if (compression != Compression::kZstd && compression != Compression::kLz4) {
    return absl::InvalidArgumentError(
        StrCat("decompress: unknown compression id ", static_cast<int>(compression)));
  }
  std::string_view name = CompressionName(compression);
  internal::ByteReader r(in);
  uint64_t size;
  if (!r.ReadVarint64(&size)) {
    return absl::DataLossError(StrCat(name, " page: truncated uncompressed size"));
  }
  if (size > max_bytes || size > kMaxPageBytes) {
    return absl::DataLossError(StrCat(name, " page: uncompressed size ", size, " over limit ",
                                      std::min(max_bytes, kMaxPageBytes)));
  }
  std::string_view src = r.rest();
  out->resize(size);
  if (compression == Compression::kZstd) {
    ZSTD_DCtx* ctx = ThreadDCtx();
    size_t n = ctx != nullptr ? ZSTD_decompressDCtx(ctx, out->data(), size, src.data(), src.size())
                              : ZSTD_decompress(out->data(), size, src.data(), src.size());
    if (ZSTD_isError(n)) {
      out->clear();
      return absl::DataLossError(StrCat("zstd page: corrupt: ", ZSTD_getErrorName(n)));
    }
    if (n != size) {
      out->clear();
      return absl::DataLossError(
          StrCat("zstd page: decompressed to ", n, " bytes, header says ", size));
    }
    return absl::OkStatus();
  }
  if (src.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return absl::DataLossError(StrCat("lz4 page: ", src.size(), " compressed bytes too many"));
  }
  int n = LZ4_decompress_safe(src.data(), out->data(), static_cast<int>(src.size()),
                              static_cast<int>(size));
  if (n < 0 || static_cast<uint64_t>(n) != size) {
    out->clear();
    return absl::DataLossError(
        n < 0 ? std::string("lz4 page: corrupt data")
              : StrCat("lz4 page: decompressed to ", n, " bytes, header says ", size));
  }
  return absl::OkStatus();
}

}  // namespace th::store::block::encoding

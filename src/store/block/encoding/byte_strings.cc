#include "store/block/encoding/byte_strings.h"

#include <cstring>
#include <limits>

#include "common/strings.h"
#include "store/block/encoding/internal/coding.h"
#include "store/block/encoding/limits.h"

namespace th::store::block::encoding {
namespace {

Status CheckCount(std::string_view what, size_t n) {
  if (n > kMaxValuesPerPage) {
    return absl::InvalidArgumentError(
        StrCat(what, ": ", n, " values over limit ", kMaxValuesPerPage));
  }
  return absl::OkStatus();
}

}  // namespace

Status EncodePlainStrings(std::span<const std::string_view> values, std::string* out) {
  RETURN_IF_ERROR(CheckCount("plain strings page", values.size()));
  uint64_t end = 0;
  for (std::string_view v : values) end += v.size();
  if (end > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        StrCat("plain strings page: ", end, " bytes of strings over the 4 GiB offset range"));
  }
  internal::PutVarint64(out, values.size());
  end = 0;
  for (std::string_view v : values) {
    end += v.size();
    internal::PutFixed32(out, static_cast<uint32_t>(end));
  }
  for (std::string_view v : values) out->append(v);
  return absl::OkStatus();
}

Status DecodePlainStrings(std::string_view in, std::vector<std::string_view>* out) {
  internal::ByteReader r(in);
  uint64_t count;
  if (!r.ReadVarint64(&count)) return absl::DataLossError("plain strings page: truncated count");
  if (count > kMaxValuesPerPage || count * 4 > r.remaining()) {
    return absl::DataLossError(StrCat("plain strings page: count ", count, " impossible with ",
                                      r.remaining(), " bytes (limit ", kMaxValuesPerPage, ")"));
  }
  std::string_view offsets;
  r.ReadBytes(count * 4, &offsets);
  std::string_view data = r.rest();
  out->resize(count);
  uint32_t start = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint32_t end;
    std::memcpy(&end, offsets.data() + 4 * i, 4);
    if (end < start || end > data.size()) {
      return absl::DataLossError(StrCat("plain strings page: row ", i, ": end offset ", end,
                                        " outside ", start, "..", data.size()));
    }
    (*out)[i] = data.substr(start, end - start);
    start = end;
  }
  if (start != data.size()) {
    return absl::DataLossError(
        StrCat("plain strings page: ", data.size() - start, " trailing bytes"));
  }
  return absl::OkStatus();
}

Status EncodeLengthPrefixedStrings(std::span<const std::string_view> values, std::string* out) {
  RETURN_IF_ERROR(CheckCount("length-prefixed strings page", values.size()));
  internal::PutVarint64(out, values.size());
  for (std::string_view v : values) {
    internal::PutVarint64(out, v.size());
    out->append(v);
  }
  return absl::OkStatus();
}

Status DecodeLengthPrefixedStrings(std::string_view in, std::vector<std::string_view>* out) {
  internal::ByteReader r(in);
  uint64_t count;
  if (!r.ReadVarint64(&count)) {
    return absl::DataLossError("length-prefixed strings page: truncated count");
  }
  if (count > kMaxValuesPerPage || count > r.remaining()) {
    return absl::DataLossError(StrCat("length-prefixed strings page: count ", count,
                                      " impossible with ", r.remaining(), " bytes (limit ",
                                      kMaxValuesPerPage, ")"));
  }
  out->resize(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len;
    if (!r.ReadVarint64(&len)) {
      return absl::DataLossError(
          StrCat("length-prefixed strings page: row ", i, ": truncated length"));
    }
    if (!r.ReadBytes(len, &(*out)[i])) {
      return absl::DataLossError(StrCat("length-prefixed strings page: row ", i, ": length ", len,
                                        " runs past the page (", r.remaining(), " bytes left)"));
    }
  }
  if (r.remaining() != 0) {
    return absl::DataLossError(
        StrCat("length-prefixed strings page: ", r.remaining(), " trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace th::store::block::encoding

#include "common/gzip.h"

#include <zlib.h>

#include "common/strings.h"

namespace th {

Result<std::string> DecodeContentEncoding(std::string_view content_encoding, std::string&& body,
                                          size_t max_output) {
  content_encoding = TrimBlanks(content_encoding);
  const std::string encoding = AsciiLower(content_encoding);
  if (encoding == "gzip" || encoding == "deflate" || encoding == "zlib") {
    return GunzipBounded(body, max_output);
  }
  if (encoding.empty() || encoding == "identity") return std::move(body);
  return absl::UnimplementedError(th::StrCat("unsupported Content-Encoding \"", content_encoding,
                                             "\", supported: [gzip, deflate, zlib, identity]"));
}

Result<std::string> GunzipBounded(std::string_view input, size_t max_output) {
  z_stream zs{};
  // 15 + 32: accept both gzip and zlib headers, detected automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return absl::InternalError("gzip: inflateInit failed");
  std::string out;
  out.resize(std::min(max_output, std::max<size_t>(input.size() * 4, 4096)));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  size_t produced = 0;
  int rc = Z_OK;
  while (true) {
    if (produced == out.size()) {
      if (out.size() >= max_output) {
        // Output is full: the stream is too big unless it ends exactly here.
        char probe;
        zs.next_out = reinterpret_cast<Bytef*>(&probe);
        zs.avail_out = 1;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END && zs.avail_out == 1) break;
        inflateEnd(&zs);
        return absl::ResourceExhaustedError(
            th::StrCat("gzip: decompressed body exceeds the limit of ", max_output, " bytes"));
      }
      out.resize(std::min(max_output, out.size() * 2));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out.size() - produced);
    rc = inflate(&zs, Z_NO_FLUSH);
    produced = out.size() - zs.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      inflateEnd(&zs);
      return absl::InvalidArgumentError("gzip: truncated body");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      std::string msg = zs.msg != nullptr ? zs.msg : "corrupt data";
      inflateEnd(&zs);
      return absl::InvalidArgumentError(th::StrCat("gzip: ", msg));
    }
  }
  inflateEnd(&zs);
  out.resize(produced);
  return out;
}

std::string Gzip(std::string_view input) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(input.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace th

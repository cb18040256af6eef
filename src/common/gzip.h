// Gzip/zlib decompression with a hard cap on output size, for request bodies
// (Content-Encoding: gzip). The cap is what keeps a small "zip bomb" from growing memory.
// Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace th {

// Decompresses gzip (or zlib) `input`. Errors: InvalidArgument for malformed or truncated
// input, ResourceExhausted when the output would exceed `max_output` bytes.
Result<std::string> GunzipBounded(std::string_view input, size_t max_output);

// A request body sent with HTTP Content-Encoding `content_encoding`, decoded: gzip, deflate
// (zlib, as HTTP means it) and zlib are decompressed within `max_output` bytes; identity or none
// passes `body` through. Case and surrounding spaces of the header are ignored. Errors: as
// GunzipBounded; Unimplemented for another encoding, naming it and the supported ones.
Result<std::string> DecodeContentEncoding(std::string_view content_encoding, std::string&& body,
                                          size_t max_output);

// Compresses `input` as gzip. Used by clients and tests.
std::string Gzip(std::string_view input);

}  // namespace th

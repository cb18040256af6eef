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

// Compresses `input` as gzip. Used by clients and tests.
std::string Gzip(std::string_view input);

}  // namespace th

// Standard base64 (RFC 4648 §4, with '=' padding) encoding, as OTLP/JSON, Jaeger and the
// Collector's AsString() render bytes. Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace th {

// The encoded size of `n` bytes.
constexpr size_t Base64EncodedSize(size_t n) { return (n + 2) / 3 * 4; }

// Writes the encoding of `in` to `out`. Requires: `out` has Base64EncodedSize(in.size()) bytes.
void Base64EncodeTo(std::string_view in, char* out);

// The encoding of `in`.
std::string Base64Encode(std::string_view in);

}  // namespace th

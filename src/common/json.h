// Minimal JSON text helpers for responses we write by hand (errors, small status objects).
// Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace th {

// `s` as a JSON string literal, quotes included; control characters escaped.
std::string JsonQuote(std::string_view s);

}  // namespace th

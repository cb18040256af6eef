// Checks tests of the store share: what a trace read back holds, and what is left of the WAL.
// Test-only.
#pragma once

#include <cstddef>
#include <filesystem>
#include <set>
#include <string>

namespace th::store::testing {

// Span ids of a TracesData encoding (as Store::FindTrace returns), with multiplicity; fails the
// test when the bytes do not parse.
std::multiset<std::string> SpanIds(const std::string& traces_data);

// Segment files in <data_dir>/wal (0 when the directory is absent).
size_t WalSegments(const std::filesystem::path& data_dir);

}  // namespace th::store::testing

// Replay: lists the segments of a WAL directory and feeds their intact records to a callback,
// handling torn and corrupt segments as docs/formats/wal.md ("Reading and replay") specifies.
// Runs inside Wal::Open, before the writer thread exists.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/wal/wal.h"

namespace th::store::wal::internal {

struct SegmentName {
  uint64_t sequence;
  std::string name;  // file name, without the directory
};

// The segment files in `dir`, oldest first; other files are ignored.
// Errors: the directory cannot be read.
Result<std::vector<SegmentName>> ListSegments(const std::string& dir);

// Calls `replay` for every intact record of `segments` in log order, with its segment's sequence, and adds to `report`.
// A segment that ends early is logged and counted; if it is the last one its torn tail is
// truncated (synced when `sync`), or the file removed if its header is torn (short).
// Returns the segments left in the directory, oldest first.
// Errors: a segment cannot be read or truncated; a segment has an unsupported format version.
Result<std::vector<SegmentName>> ReplaySegments(const std::string& dir, int dir_fd,
                                                const std::vector<SegmentName>& segments, bool sync,
                                                const ReplayFn& replay,
                                                ReplayReport* report);

}  // namespace th::store::wal::internal

// Wal: the write-ahead log. Every accepted batch is appended here, and its sender is answered
// only after the record is durable (written and fdatasync'ed). After a crash, Open() replays
// every intact record in order. Format: docs/formats/wal.md.
//
// Design: a segmented, append-only log of checksummed records. Appends are queued and a single
// writer thread commits them in groups: everything queued while the previous fdatasync ran is
// written with one writev and made durable with one fdatasync, then each record's callback runs
// (on the writer thread) with OK, or with the error that made the commit fail. Segments roll over
// at `segment_bytes`. Replay stops at the first torn or corrupt record of a segment, reports
// segment and offset, and the torn tail of the last segment is truncated so appends never follow
// garbage.
//
// Thread-safety: Append() may be called from any thread; Close() once, after the last Append().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace th::store::wal {

struct Options {
  std::string dir;                            // created if missing
  uint64_t segment_bytes = 128ull << 20;      // roll over to a new segment past this size
  uint64_t max_pending_bytes = 256ull << 20;  // Append() refuses past this much queued data
  bool sync = true;                           // fdatasync each group; false only in tests
  // New segments are numbered at least this. The store passes a number above every WAL boundary
  // its blocks record, so a log whose segments were all removed (or a fresh data dir over a
  // bucket that already has blocks) never reuses numbers that replay would skip as flushed.
  uint64_t min_sequence = 1;
};

struct ReplayReport {
  uint64_t segments = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;  // payload bytes replayed
  // Set when a segment ended in a torn or corrupt record: where, and why.
  bool corrupt = false;
  std::string corrupt_segment;  // file name
  uint64_t corrupt_offset = 0;  // byte offset of the first bad record in that segment
  std::string message;
};

using Record = std::shared_ptr<const std::string>;
using AppendCallback = std::function<void(const Status&)>;
// Called during replay with a record and the sequence number of the segment holding it.
using ReplayFn = std::function<void(std::string_view record, uint64_t segment)>;
// Called on the writer thread when a rotation takes effect, with the sequence number of the
// first segment after it: every record whose callback ran before lies in an older segment, every
// later one in this or a newer segment.
using RotateCallback = std::function<void(uint64_t first_new_segment)>;

class Wal {
 public:
  virtual ~Wal() = default;

  // Opens (creating) the log in `options.dir`, calls `replay` for every intact record in log
  // order, and fills `report`. Appends start in a fresh segment. The view passed to `replay`
  // is valid only during the call. `report` may be null.
  // Errors: the directory cannot be created or read, a segment cannot be opened;
  // FailedPrecondition if another Wal holds the directory or a segment has an unknown format
  // version.
  static Result<std::unique_ptr<Wal>> Open(const Options& options, const ReplayFn& replay,
                                           ReplayReport* report);
  // As above, for callers that do not need the segment numbers.
  static Result<std::unique_ptr<Wal>> Open(const Options& options,
                                           const std::function<void(std::string_view)>& replay,
                                           ReplayReport* report);

  // Queues `record` for the next group commit; `done` runs once it is durable, or with the
  // error. Returns ResourceExhausted at once (without calling `done`) when more than
  // `max_pending_bytes` are queued, FailedPrecondition after Close(), and InvalidArgument for a
  // null record or one over 64 MiB (replay would reject it). `done` runs on the writer thread;
  // it may call Append() but not Close().
  virtual Status Append(Record record, AppendCallback done) = 0;

  // Queues a rotation behind the records queued so far: they are committed, the current segment
  // is closed, and `done` runs on the writer thread (see RotateCallback) before any later
  // record's callback. A segment without records is not closed: `done` gets its number. This is
  // how the store cuts the head at a segment boundary, so that the WAL segments below a flushed
  // block can be removed. FailedPrecondition after Close().
  virtual Status Rotate(RotateCallback done) = 0;

  // Deletes the segment files numbered below `sequence` (never the segment being appended to)
  // and syncs the directory. Errors: a file cannot be removed (the rest are still tried).
  virtual Status RemoveSegmentsBefore(uint64_t sequence) = 0;

  // Commits everything queued, stops the writer thread and closes the files. Later calls
  // return OK and do nothing.
  virtual Status Close() = 0;

  // Names of the segment files, oldest first (for tools and tests).
  virtual std::vector<std::string> SegmentsForTest() const = 0;
};

}  // namespace th::store::wal

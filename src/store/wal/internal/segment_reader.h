// SegmentReader: decodes one segment held in memory (docs/formats/wal.md), for replay, tools
// and the fuzz target. It never reads past `segment`, never trusts a length before checking it
// against the bytes left and kMaxRecordBytes, and stops at the first bad record.
//
// Usage:
//   SegmentReader reader(bytes);
//   Result<uint64_t> sequence = reader.ReadHeader();
//   while (std::optional<std::string_view> payload = reader.Next()) { ... }
//   if (!reader.status().ok()) { /* ended early, at reader.offset() */ }
//
// The returned payloads point into `segment`, which the caller keeps alive. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"

namespace th::store::wal::internal {

class SegmentReader {
 public:
  explicit SegmentReader(std::string_view segment) : segment_(segment) {}

  // Parses the segment header and returns its sequence number.
  // Errors: FailedPrecondition for a segment of another format version (the caller must not
  // treat it as damage); DataLoss for a torn or foreign header. After an error, Next() returns
  // nullopt, status() holds the error and offset() is 0.
  // Requires: called once, before Next().
  Result<uint64_t> ReadHeader();

  // Returns the next intact record's payload, or nullopt at the end of the segment or at the
  // first torn or corrupt record (then status() says which and offset() says where).
  std::optional<std::string_view> Next();

  // OK while reading and after a clean end; DataLoss naming the offset and reason once reading
  // ended early.
  const Status& status() const { return status_; }

  // Offset just past the header and the last intact record returned: where a torn tail begins,
  // and the length to truncate a torn segment to.
  uint64_t offset() const { return offset_; }

 private:
  void Fail(std::string_view reason);

  std::string_view segment_;
  uint64_t offset_ = 0;
  bool header_read_ = false;
  Status status_;
};

}  // namespace th::store::wal::internal

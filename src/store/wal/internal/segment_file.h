// SegmentFile: the one segment the writer thread appends to. Created whole (header written and
// synced, directory synced) so a segment name never survives a crash without its header.
// Owned and used by the writer thread only; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/wal/internal/io.h"

#include <sys/uio.h>

namespace th::store::wal::internal {

class SegmentFile {
 public:
  // Creates segment `sequence` in `dir` (failing if the file exists) and writes its header.
  // When `sync`, syncs the file and then `dir_fd` (the open directory) before returning.
  static Result<std::unique_ptr<SegmentFile>> Create(const std::string& dir, int dir_fd,
                                                     uint64_t sequence, bool sync);

  // Writes every byte `iov` points to, in order, in writev calls of at most IOV_MAX entries,
  // resuming after short writes. `iov` is consumed (its entries are advanced). On error the
  // file may hold a prefix of the data; size() counts what reached it.
  Status Write(std::vector<iovec>* iov);

  // fdatasync.
  Status Sync();

  // Cuts the file back to `size` bytes (after a failed write).
  Status Truncate(uint64_t size);

  // Closes the file; the object is unusable afterwards.
  Status Close();

  const std::string& name() const { return name_; }  // file name, without the directory
  uint64_t size() const { return size_; }            // bytes written, header included

 private:
  SegmentFile(std::string name, UniqueFd fd) : name_(std::move(name)), fd_(std::move(fd)) {}

  std::string name_;
  UniqueFd fd_;
  uint64_t size_ = 0;
};

}  // namespace th::store::wal::internal

// Small POSIX helpers for the WAL: an owning file descriptor, errno -> Status, and timed,
// counted syncs. Thread-compatible.
#pragma once

#include <string_view>
#include <utility>

#include "common/status.h"

namespace th::store::wal::internal {

// Owns a file descriptor and closes it on destruction, ignoring close errors; call Close()
// where the error matters. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now; returns the close(2) error, naming `what`.
  Status Close(std::string_view what);

 private:
  int fd_ = -1;
};

// "`what`: strerror(err)", with a code a caller can act on: ResourceExhausted for a full disk
// or quota (retry later), PermissionDenied for EACCES/EPERM, Internal otherwise.
Status IoError(std::string_view what, int err);

// fdatasync (or fsync when `metadata`) of `fd`, counted and timed in WalMetrics.
// Errors name `what`.
Status SyncFd(int fd, bool metadata, std::string_view what);

}  // namespace th::store::wal::internal

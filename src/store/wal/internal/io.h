// Small POSIX helpers for the WAL: an owning file descriptor, errno -> Status, and timed,
// counted syncs. Thread-compatible.
#pragma once

#include <string_view>
#include <utility>

#include "common/status.h"
#include "common/unique_fd.h"

namespace th::store::wal::internal {

using UniqueFd = ::th::UniqueFd;  // common/unique_fd.h

// "`what`: strerror(err)", with a code a caller can act on: ResourceExhausted for a full disk
// or quota (retry later), PermissionDenied for EACCES/EPERM, Internal otherwise.
Status IoError(std::string_view what, int err);

// fdatasync (or fsync when `metadata`) of `fd`, counted and timed in WalMetrics.
// Errors name `what`.
Status SyncFd(int fd, bool metadata, std::string_view what);

}  // namespace th::store::wal::internal

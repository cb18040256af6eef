// POSIX helpers for the local backend: an owning file descriptor, errno -> Status, full writes
// and reads, directory syncs. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "common/unique_fd.h"

namespace th::store::backend::internal {

using UniqueFd = ::th::UniqueFd;  // common/unique_fd.h

// "<op> <what>: strerror(err)" with a canonical code: ENOENT -> NotFound; ENOSPC, EDQUOT ->
// ResourceExhausted; EACCES, EPERM, EROFS -> PermissionDenied; ENOTDIR, EISDIR ->
// FailedPrecondition (a key used as both object and folder); anything else -> Internal.
Status ErrnoStatus(std::string_view op, std::string_view what, int err);

// Writes all of `bytes` at the file offset, retrying EINTR and short writes.
Status WriteAll(int fd, std::string_view bytes, std::string_view what);

// Appends `n` bytes read at `offset` to *out; fewer only at end of file.
Status ReadAt(int fd, uint64_t offset, size_t n, std::string* out, std::string_view what);

// fsync of the directory `path`, so renames and creations in it survive a crash.
Status SyncDir(const std::string& path);

// Creates `root`/`rel` and any missing parents below `root` (which exists), syncing each parent
// that gained an entry. EEXIST of a non-directory surfaces later as ENOTDIR.
Status MakeDirs(const std::string& root, std::string_view rel);

// 16 random hex digits (getrandom(2)), for temp file names.
std::string RandomSuffix();

}  // namespace th::store::backend::internal

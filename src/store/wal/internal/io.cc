#include "store/wal/internal/io.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/strings.h"
#include "store/wal/internal/metrics.h"

#include <unistd.h>

namespace th::store::wal::internal {

Status IoError(std::string_view what, int err) {
  std::string message = th::StrCat(what, ": ", std::strerror(err));
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

Status SyncFd(int fd, bool metadata, std::string_view what) {
  const WalMetrics& m = WalMetrics::Get();
  auto start = std::chrono::steady_clock::now();
  // No EINTR retry: neither call is interrupted by signals on Linux, and after a failed sync
  // a retry can report success for data the kernel already dropped.
  int rc = metadata ? ::fsync(fd) : ::fdatasync(fd);
  int err = errno;
  m.fsyncs->Add();
  m.fsync_seconds->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (rc != 0) return IoError(th::StrCat(metadata ? "fsync " : "fdatasync ", what), err);
  return absl::OkStatus();
}

}  // namespace th::store::wal::internal

#include "store/wal/internal/segment_file.h"

#include <algorithm>
#include <cerrno>

#include "common/strings.h"
#include "store/wal/internal/format.h"
#include "store/wal/internal/metrics.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

namespace th::store::wal::internal {

Result<std::unique_ptr<SegmentFile>> SegmentFile::Create(const std::string& dir, int dir_fd,
                                                         uint64_t sequence, bool sync) {
  std::string name = SegmentFileName(sequence);
  std::string path = th::StrCat(dir, "/", name);
  // O_EXCL: an existing file with this name belongs to the log; never overwrite it.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError(th::StrCat("create wal segment ", path), errno);
  std::unique_ptr<SegmentFile> file(new SegmentFile(name, UniqueFd(fd)));

  std::string header = EncodeSegmentHeader(sequence);
  std::vector<iovec> iov = {{header.data(), header.size()}};
  Status status = file->Write(&iov);
  if (status.ok() && sync) status = SyncFd(fd, /*metadata=*/true, path);
  if (status.ok() && sync) status = SyncFd(dir_fd, /*metadata=*/true, dir);
  if (!status.ok()) {
    // Leave no headerless segment behind; if unlink fails too, replay treats the file as a
    // torn segment, which is harmless.
    ::unlink(path.c_str());
    return status;
  }
  return file;
}

Status SegmentFile::Write(std::vector<iovec>* iov) {
  size_t next = 0;
  auto skip_empty = [&] {
    while (next < iov->size() && (*iov)[next].iov_len == 0) ++next;
  };
  skip_empty();
  while (next < iov->size()) {
    int count = static_cast<int>(std::min<size_t>(iov->size() - next, IOV_MAX));
    ssize_t written = ::writev(fd_.get(), iov->data() + next, count);
    if (written < 0) {
      if (errno == EINTR) continue;
      return IoError(th::StrCat("write wal segment ", name_, " at offset ", size_), errno);
    }
    if (written == 0) {
      return absl::InternalError(
          th::StrCat("write wal segment ", name_, " at offset ", size_, ": no progress"));
    }
    size_ += static_cast<uint64_t>(written);
    WalMetrics::Get().bytes_written->Add(static_cast<uint64_t>(written));
    size_t left = static_cast<size_t>(written);
    while (left > 0) {
      iovec& v = (*iov)[next];
      if (left >= v.iov_len) {
        left -= v.iov_len;
        ++next;
      } else {
        v.iov_base = static_cast<char*>(v.iov_base) + left;
        v.iov_len -= left;
        left = 0;
      }
    }
    skip_empty();
  }
  return absl::OkStatus();
}

Status SegmentFile::Sync() { return SyncFd(fd_.get(), /*metadata=*/false, name_); }

Status SegmentFile::Truncate(uint64_t size) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
    return IoError(th::StrCat("truncate wal segment ", name_, " to ", size), errno);
  }
  size_ = size;
  return absl::OkStatus();
}

Status SegmentFile::Close() { return fd_.Close(th::StrCat("wal segment ", name_)); }

}  // namespace th::store::wal::internal

#include "store/backend/internal/posix_io.h"

#include <cerrno>
#include <cstring>

#include "common/strings.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

namespace th::store::backend::internal {

Status ErrnoStatus(std::string_view op, std::string_view what, int err) {
  std::string message = th::StrCat(op, " ", what, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case ENOTDIR:
    case EISDIR:
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

Status WriteAll(int fd, std::string_view bytes, std::string_view what) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", what, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

Status ReadAt(int fd, uint64_t offset, size_t n, std::string* out, std::string_view what) {
  size_t start = out->size();
  out->resize(start + n);
  size_t done = 0;
  while (done < n) {
    ssize_t r =
        ::pread(fd, out->data() + start + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      out->resize(start);
      return ErrnoStatus("read", what, err);
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  out->resize(start + done);
  return absl::OkStatus();
}

Status SyncDir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open directory", path, errno);
  // No EINTR retry: fsync is not interrupted by signals on Linux, and a retry after a failure
  // can report success for data the kernel already dropped.
  if (::fsync(fd.get()) != 0) return ErrnoStatus("fsync directory", path, errno);
  return fd.Close(path);
}

Status MakeDirs(const std::string& root, std::string_view rel) {
  std::string parent = root;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t slash = rel.find('/', start);
    size_t end = slash == std::string_view::npos ? rel.size() : slash;
    std::string dir = th::StrCat(parent, "/", rel.substr(start, end - start));
    if (::mkdir(dir.c_str(), 0755) == 0) {
      RETURN_IF_ERROR(SyncDir(parent));
    } else if (errno != EEXIST) {
      return ErrnoStatus("mkdir", dir, errno);
    }
    parent = std::move(dir);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return absl::OkStatus();
}

std::string RandomSuffix() {
  unsigned char bytes[8] = {};
  size_t got = 0;
  while (got < sizeof(bytes)) {
    ssize_t n = ::getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // Unreachable on Linux >= 3.17 for 8 bytes; O_EXCL still guards uniqueness.
    }
    got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

}  // namespace th::store::backend::internal

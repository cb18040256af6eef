#include "export/file/internal/rotating_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "common/log.h"
#include "common/strings.h"

namespace th::exporter::file::internal {
namespace {

constexpr size_t kFlushAt = 256 << 10;

Status ErrnoError(std::string_view op, std::string_view what, int err) {
  std::string msg = th::StrCat(op, " ", what, ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM || err == EROFS) return absl::PermissionDeniedError(msg);
  return absl::InternalError(msg);
}

// (dir, stem, ext) of a path: "/a/b/traces.json" -> ("/a/b", "traces", ".json").
struct PathParts {
  std::string dir, stem, ext;
};
PathParts Split(const std::string& path) {
  PathParts p;
  size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  p.dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) {
    p.stem = name;
  } else {
    p.stem = name.substr(0, dot);
    p.ext = name.substr(dot);
  }
  return p;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

RotatingFile::~RotatingFile() { Close().IgnoreError(); }

Status RotatingFile::Open() {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append_ ? O_APPEND : O_TRUNC);
  fd_ = UniqueFd(::open(path_.c_str(), flags, 0644));
  if (!fd_.valid()) return ErrnoError("open", path_, errno);
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) return ErrnoError("stat", path_, errno);
  size_ = static_cast<uint64_t>(st.st_size);
  return absl::OkStatus();
}

std::string RotatingFile::BackupName(int64_t unix_ms) const {
  PathParts p = Split(path_);
  time_t secs = static_cast<time_t>(unix_ms / 1000);
  std::tm tm{};
  if (rotation_.localtime) {
    localtime_r(&secs, &tm);
  } else {
    gmtime_r(&secs, &tm);
  }
  char buf[40];
  size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H-%M-%S", &tm);
  char ms[8];
  snprintf(ms, sizeof(ms), ".%03d", static_cast<int>(unix_ms % 1000));
  return th::StrCat(p.dir, "/", p.stem, "-", std::string_view(buf, n), ms, p.ext);
}

Status RotatingFile::Append(std::string_view bytes) {
  if (!fd_.valid()) return absl::FailedPreconditionError(th::StrCat(path_, " is not open"));
  uint64_t max = static_cast<uint64_t>(rotation_.max_megabytes) << 20;
  if (rotation_.enabled && size_ > 0 && size_ + bytes.size() > max) RETURN_IF_ERROR(Rotate());
  buffer_.append(bytes);
  size_ += bytes.size();
  if (buffer_.size() >= kFlushAt) return Flush();
  return absl::OkStatus();
}

Status RotatingFile::Flush() {
  std::string_view rest = buffer_;
  while (!rest.empty() && fd_.valid()) {
    ssize_t n = ::write(fd_.get(), rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = ErrnoError("write", path_, errno);
      buffer_.erase(0, buffer_.size() - rest.size());  // keep what is unwritten
      return s;
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  buffer_.clear();
  return absl::OkStatus();
}

Status RotatingFile::Close() {
  if (!fd_.valid()) return absl::OkStatus();
  Status s = Flush();
  Status c = fd_.Close(path_);
  return s.ok() ? c : s;
}

Status RotatingFile::Rotate() {
  RETURN_IF_ERROR(Flush());
  RETURN_IF_ERROR(fd_.Close(path_));
  int64_t now = NowMs();
  std::string backup = BackupName(now);
  for (int i = 1; ::access(backup.c_str(), F_OK) == 0 && i < 1000; ++i) {
    backup = BackupName(now + i);  // two rotations within one millisecond
  }
  if (::rename(path_.c_str(), backup.c_str()) != 0) return ErrnoError("rename", path_, errno);
  fd_ = UniqueFd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd_.valid()) return ErrnoError("open", path_, errno);
  size_ = 0;
  PruneBackups();
  return absl::OkStatus();
}

void RotatingFile::PruneBackups() {
  PathParts p = Split(path_);
  std::string prefix = p.stem + "-";
  DIR* d = ::opendir(p.dir.c_str());
  if (d == nullptr) return;
  // Backup names sort by time: the timestamp has fixed width.
  std::vector<std::string> backups;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.size() != prefix.size() + 23 + p.ext.size()) continue;
    if (name.substr(0, prefix.size()) != prefix) continue;
    if (name.substr(name.size() - p.ext.size()) != p.ext) continue;
    backups.emplace_back(name);
  }
  ::closedir(d);
  std::sort(backups.begin(), backups.end(), std::greater<>());  // newest first
  time_t cutoff = rotation_.max_days > 0 ? ::time(nullptr) - rotation_.max_days * 86400 : 0;
  for (size_t i = 0; i < backups.size(); ++i) {
    std::string full = th::StrCat(p.dir, "/", backups[i]);
    bool too_many = rotation_.max_backups > 0 && i >= static_cast<size_t>(rotation_.max_backups);
    bool too_old = false;
    if (cutoff > 0) {
      struct stat st {};
      too_old = ::stat(full.c_str(), &st) == 0 && st.st_mtime < cutoff;
    }
    if ((too_many || too_old) && ::unlink(full.c_str()) != 0) {
      log::Warn("file exporter: cannot delete an old backup", "file=", full, " error=\"",
                std::strerror(errno), "\"");
    }
  }
}

}  // namespace th::exporter::file::internal

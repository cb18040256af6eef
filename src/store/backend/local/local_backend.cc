#include "store/backend/local/local_backend.h"

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "common/log.h"
#include "common/strings.h"
#include "store/backend/internal/posix_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace th::store::backend {

using internal::ErrnoStatus;
using internal::UniqueFd;

namespace {

constexpr std::string_view kTempMarker = ".tmp.";

bool IsTemp(std::string_view name) { return name.find(kTempMarker) != std::string_view::npos; }

// The directory part of `key` ("" for a top-level key).
std::string_view DirOf(std::string_view key) {
  size_t slash = key.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : key.substr(0, slash);
}

// NotFound for a read that met a missing file or a path through a non-directory.
Status ReadError(std::string_view op, const std::string& path, int err) {
  if (err == ENOENT || err == ENOTDIR) {
    return absl::NotFoundError(th::StrCat(op, " ", path, ": object not found"));
  }
  return ErrnoStatus(op, path, err);
}

enum class EntryType { kFile, kDir, kOther };

EntryType TypeOf(int dir_fd, const dirent* entry) {
  switch (entry->d_type) {
    case DT_REG:
      return EntryType::kFile;
    case DT_DIR:
      return EntryType::kDir;
    case DT_UNKNOWN:
      break;
    default:
      return EntryType::kOther;
  }
  struct stat st;
  if (::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return EntryType::kOther;
  if (S_ISREG(st.st_mode)) return EntryType::kFile;
  if (S_ISDIR(st.st_mode)) return EntryType::kDir;
  return EntryType::kOther;
}

// Calls fn(name, type) for each entry of `path` but "." and "..". A directory that vanished
// (a concurrent Delete) reads as empty.
template <typename Fn>
Status ForEachEntry(const std::string& path, Fn&& fn) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return absl::OkStatus();
    return ErrnoStatus("open directory", path, errno);
  }
  Status status;
  while (true) {
    errno = 0;
    dirent* entry = ::readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) status = ErrnoStatus("read directory", path, errno);
      break;
    }
    std::string_view name(entry->d_name);
    if (name == "." || name == "..") continue;
    status = fn(name, TypeOf(::dirfd(dir), entry));
    if (!status.ok()) break;
  }
  ::closedir(dir);
  return status;
}

// True when the directory holds an object at any depth.
Result<bool> HasObjects(const std::string& path) {
  bool found = false;
  Status status = ForEachEntry(path, [&](std::string_view name, EntryType type) -> Status {
    if (found || IsTemp(name)) return absl::OkStatus();
    if (type == EntryType::kFile) {
      found = true;
    } else if (type == EntryType::kDir) {
      ASSIGN_OR_RETURN(found, HasObjects(th::StrCat(path, "/", name)));
    }
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(status);
  return found;
}

// Appends the object keys under `dir` (the folder `key_prefix`, "" for the root) to *keys.
Status ListInto(const std::string& dir, const std::string& key_prefix, ListMode mode,
                std::vector<std::string>* keys) {
  return ForEachEntry(dir, [&](std::string_view name, EntryType type) -> Status {
    if (IsTemp(name) || type == EntryType::kOther) return absl::OkStatus();
    std::string key = key_prefix.empty() ? std::string(name) : th::StrCat(key_prefix, "/", name);
    // Files put there by hand that no key can name are not objects.
    if (!ValidateKey(key).ok()) return absl::OkStatus();
    std::string path = th::StrCat(dir, "/", name);
    if (type == EntryType::kFile) {
      keys->push_back(std::move(key));
    } else if (mode == ListMode::kRecursive) {
      RETURN_IF_ERROR(ListInto(path, key, mode, keys));
    } else {
      ASSIGN_OR_RETURN(bool has_objects, HasObjects(path));
      if (has_objects) keys->push_back(th::StrCat(key, "/"));
    }
    return absl::OkStatus();
  });
}

}  // namespace

// An upload in flight: the temp file beside the target, renamed over it at Commit.
class LocalBackend::Sink final : public ObjectWriter::Sink {
 public:
  Sink(UniqueFd fd, std::string temp_path, std::string path, std::string dir)
      : fd_(std::move(fd)),
        temp_path_(std::move(temp_path)),
        path_(std::move(path)),
        dir_(std::move(dir)) {}
  ~Sink() override { Abort(); }

  Status Append(std::string_view bytes) override {
    return internal::WriteAll(fd_.get(), bytes, temp_path_);
  }

  Status Commit() override {
    // No EINTR retry: fdatasync is not interrupted by signals on Linux, and after a failed sync
    // a retry can report success for data the kernel already dropped.
    if (::fdatasync(fd_.get()) != 0) return ErrnoStatus("fdatasync", temp_path_, errno);
    RETURN_IF_ERROR(fd_.Close(temp_path_));
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
      int err = errno;
      if (err == EISDIR || err == ENOTEMPTY || err == EEXIST) {
        return absl::FailedPreconditionError(
            th::StrCat("rename to ", path_, ": the key is a folder"));
      }
      return ErrnoStatus("rename to", path_, err);
    }
    renamed_ = true;
    return internal::SyncDir(dir_);
  }

  void Abort() override {
    if (renamed_ || temp_path_.empty()) return;
    fd_.Close(temp_path_).IgnoreError();
    ::unlink(temp_path_.c_str());
    temp_path_.clear();
  }

 private:
  UniqueFd fd_;
  std::string temp_path_;  // empty once removed
  std::string path_;
  std::string dir_;
  bool renamed_ = false;
};

// One version of an object: the open file keeps it readable after a rename over it or an unlink.
class LocalBackend::Source final : public ObjectReader::Source {
 public:
  Source(UniqueFd fd, std::string path, uint64_t size)
      : fd_(std::move(fd)), path_(std::move(path)), size_(size) {}
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    return internal::ReadAt(fd_.get(), offset, n, out, path_);
  }

 private:
  UniqueFd fd_;
  std::string path_;
  uint64_t size_;
};

Status LocalOptions::Validate() const {
  if (root.empty()) return absl::InvalidArgumentError("local backend: empty root directory");
  if (stale_temp_age.count() < 0) {
    return absl::InvalidArgumentError("local backend: negative stale_temp_age");
  }
  return absl::OkStatus();
}

Result<std::unique_ptr<LocalBackend>> LocalBackend::Open(LocalOptions options) {
  RETURN_IF_ERROR(options.Validate());
  auto start = std::chrono::system_clock::now();
  std::string root = options.root;
  while (root.size() > 1 && root.back() == '/') root.pop_back();

  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec && ec != std::errc::file_exists) {
    return ErrnoStatus("create root directory", root, ec.value());
  }
  struct stat st;
  if (::stat(root.c_str(), &st) != 0) return ErrnoStatus("stat root directory", root, errno);
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        th::StrCat("local backend root ", root, " is not a directory"));
  }

  auto backend = std::unique_ptr<LocalBackend>(new LocalBackend(root));
  RETURN_IF_ERROR(backend->RemoveStaleTemps(root, start - options.stale_temp_age));
  if (backend->removed_temps_ > 0) {
    log::Info("removed unfinished uploads", "component=backend backend=local root=", root,
              " temp_files=", backend->removed_temps_);
  }
  return backend;
}

LocalBackend::LocalBackend(std::string root) : Backend("local"), root_(std::move(root)) {}

std::string LocalBackend::PathOf(std::string_view key) const {
  return th::StrCat(root_, "/", key);
}

Status LocalBackend::RemoveStaleTemps(const std::string& dir,
                                      std::chrono::system_clock::time_point cutoff) {
  return ForEachEntry(dir, [&](std::string_view name, EntryType type) -> Status {
    std::string path = th::StrCat(dir, "/", name);
    if (type == EntryType::kDir) return RemoveStaleTemps(path, cutoff);
    if (type != EntryType::kFile || !IsTemp(name)) return absl::OkStatus();
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return absl::OkStatus();
    auto mtime = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_mtim.tv_sec) +
            std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    if (mtime > cutoff) return absl::OkStatus();
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus("remove temp file", path, errno);
    }
    ++removed_temps_;
    return absl::OkStatus();
  });
}

Result<std::unique_ptr<LocalBackend::Sink>> LocalBackend::OpenForWrite(std::string_view key) {
  std::string path = PathOf(key);
  std::string_view rel_dir = DirOf(key);
  std::string dir = rel_dir.empty() ? root_ : th::StrCat(root_, "/", rel_dir);
  // A concurrent Delete may remove the directory between MakeDirs and open; try again then.
  // EEXIST means the random suffix collided (or getrandom failed): pick another.
  int err = 0;
  std::string temp_path;
  for (int attempt = 0; attempt < 16; ++attempt) {
    if (!rel_dir.empty()) {
      Status made = internal::MakeDirs(root_, rel_dir);
      if (absl::IsNotFound(made)) {  // a parent vanished under us
        err = ENOENT;
        continue;
      }
      RETURN_IF_ERROR(made);
    }
    temp_path = th::StrCat(path, kTempMarker, internal::RandomSuffix());
    UniqueFd fd(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.valid()) {
      return std::make_unique<Sink>(std::move(fd), std::move(temp_path), std::move(path),
                                    std::move(dir));
    }
    err = errno;
    if (err != ENOENT && err != EEXIST) break;
  }
  if (err == ENOTDIR || err == EEXIST) {
    return absl::FailedPreconditionError(
        th::StrCat("create ", temp_path, ": a folder on the path of \"", key, "\" is an object"));
  }
  return ErrnoStatus("create", temp_path, err);
}

Result<std::unique_ptr<LocalBackend::Source>> LocalBackend::OpenForRead(std::string_view key) {
  std::string path = PathOf(key);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ReadError("open", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return absl::NotFoundError(th::StrCat("open ", path, ": object not found (a folder)"));
  }
  return std::make_unique<Source>(std::move(fd), std::move(path),
                                  static_cast<uint64_t>(st.st_size));
}

Status LocalBackend::DoPut(std::string_view key, std::string_view bytes) {
  ASSIGN_OR_RETURN(std::unique_ptr<Sink> sink, OpenForWrite(key));
  RETURN_IF_ERROR(sink->Append(bytes));
  return sink->Commit();
}

Result<std::string> LocalBackend::DoGet(std::string_view key) {
  ASSIGN_OR_RETURN(std::unique_ptr<Source> source, OpenForRead(key));
  std::string out;
  RETURN_IF_ERROR(source->ReadAt(0, static_cast<size_t>(source->size()), &out));
  if (out.size() != source->size()) {
    return absl::DataLossError(th::StrCat("short read of ", PathOf(key), ": ", out.size(),
                                          " of ", source->size(), " bytes"));
  }
  return out;
}

Result<std::string> LocalBackend::DoGetRange(std::string_view key, uint64_t offset,
                                             uint64_t length) {
  ASSIGN_OR_RETURN(std::unique_ptr<Source> source, OpenForRead(key));
  RETURN_IF_ERROR(CheckRange(key, offset, length, source->size()));
  std::string out;
  RETURN_IF_ERROR(source->ReadAt(offset, static_cast<size_t>(length), &out));
  if (out.size() != length) {
    return absl::DataLossError(th::StrCat("short read of ", PathOf(key), " at offset ", offset,
                                          ": ", out.size(), " of ", length, " bytes"));
  }
  return out;
}

Result<uint64_t> LocalBackend::DoStat(std::string_view key) {
  std::string path = PathOf(key);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ReadError("stat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return absl::NotFoundError(th::StrCat("stat ", path, ": object not found (a folder)"));
  }
  return static_cast<uint64_t>(st.st_size);
}

Result<std::vector<std::string>> LocalBackend::DoList(std::string_view prefix, ListMode mode) {
  std::vector<std::string> keys;
  std::string dir = prefix.empty() ? root_ : PathOf(prefix);
  RETURN_IF_ERROR(ListInto(dir, std::string(prefix), mode, &keys));
  return keys;
}

Status LocalBackend::DoDelete(std::string_view key) {
  std::string path = PathOf(key);
  if (::unlink(path.c_str()) != 0) {
    int err = errno;
    // Absent, under a non-directory, or a folder: there is no such object.
    if (err == ENOENT || err == ENOTDIR || err == EISDIR) return absl::OkStatus();
    return ErrnoStatus("unlink", path, err);
  }
  // Remove the folders this left empty, deepest first; a concurrent Put that needs one again
  // recreates it. rmdir fails on a non-empty directory, which ends the walk.
  for (std::string_view dir = DirOf(key); !dir.empty(); dir = DirOf(dir)) {
    if (::rmdir(PathOf(dir).c_str()) != 0) break;
  }
  return absl::OkStatus();
}

Result<std::unique_ptr<ObjectWriter::Sink>> LocalBackend::DoPutStream(std::string_view key) {
  ASSIGN_OR_RETURN(std::unique_ptr<Sink> sink, OpenForWrite(key));
  return std::unique_ptr<ObjectWriter::Sink>(std::move(sink));
}

Result<std::unique_ptr<ObjectReader::Source>> LocalBackend::DoGetStream(std::string_view key) {
  ASSIGN_OR_RETURN(std::unique_ptr<Source> source, OpenForRead(key));
  return std::unique_ptr<ObjectReader::Source>(std::move(source));
}

}  // namespace th::store::backend

#include "export/helper/internal/persistent_queue.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "common/crc32c.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/unique_fd.h"

namespace th::exporter::helper::internal {
namespace {

constexpr char kTracesMagic[4] = {'T', 'H', 'Q', '1'};
constexpr char kLogsMagic[4] = {'T', 'H', 'L', '1'};

const char* MagicOf(QueueSignal signal) {
  return signal == QueueSignal::kLogs ? kLogsMagic : kTracesMagic;
}

// The signal whose magic `head` starts with; nullopt for none.
std::optional<QueueSignal> SignalOfMagic(std::string_view head) {
  if (head.size() < 4) return std::nullopt;
  if (std::memcmp(head.data(), kTracesMagic, 4) == 0) return QueueSignal::kTraces;
  if (std::memcmp(head.data(), kLogsMagic, 4) == 0) return QueueSignal::kLogs;
  return std::nullopt;
}

std::string_view SignalName(QueueSignal signal) {
  return signal == QueueSignal::kLogs ? "logs" : "traces";
}
constexpr size_t kFixedHeader = 4 + 4 + 8 + 4;
constexpr std::string_view kSuffix = ".batch";
constexpr std::string_view kTmpSuffix = ".tmp";

Status ErrnoError(std::string_view op, std::string_view what, int err) {
  std::string msg = th::StrCat(op, " ", what, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::InternalError(msg);
}

void PutU32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
void PutU64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
uint64_t GetLe(std::string_view s, size_t at, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(s[at + i])) << (8 * i);
  return v;
}

Status WriteAll(int fd, std::string_view bytes, std::string_view what) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write", what, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

Status SyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open", dir, errno);
  if (::fsync(fd.get()) != 0) return ErrnoError("fsync", dir, errno);
  return absl::OkStatus();
}

Status MakeDirs(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("empty queue directory");
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string prefix = path.substr(0, i);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoError("mkdir", prefix, errno);
    }
  }
  return absl::OkStatus();
}

Result<std::string> ReadWhole(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open", path, errno);
  std::string out;
  char buf[1 << 16];
  while (out.size() < max_bytes) {
    ssize_t n = ::read(fd.get(), buf, std::min(sizeof(buf), max_bytes - out.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Parses a name "<16 hex>.batch"; false for anything else.
bool ParseName(std::string_view name, uint64_t* seq) {
  if (name.size() != 16 + kSuffix.size() || name.substr(16) != kSuffix) return false;
  uint64_t v = 0;
  for (char c : name.substr(0, 16)) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return false;
    }
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *seq = v;
  return true;
}

}  // namespace

std::string QueueDirName(std::string_view exporter_id) {
  std::string out;
  for (char c : exporter_id) {
    if (c == '/') {
      out += "%2F";
    } else if (c == '%') {
      out += "%25";
    } else {
      out += c;
    }
  }
  return out;
}

std::string QueueDir(std::string_view data_dir, std::string_view exporter_id,
                     QueueSignal signal) {
  std::string dir = th::StrCat(data_dir, "/", QueueDirName(exporter_id));
  if (signal == QueueSignal::kLogs) dir += "/logs";
  return dir;
}

std::string BatchFiles::PathOf(uint64_t seq) const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name(16, '0');
  for (int i = 15; i >= 0; --i, seq >>= 4) name[static_cast<size_t>(i)] = kHex[seq & 15];
  return th::StrCat(dir_, "/", name, kSuffix);
}

Result<std::vector<BatchFileInfo>> BatchFiles::Open() {
  RETURN_IF_ERROR(MakeDirs(dir_));
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return ErrnoError("opendir", dir_, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);

  std::vector<BatchFileInfo> files;
  for (const std::string& name : names) {
    std::string path = th::StrCat(dir_, "/", name);
    if (name.size() > kTmpSuffix.size() &&
        std::string_view(name).substr(name.size() - kTmpSuffix.size()) == kTmpSuffix) {
      ::unlink(path.c_str());  // a write that never completed, never acknowledged
      continue;
    }
    BatchFileInfo info;
    if (!ParseName(name, &info.seq)) continue;
    Result<std::string> head = ReadWhole(path, kFixedHeader);
    struct stat st {};
    std::optional<QueueSignal> signal;
    if (head.ok()) signal = SignalOfMagic(*head);
    if (signal.has_value() && *signal != signal_) {
      log::Warn("persistent queue: skipping a file of another signal", "file=", path,
                " holds=", SignalName(*signal), " queue=", SignalName(signal_));
      continue;
    }
    if (!head.ok() || head->size() < kFixedHeader || !signal.has_value() ||
        ::stat(path.c_str(), &st) != 0) {
      log::Error("deleting unreadable persistent queue file", "file=", path);
      ::unlink(path.c_str());
      continue;
    }
    info.items = GetLe(*head, 8, 8);
    info.bytes = static_cast<uint64_t>(st.st_size);
    files.push_back(info);
  }
  std::sort(files.begin(), files.end(),
            [](const BatchFileInfo& a, const BatchFileInfo& b) { return a.seq < b.seq; });
  return files;
}

Result<uint64_t> BatchFiles::Write(uint64_t seq, std::string_view tenant, uint64_t items,
                                   std::string_view payload) {
  std::string body;
  body.reserve(payload.size() + tenant.size() + 64);
  body.append(MagicOf(signal_), 4);
  PutU32(&body, 0);  // crc, filled below
  PutU64(&body, items);
  PutU32(&body, static_cast<uint32_t>(tenant.size()));
  body.append(tenant);
  body.append(payload);
  uint32_t crc = crc32c::Mask(crc32c::Value(std::string_view(body).substr(8)));
  for (int i = 0; i < 4; ++i) body[4 + static_cast<size_t>(i)] = static_cast<char>(crc >> (8 * i));

  std::string path = PathOf(seq);
  std::string tmp = th::StrCat(path, kTmpSuffix);
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return ErrnoError("open", tmp, errno);
    Status s = WriteAll(fd.get(), body, tmp);
    if (s.ok() && ::fsync(fd.get()) != 0) s = ErrnoError("fsync", tmp, errno);
    if (s.ok()) s = fd.Close(tmp);
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = ErrnoError("rename", tmp, errno);
    ::unlink(tmp.c_str());
    return s;
  }
  RETURN_IF_ERROR(SyncDir(dir_));
  return body.size();
}

Result<StoredBatch> BatchFiles::Read(uint64_t seq) const {
  std::string path = PathOf(seq);
  ASSIGN_OR_RETURN(std::string data, ReadWhole(path, SIZE_MAX));
  if (data.size() < kFixedHeader || SignalOfMagic(data) != signal_) {
    return absl::DataLossError(th::StrCat("persistent queue file ", path, ": bad header"));
  }
  uint32_t stored = static_cast<uint32_t>(GetLe(data, 4, 4));
  if (crc32c::Unmask(stored) != crc32c::Value(std::string_view(data).substr(8))) {
    return absl::DataLossError(th::StrCat("persistent queue file ", path, ": checksum mismatch"));
  }
  uint64_t tenant_len = GetLe(data, 16, 4);
  if (kFixedHeader + tenant_len > data.size()) {
    return absl::DataLossError(th::StrCat("persistent queue file ", path, ": bad tenant length"));
  }
  StoredBatch out;
  out.items = GetLe(data, 8, 8);
  out.tenant = data.substr(kFixedHeader, tenant_len);
  out.payload = data.substr(kFixedHeader + tenant_len);
  return out;
}

Status BatchFiles::Remove(uint64_t seq) {
  std::string path = PathOf(seq);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError("unlink", path, errno);
  return absl::OkStatus();
}

}  // namespace th::exporter::helper::internal

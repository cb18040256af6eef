#include "store/wal/internal/replay.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "common/log.h"
#include "common/strings.h"
#include "store/wal/internal/format.h"
#include "store/wal/internal/io.h"
#include "store/wal/internal/metrics.h"
#include "store/wal/internal/segment_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace th::store::wal::internal {
namespace {

// A read-only mapping of a whole segment. Mapping instead of reading keeps replay from holding
// a heap copy of each (up to segment_bytes large) segment. Move-only.
class MappedSegment {
 public:
  static Result<MappedSegment> Open(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return IoError(th::StrCat("open wal segment ", path), errno);
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return IoError(th::StrCat("stat ", path), errno);
    MappedSegment m;
    m.size_ = static_cast<size_t>(st.st_size);
    if (m.size_ == 0) return m;
    void* addr = ::mmap(nullptr, m.size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (addr == MAP_FAILED) return IoError(th::StrCat("mmap ", path), errno);
    ::madvise(addr, m.size_, MADV_SEQUENTIAL);
    m.addr_ = addr;
    return m;
  }

  MappedSegment() = default;
  MappedSegment(MappedSegment&& o) noexcept
      : addr_(std::exchange(o.addr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  MappedSegment& operator=(MappedSegment&&) = delete;
  ~MappedSegment() {
    if (addr_ != nullptr) ::munmap(addr_, size_);
  }

  std::string_view bytes() const {
    return addr_ == nullptr ? std::string_view()
                            : std::string_view(static_cast<char*>(addr_), size_);
  }

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
};

// Where and why one segment's replay ended early.
struct SegmentEnd {
  Status status;  // OK for a clean end
  uint64_t offset = 0;
  // The damage looks like an interrupted write: a short header or a bad record. A whole
  // header that is wrong (foreign magic, another sequence number) is not, and the file may
  // hold real records, so it is never cut.
  bool torn = true;
};

// Replays one segment; the returned error is for the caller (I/O, unsupported version), the
// SegmentEnd for damage found in the data.
Result<SegmentEnd> ReplayOne(const std::string& path, const SegmentName& segment,
                             const ReplayFn& replay,
                             ReplayReport* report) {
  ASSIGN_OR_RETURN(MappedSegment mapped, MappedSegment::Open(path));
  SegmentReader reader(mapped.bytes());
  Result<uint64_t> sequence = reader.ReadHeader();
  if (!sequence.ok()) {
    if (absl::IsFailedPrecondition(sequence.status())) {
      return absl::FailedPreconditionError(
          th::StrCat("wal segment ", path, ": ", sequence.status().message()));
    }
    return SegmentEnd{sequence.status(), 0, mapped.bytes().size() < kSegmentHeaderSize};
  }
  if (*sequence != segment.sequence) {
    return SegmentEnd{absl::DataLossError(th::StrCat("segment header has sequence ", *sequence,
                                                     ", file name ", segment.sequence)),
                      0, false};
  }
  while (std::optional<std::string_view> payload = reader.Next()) {
    replay(*payload, segment.sequence);
    report->records++;
    report->bytes += payload->size();
  }
  return SegmentEnd{reader.status(), reader.offset()};
}

// Cuts the last segment's torn tail so the next Open does not find the same garbage in what is
// then a middle segment. A segment whose header is torn holds no records: remove it.
Status CutTornTail(const std::string& dir, int dir_fd, const std::string& path, uint64_t offset,
                   bool sync) {
  if (offset < kSegmentHeaderSize) {
    if (::unlink(path.c_str()) != 0) {
      return IoError(th::StrCat("remove torn wal segment ", path), errno);
    }
    return sync ? SyncFd(dir_fd, /*metadata=*/true, dir) : absl::OkStatus();
  }
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return IoError(th::StrCat("open wal segment ", path), errno);
  if (::ftruncate(fd.get(), static_cast<off_t>(offset)) != 0) {
    return IoError(th::StrCat("truncate wal segment ", path, " to ", offset), errno);
  }
  if (sync) RETURN_IF_ERROR(SyncFd(fd.get(), /*metadata=*/true, path));
  return fd.Close(path);
}

}  // namespace

Result<std::vector<SegmentName>> ListSegments(const std::string& dir) {
  std::vector<SegmentName> segments;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (std::optional<uint64_t> sequence = ParseSegmentFileName(name)) {
      segments.push_back({*sequence, std::move(name)});
    }
  }
  if (ec) return IoError(th::StrCat("list wal dir ", dir), ec.value());
  std::sort(segments.begin(), segments.end(),
            [](const SegmentName& a, const SegmentName& b) { return a.sequence < b.sequence; });
  return segments;
}

Result<std::vector<SegmentName>> ReplaySegments(const std::string& dir, int dir_fd,
                                                const std::vector<SegmentName>& segments, bool sync,
                                                const ReplayFn& replay,
                                                ReplayReport* report) {
  std::vector<SegmentName> remaining;
  for (size_t i = 0; i < segments.size(); ++i) {
    const SegmentName& segment = segments[i];
    std::string path = th::StrCat(dir, "/", segment.name);
    uint64_t records_before = report->records;
    ASSIGN_OR_RETURN(SegmentEnd end, ReplayOne(path, segment, replay, report));
    report->segments++;
    log::Debug("wal segment replayed", "segment=", segment.name,
               " records=", report->records - records_before);
    bool removed = false;
    if (!end.status.ok()) {
      WalMetrics::Get().replay_corruptions->Add();
      std::string reason(end.status.message());
      if (!report->corrupt) {
        report->corrupt = true;
        report->corrupt_segment = segment.name;
        report->corrupt_offset = end.offset;
        report->message = reason;
      }
      bool last = i + 1 == segments.size();
      if (last && end.torn) {
        log::Warn("wal torn tail; truncating", "segment=", segment.name, " offset=", end.offset,
                  " reason=\"", reason, "\"");
        RETURN_IF_ERROR(CutTornTail(dir, dir_fd, path, end.offset, sync));
        removed = end.offset < kSegmentHeaderSize;
      } else {
        log::Error("wal segment corrupt; skipping to next segment", "segment=", segment.name,
                   " offset=", end.offset, " reason=\"", reason, "\"");
      }
    }
    if (!removed) remaining.push_back(segment);
  }
  return remaining;
}

}  // namespace th::store::wal::internal

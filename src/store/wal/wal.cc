#include "store/wal/wal.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <thread>
#include <utility>

#include "common/log.h"
#include "common/strings.h"
#include "store/wal/internal/format.h"
#include "store/wal/internal/io.h"
#include "store/wal/internal/metrics.h"
#include "store/wal/internal/replay.h"
#include "store/wal/internal/segment_file.h"

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/uio.h>
#include <unistd.h>

namespace th::store::wal {
namespace {

using internal::kMaxRecordBytes;
using internal::kRecordHeaderSize;
using internal::kSegmentHeaderSize;
using internal::SegmentFile;
using internal::UniqueFd;
using internal::WalMetrics;

// Wal with one writer thread doing group commit.
//
// Threads: Append() runs on callers' threads and only queues, under mu_. The writer thread
// takes the whole queue, writes and syncs it with mu_ released, runs the callbacks, and only
// then gives the group's bytes back to the pending budget, so the budget bounds the memory of
// queued and in-flight records alike. Close() lets the writer drain the queue, then joins it.
//
// Invariants: segment_ and next_sequence_ belong to the writer thread once it runs (Start()
// before, Close() after it); segment_ is null after a failed write until the next group opens
// a fresh segment, so records are never appended after bytes of unknown state.
class WalImpl final : public Wal {
 public:
  WalImpl(Options options, UniqueFd dir_fd, uint64_t next_sequence,
          std::vector<internal::SegmentName> segments)
      : options_(std::move(options)),
        dir_fd_(std::move(dir_fd)),
        next_sequence_(next_sequence),
        segments_(std::move(segments)) {}

  ~WalImpl() override { Close().IgnoreError(); }

  // Creates the first segment for appends and starts the writer thread.
  Status Start() ABSL_LOCKS_EXCLUDED(mu_) {
    RETURN_IF_ERROR(OpenNextSegment());
    writer_ = std::thread([this] { WriterLoop(); });
    return absl::OkStatus();
  }

  Status Append(Record record, AppendCallback done) override ABSL_LOCKS_EXCLUDED(mu_) {
    if (record == nullptr) return absl::InvalidArgumentError("wal record is null");
    if (record->size() > kMaxRecordBytes) {
      return absl::InvalidArgumentError(
          th::StrCat("wal record of ", record->size(), " bytes exceeds maximum ", kMaxRecordBytes));
    }
    uint64_t bytes = kRecordHeaderSize + record->size();
    absl::MutexLock lock(&mu_);
    if (closing_) {
      return absl::FailedPreconditionError(th::StrCat("wal ", options_.dir, " is closed"));
    }
    if (pending_bytes_ + bytes > options_.max_pending_bytes) {
      return absl::ResourceExhaustedError(
          th::StrCat("wal ", options_.dir, " has ", pending_bytes_, " bytes pending, limit ",
                     options_.max_pending_bytes, "; record of ", bytes, " bytes refused"));
    }
    pending_bytes_ += bytes;
    queue_.push_back({std::move(record), std::move(done), nullptr});
    work_cv_.Signal();
    return absl::OkStatus();
  }

  Status Rotate(RotateCallback done) override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (closing_) {
      return absl::FailedPreconditionError(th::StrCat("wal ", options_.dir, " is closed"));
    }
    queue_.push_back({nullptr, nullptr, std::move(done)});
    work_cv_.Signal();
    return absl::OkStatus();
  }

  Status RemoveSegmentsBefore(uint64_t sequence) override ABSL_LOCKS_EXCLUDED(mu_) {
    std::vector<internal::SegmentName> doomed;
    {
      absl::MutexLock lock(&mu_);
      auto keep = std::stable_partition(
          segments_.begin(), segments_.end(), [&](const internal::SegmentName& s) {
            return s.sequence >= sequence || s.sequence == open_sequence_;
          });
      doomed.assign(keep, segments_.end());
      segments_.erase(keep, segments_.end());
      WalMetrics::Get().segments->Set(static_cast<double>(segments_.size()));
    }
    Status status;
    for (const internal::SegmentName& s : doomed) {
      std::string path = th::StrCat(options_.dir, "/", s.name);
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        status.Update(internal::IoError(th::StrCat("remove wal segment ", path), errno));
      }
    }
    if (!doomed.empty() && options_.sync && ::fsync(dir_fd_.get()) != 0) {
      status.Update(internal::IoError(th::StrCat("sync wal dir ", options_.dir), errno));
    }
    if (!doomed.empty()) {
      log::Info("wal segments removed", "dir=", options_.dir, " count=", doomed.size(),
                " below=", sequence);
    }
    return status;
  }

  Status Close() override ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      if (closing_) return absl::OkStatus();
      closing_ = true;
      work_cv_.Signal();
    }
    if (writer_.joinable()) writer_.join();
    Status status;
    if (segment_ != nullptr) {
      status = segment_->Close();
      segment_.reset();
    }
    // Closing the directory releases its lock, so the log can be reopened at once.
    status.Update(dir_fd_.Close(options_.dir));
    return status;
  }

  std::vector<std::string> SegmentsForTest() const override ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> names;
    for (const internal::SegmentName& s : segments_) names.push_back(s.name);
    return names;
  }

 private:
  // A record to append, or (record null) a rotation marker.
  struct Pending {
    Record record;
    AppendCallback done;
    RotateCallback rotated;
  };

  void WriterLoop() ABSL_LOCKS_EXCLUDED(mu_) {
    for (;;) {
      std::vector<Pending> group;
      {
        absl::MutexLock lock(&mu_);
        while (queue_.empty() && !closing_) work_cv_.Wait(&mu_);
        if (queue_.empty()) return;  // closing, and everything queued is committed
        group.swap(queue_);
      }
      // Records between rotation markers are committed as one group each.
      auto begin = group.begin();
      while (begin != group.end()) {
        auto end = std::find_if(begin, group.end(), [](const Pending& p) { return !p.record; });
        if (begin != end) CommitAndAcknowledge(std::vector<Pending>(begin, end));
        if (end == group.end()) break;
        RotateNow(end->rotated);
        begin = end + 1;
      }
    }
  }

  // Commits `group`, runs its callbacks, and gives its bytes back to the pending budget.
  void CommitAndAcknowledge(const std::vector<Pending>& group) ABSL_LOCKS_EXCLUDED(mu_) {
    Status status = Commit(group);
    if (!status.ok()) {
      log::Error("wal group commit failed", "dir=", options_.dir, " records=", group.size(),
                 " error=\"", status.ToString(), "\"");
    }
    uint64_t bytes = 0;
    for (const Pending& p : group) {
      bytes += kRecordHeaderSize + p.record->size();
      if (p.done) p.done(status);
    }
    absl::MutexLock lock(&mu_);
    pending_bytes_ -= bytes;
  }

  // Closes the current segment if it holds records and tells `done` where the next one starts.
  void RotateNow(const RotateCallback& done) {
    uint64_t first_new = next_sequence_;
    if (segment_ != nullptr && segment_->size() <= kSegmentHeaderSize) {
      first_new = next_sequence_ - 1;  // the open segment is empty: it is the boundary
    } else if (segment_ != nullptr) {
      Status status = segment_->Close();
      segment_.reset();
      if (!status.ok()) {
        log::Error("wal segment close failed at rotation", "dir=", options_.dir, " error=\"",
                   status.ToString(), "\"");
      }
      // The next group opens segment `first_new`; opening it now would leave an empty file
      // behind when nothing more is written.
      absl::MutexLock lock(&mu_);
      open_sequence_ = 0;  // sequences start at 1: no segment is open
    }
    if (done) done(first_new);
  }

  // Writes `group` to the log, rolling over segments as needed, and syncs it.
  Status Commit(const std::vector<Pending>& group) {
    if (segment_ == nullptr) RETURN_IF_ERROR(OpenNextSegment());
    WalMetrics::Get().group_commit_records->Observe(static_cast<double>(group.size()));
    // Headers live here, not in the iovecs, so they must not move while `iov` points at them.
    std::vector<std::array<char, kRecordHeaderSize>> headers(group.size());
    std::vector<iovec> iov;
    iov.reserve(2 * group.size());
    uint64_t planned = segment_->size();
    uint64_t run_records = 0;
    for (size_t i = 0; i < group.size(); ++i) {
      const std::string& payload = *group[i].record;
      uint64_t bytes = kRecordHeaderSize + payload.size();
      bool segment_has_records = planned > kSegmentHeaderSize;
      if (segment_has_records && planned + bytes > options_.segment_bytes) {
        RETURN_IF_ERROR(WriteRun(&iov, run_records));
        RETURN_IF_ERROR(RollOver());
        planned = segment_->size();
        run_records = 0;
      }
      internal::EncodeRecordHeader(payload, headers[i].data());
      iov.push_back({headers[i].data(), kRecordHeaderSize});
      // iovec is a C struct without const; writev only reads through it.
      if (!payload.empty()) iov.push_back({const_cast<char*>(payload.data()), payload.size()});
      planned += bytes;
      ++run_records;
    }
    return WriteRun(&iov, run_records);
  }

  // Writes and syncs `iov` (holding `records` records) to the current segment. On failure the
  // segment is cut back to its last committed size, if possible, and abandoned: after a failed
  // fsync the kernel may have dropped the dirty pages, so the file no longer says what we wrote.
  Status WriteRun(std::vector<iovec>* iov, uint64_t records) {
    if (iov->empty()) return absl::OkStatus();
    uint64_t committed = segment_->size();
    Status status = segment_->Write(iov);
    if (status.ok() && options_.sync) status = segment_->Sync();
    iov->clear();
    if (status.ok()) {
      WalMetrics::Get().records_written->Add(records);
      return status;
    }
    Status cut = segment_->Truncate(committed);
    if (!cut.ok()) {
      log::Warn("wal could not truncate failed segment; replay will report it",
                "segment=", segment_->name(), " offset=", committed, " error=\"", cut.ToString(),
                "\"");
    }
    segment_->Close().IgnoreError();  // the write error is the one to report
    segment_.reset();
    return status;
  }

  Status RollOver() {
    Status status = segment_->Close();
    segment_.reset();
    RETURN_IF_ERROR(status);
    return OpenNextSegment();
  }

  Status OpenNextSegment() ABSL_LOCKS_EXCLUDED(mu_) {
    ASSIGN_OR_RETURN(segment_, SegmentFile::Create(options_.dir, dir_fd_.get(), next_sequence_++,
                                                   options_.sync));
    absl::MutexLock lock(&mu_);
    segments_.push_back({next_sequence_ - 1, segment_->name()});
    open_sequence_ = next_sequence_ - 1;
    WalMetrics::Get().segments->Set(static_cast<double>(segments_.size()));
    return absl::OkStatus();
  }

  const Options options_;
  UniqueFd dir_fd_;  // open and flock'ed while the Wal is open

  // Writer-thread state (see the class comment).
  std::unique_ptr<SegmentFile> segment_;
  uint64_t next_sequence_;
  std::thread writer_;

  mutable absl::Mutex mu_;
  absl::CondVar work_cv_;  // signalled when queue_ gains a record or closing_ is set
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t pending_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // queued and in-flight, headers included
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<internal::SegmentName> segments_ ABSL_GUARDED_BY(mu_);  // oldest first
  uint64_t open_sequence_ ABSL_GUARDED_BY(mu_) = 0;  // the segment appended to; never removed
};

}  // namespace

Result<std::unique_ptr<Wal>> Wal::Open(const Options& options,
                                       const std::function<void(std::string_view)>& replay,
                                       ReplayReport* report) {
  ReplayFn with_segment;
  if (replay) with_segment = [&replay](std::string_view record, uint64_t) { replay(record); };
  return Open(options, with_segment, report);
}

Result<std::unique_ptr<Wal>> Wal::Open(const Options& options, const ReplayFn& replay,
                                       ReplayReport* report) {
  if (options.dir.empty()) return absl::InvalidArgumentError("wal dir is empty");
  ReplayReport ignored;
  if (report == nullptr) report = &ignored;
  *report = ReplayReport();

  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return internal::IoError(th::StrCat("create wal dir ", options.dir), ec.value());
  UniqueFd dir_fd(::open(options.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) {
    return internal::IoError(th::StrCat("open wal dir ", options.dir), errno);
  }
  // Two writers on one log would interleave segments and corrupt each other's tails.
  if (::flock(dir_fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return absl::FailedPreconditionError(
          th::StrCat("wal dir ", options.dir, " is in use by another wal"));
    }
    return internal::IoError(th::StrCat("lock wal dir ", options.dir), errno);
  }

  ASSIGN_OR_RETURN(std::vector<internal::SegmentName> found, internal::ListSegments(options.dir));
  ReplayFn on_record = replay;
  if (!on_record) on_record = [](std::string_view, uint64_t) {};
  ASSIGN_OR_RETURN(
      std::vector<internal::SegmentName> remaining,
      internal::ReplaySegments(options.dir, dir_fd.get(), found, options.sync, on_record, report));
  log::Info("wal replayed", "dir=", options.dir, " segments=", report->segments,
            " records=", report->records, " bytes=", report->bytes,
            " corrupt=", report->corrupt ? "true" : "false");

  uint64_t next_sequence =
      std::max<uint64_t>(found.empty() ? 1 : found.back().sequence + 1, options.min_sequence);
  auto wal =
      std::make_unique<WalImpl>(options, std::move(dir_fd), next_sequence, std::move(remaining));
  RETURN_IF_ERROR(wal->Start());
  return std::unique_ptr<Wal>(std::move(wal));
}

}  // namespace th::store::wal

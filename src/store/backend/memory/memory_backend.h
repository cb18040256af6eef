// MemoryBackend: a Backend holding objects in process memory, for unit tests of the layers
// above (block writer, catalog, compaction). Same contracts as backend.h, including the
// object/folder conflict rule, so code tested here behaves the same on disk.
//
// Fault injection, for testing partial uploads and backend errors:
//   * FailNext(verb, status, times): the next `times` calls of `verb` fail with `status` before
//     doing anything. For kPutStream the failure hits the next writer's Commit (or its opening,
//     with `at_open`), which leaves no object behind, like an upload cut off mid-way.
//   * CrashPutStreamAfter(bytes): the next streaming put "crashes" once it has accepted `bytes`
//     bytes: the Append that crosses the limit and everything after it on that writer fail with
//     Unavailable, and nothing becomes visible.
//
// Thread-safe; objects are immutable shared strings, so readers hold a version without a lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/backend/backend.h"

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace th::store::backend {

class MemoryBackend final : public Backend {
 public:
  MemoryBackend();
  ~MemoryBackend() override = default;

  // The next `times` calls of `verb` return `status` (which must not be OK) without effect.
  // For Verb::kPutStream the failure is reported at the writer's Commit, unless `at_open`.
  void FailNext(Verb verb, Status status, int times = 1, bool at_open = false);
  // The next streaming put fails with Unavailable once more than `bytes` bytes were appended
  // (see the file comment). Applies to one writer.
  void CrashPutStreamAfter(uint64_t bytes);
  // Drops all injected faults.
  void ClearFaults();

  // Writers opened and neither committed nor aborted: uploads a crash would leave behind.
  int OpenWritersForTest() const;
  // Number of objects stored.
  size_t ObjectCountForTest() const;

 protected:
  Status DoPut(std::string_view key, std::string_view bytes) override;
  Result<std::string> DoGet(std::string_view key) override;
  Result<std::string> DoGetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<uint64_t> DoStat(std::string_view key) override;
  Result<std::vector<std::string>> DoList(std::string_view prefix, ListMode mode) override;
  Status DoDelete(std::string_view key) override;
  Result<std::unique_ptr<ObjectWriter::Sink>> DoPutStream(std::string_view key) override;
  Result<std::unique_ptr<ObjectReader::Source>> DoGetStream(std::string_view key) override;

 private:
  class Sink;
  class Source;
  using Object = std::shared_ptr<const std::string>;

  struct Fault {
    Status status;
    int times = 0;
    bool at_open = false;
  };

  // The injected failure for `verb`, consuming one use; OK when none.
  Status TakeFault(Verb verb, bool at_open = false) ABSL_LOCKS_EXCLUDED(mu_);
  // Stores `data` under `key` unless the key conflicts with a folder or an object on its path.
  Status Store(std::string_view key, Object data) ABSL_LOCKS_EXCLUDED(mu_);
  Result<Object> Find(std::string_view key) ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Object, std::less<>> objects_ ABSL_GUARDED_BY(mu_);
  std::map<Verb, Fault> faults_ ABSL_GUARDED_BY(mu_);
  std::optional<uint64_t> crash_after_bytes_ ABSL_GUARDED_BY(mu_);
  int open_writers_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace th::store::backend

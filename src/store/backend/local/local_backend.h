// LocalBackend: a Backend over a directory tree, the embedded default (objects under the data
// dir). The object "a/b/c" is the file <root>/a/b/c; folders are directories.
//
// Crash safety: Put and ObjectWriter::Commit write a temp file "<name>.tmp.<16 hex>" in the
// target's directory, fdatasync it, rename it over the target and fsync the directory. rename(2)
// is atomic, so a crash at any point leaves the old object or the whole new one under the key,
// and a committed object survives power loss. Temp files left by a crash are never listed
// (".tmp." is reserved in keys) and are removed by Open(). Directories a Delete leaves empty are
// removed; empty ones left by a crash are not listed.
//
// One process owns a root: Open() deletes every temp file older than stale_temp_age, including
// those another process might be writing.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/backend/backend.h"

namespace th::store::backend {

struct LocalOptions {
  // Root directory; created (with parents) when missing.
  std::string root;
  // Open() removes temp files last modified at least this long before it started.
  std::chrono::seconds stale_temp_age{0};

  // InvalidArgument when root is empty or stale_temp_age is negative.
  Status Validate() const;
};

class LocalBackend final : public Backend {
 public:
  // Opens (creating if needed) the root and removes stale temp files. Errors: InvalidArgument
  // (options), FailedPrecondition (root is not a directory), PermissionDenied, Internal.
  static Result<std::unique_ptr<LocalBackend>> Open(LocalOptions options);
  ~LocalBackend() override = default;

  const std::string& root() const { return root_; }
  // Temp files Open() removed.
  int removed_temps() const { return removed_temps_; }

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

  explicit LocalBackend(std::string root);

  std::string PathOf(std::string_view key) const;
  // Opens the object for reading: NotFound when absent or a folder.
  Result<std::unique_ptr<Source>> OpenForRead(std::string_view key);
  Result<std::unique_ptr<Sink>> OpenForWrite(std::string_view key);
  Status RemoveStaleTemps(const std::string& dir, std::chrono::system_clock::time_point cutoff);

  const std::string root_;  // no trailing '/'
  int removed_temps_ = 0;
};

}  // namespace th::store::backend

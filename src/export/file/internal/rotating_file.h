// RotatingFile: a buffered append-only file with size-based rotation and backup pruning
// (lumberjack's rules, which the Collector's file exporter uses). Thread-compatible: the caller
// serialises calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/unique_fd.h"

namespace th::exporter::file::internal {

struct RotationSettings {
  bool enabled = false;
  int64_t max_megabytes = 100;
  int64_t max_days = 0;  // 0: keep backups regardless of age
  int64_t max_backups = 100;  // 0: keep all
  bool localtime = false;
};

class RotatingFile {
 public:
  RotatingFile(std::string path, RotationSettings rotation, bool append)
      : path_(std::move(path)), rotation_(rotation), append_(append || rotation.enabled) {}
  ~RotatingFile();

  // Opens (creating parent-less paths only) the file.
  Status Open();
  // Buffers `bytes`, as one unit: a rotation happens before it, never inside it.
  Status Append(std::string_view bytes);
  // Writes the buffer to the file.
  Status Flush();
  // Flushes and closes.
  Status Close();

  // The backup name for a rotation at `unix_ms` (exposed for tests).
  std::string BackupName(int64_t unix_ms) const;

 private:
  Status Rotate();
  void PruneBackups();

  const std::string path_;
  const RotationSettings rotation_;
  const bool append_;
  UniqueFd fd_;
  uint64_t size_ = 0;  // bytes in the file plus the buffer
  std::string buffer_;
};

}  // namespace th::exporter::file::internal

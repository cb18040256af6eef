// BatchFiles: the on-disk half of a persistent sending queue — one file per queued batch in the
// exporter's directory, written and fsynced before the batch is acknowledged upstream, deleted
// once it has been sent (or dropped), listed again at start so batches survive a restart.
//
// File `<seq as 16 hex digits>.batch`, little-endian:
//
//   magic     4 bytes  the signal: "THQ1" traces, "THL1" logs
//   crc       u32      masked crc32c (common/crc32c.h) of every byte after this field
//   items     u64      span or log record count (lets a restart size the queue without reading
//                      payloads)
//   tenant    u32 length, then the tenant's bytes
//   payload   the rest: the batch as an OTLP ExportTraceServiceRequest or
//             ExportLogsServiceRequest (protobuf)
//
// Each signal's files also live in their own directory (QueueDir), so an exporter never lists
// another signal's files; should one appear anyway, Open() leaves it alone (logged) rather than
// replaying or deleting it.
//
// A file is written as `<name>.tmp`, fsynced, renamed, and the directory fsynced, so a crash
// leaves either no file or a whole one; start-up deletes stray `.tmp` files. Delivery is
// at-least-once: a crash between a send and the unlink sends the batch again.
// Thread-safety: Write, Read and Remove may run concurrently on distinct sequence numbers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace th::exporter::helper::internal {

enum class QueueSignal { kTraces, kLogs };

struct BatchFileInfo {
  uint64_t seq = 0;
  uint64_t items = 0;
  uint64_t bytes = 0;  // file size
};

// A batch as stored: the signal's OTLP request bytes and what travels beside them.
struct StoredBatch {
  std::string tenant;
  uint64_t items = 0;
  std::string payload;
};

class BatchFiles {
 public:
  BatchFiles(std::string dir, QueueSignal signal) : dir_(std::move(dir)), signal_(signal) {}

  // Creates the directory (and parents) if needed, deletes stray temp files, and returns the
  // complete batch files of this signal in sequence order. Files whose header is unreadable are
  // deleted and logged; files of another signal are skipped and logged. Errors: the directory
  // cannot be created or listed.
  Result<std::vector<BatchFileInfo>> Open();

  // Writes the batch (`payload` is its OTLP request) as file `seq`, durably (see the file
  // comment). Returns the file size.
  Result<uint64_t> Write(uint64_t seq, std::string_view tenant, uint64_t items,
                         std::string_view payload);
  // Reads file `seq` back. DataLoss for a corrupt file or one of another signal, NotFound when
  // missing.
  Result<StoredBatch> Read(uint64_t seq) const;
  // Deletes file `seq`; a missing file is not an error.
  Status Remove(uint64_t seq);

  const std::string& dir() const { return dir_; }

 private:
  std::string PathOf(uint64_t seq) const;
  std::string dir_;
  QueueSignal signal_;
};

// The directory name for an exporter id: '/' and '%' are percent-escaped so `otlp/edge` stays one
// directory level and cannot collide with another id.
std::string QueueDirName(std::string_view exporter_id);

// The queue directory of exporter `exporter_id` for `signal` under `data_dir`:
// <data_dir>/<QueueDirName(id)> for traces (where it has always been), <that>/logs for logs.
// No escaped id contains '/', so no exporter's traces directory is another's logs directory.
std::string QueueDir(std::string_view data_dir, std::string_view exporter_id, QueueSignal signal);

}  // namespace th::exporter::helper::internal

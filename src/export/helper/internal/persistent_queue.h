// BatchFiles: the on-disk half of a persistent sending queue — one file per queued batch in the
// exporter's directory, written and fsynced before the batch is acknowledged upstream, deleted
// once it has been sent (or dropped), listed again at start so batches survive a restart.
//
// File `<seq as 16 hex digits>.batch`, little-endian:
//
//   magic     4 bytes  "THQ1"
//   crc       u32      masked crc32c (common/crc32c.h) of every byte after this field
//   spans     u64      span count (lets a restart size the queue without reading payloads)
//   tenant    u32 length, then the tenant's bytes
//   payload   the rest: the batch as an OTLP ExportTraceServiceRequest (protobuf)
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
#include "model/span_batch.h"

namespace th::exporter::helper::internal {

struct BatchFileInfo {
  uint64_t seq = 0;
  uint64_t spans = 0;
  uint64_t bytes = 0;  // file size
};

class BatchFiles {
 public:
  explicit BatchFiles(std::string dir) : dir_(std::move(dir)) {}

  // Creates the directory (and parents) if needed, deletes stray temp files, and returns the
  // complete batch files in sequence order. Files whose header is unreadable are deleted and
  // logged. Errors: the directory cannot be created or listed.
  Result<std::vector<BatchFileInfo>> Open();

  // Writes `batch` as file `seq`, durably (see the file comment). Returns the file size.
  Result<uint64_t> Write(uint64_t seq, const model::SpanBatch& batch);
  // Reads file `seq` back into a batch. DataLoss for a corrupt file, NotFound when missing.
  Result<std::unique_ptr<model::SpanBatch>> Read(uint64_t seq) const;
  // Deletes file `seq`; a missing file is not an error.
  Status Remove(uint64_t seq);

  const std::string& dir() const { return dir_; }

 private:
  std::string PathOf(uint64_t seq) const;
  std::string dir_;
};

// The directory name for an exporter id: '/' and '%' are percent-escaped so `otlp/edge` stays one
// directory level and cannot collide with another id.
std::string QueueDirName(std::string_view exporter_id);

}  // namespace th::exporter::helper::internal

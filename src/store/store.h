// Store: the trace store of `tracehouse serve` — the write-ahead log for durability and the head
// for lookups. (Blocks, compaction and object storage join it in the storage-engine issue.)
//
// Write path: Append() frames the batch's OTLP bytes with its tenant into one WAL record; once
// the WAL reports the record durable, the spans are indexed in the head and only then is the
// caller's callback run with OK — so an acknowledged span is always both durable and readable.
// Open() replays the WAL into the head before anything is accepted.
// WAL record payload (docs/formats/wal.md, "Payload"): u8 kind (1 = spans) | u16 LE tenant length
// | tenant bytes | OTLP ExportTraceServiceRequest bytes.
//
// Thread-safety: Append and FindTrace may be called concurrently from any thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "model/span_batch.h"
#include "store/head/head.h"
#include "store/scan.h"
#include "store/wal/wal.h"

namespace th::store {

struct StoreOptions {
  std::string data_dir = "./data";  // the WAL lives in <data_dir>/wal
  wal::Options wal;                 // `dir` is filled from data_dir
};

class Store {
 public:
  ~Store();

  // Opens the store and replays the WAL into the head.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);

  // Makes `batch` durable, indexes it, then calls `done` (on the WAL's writer thread) with OK;
  // or calls `done` with the WAL's error (ResourceExhausted when too much is queued).
  void Append(std::unique_ptr<model::SpanBatch>&& batch, std::function<void(const Status&)> done);

  // The trace as OTLP protobuf (TracesData bytes). NotFound when unknown.
  Result<std::string> FindTrace(std::string_view tenant, const model::TraceId& id,
                                const TimeRange& range) const;

  // Visits traces for the query engine (store/scan.h).
  Status Scan(const ScanRequest& request, const TraceVisitor& visit, ScanStats* stats) const {
    return head_.Scan(request, visit, stats);
  }

  HeadStats Stats() const { return head_.Stats(); }
  const wal::ReplayReport& replay_report() const { return replay_report_; }

  // Commits what is queued and closes the WAL. Appends after Close fail.
  Status Close();

 private:
  Store() = default;
  // Indexes one framed record (replay and the write path share it).
  Status IndexRecord(std::shared_ptr<const std::string> record);

  Head head_;
  std::unique_ptr<wal::Wal> wal_;
  wal::ReplayReport replay_report_;
  bool closed_ = false;
};

}  // namespace th::store

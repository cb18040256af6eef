// Head: the recent spans of every tenant, in memory, indexed by trace id. Until blocks exist
// (the storage-engine issue) it keeps everything it is given.
//
// What it holds: the WAL records themselves (OTLP protobuf bytes, shared with the WAL's
// writer, never copied), per record where each scope's Resource and InstrumentationScope
// messages sit, and per trace the byte range of each of its Span messages, plus the trace's time
// range. A lookup decodes nothing: it slices the spans' bytes out of their records and wraps them
// in their ResourceSpans/ScopeSpans again. Memory per span is the span's encoded size plus 16
// bytes of index.
//
// Thread-safety: all methods are safe to call concurrently; each tenant has its own lock.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/ids.h"
#include "model/span_batch.h"

namespace th::store {

struct TimeRange {
  uint64_t start_unix_nano = 0;
  uint64_t end_unix_nano = UINT64_MAX;
};

struct ScanRequest;
struct ScanStats;
using TraceVisitor = std::function<bool(const model::TraceId&, const model::SpanBatch&)>;

struct HeadStats {
  uint64_t tenants = 0;
  uint64_t traces = 0;
  uint64_t spans = 0;
  uint64_t record_bytes = 0;
};

class Head {
 public:
  Head();
  ~Head();
  Head(const Head&) = delete;
  Head& operator=(const Head&) = delete;

  // Indexes the spans of `batch`. Requires: `batch` was decoded from protobuf bytes equal to
  // `otlp` with nothing rejected, so its wire views (span, resource and scope messages) lie in
  // `batch.otlp_encoding`; `owner` keeps the bytes `otlp` points into alive.
  void Add(std::string_view tenant, std::shared_ptr<const std::string> owner, std::string_view otlp,
           const model::SpanBatch& batch);

  // The trace's spans as OTLP protobuf (TracesData bytes; several ResourceSpans when the spans
  // came in several requests). A span received more than once (same span id) is returned once.
  // NotFound when the tenant has no span of the trace overlapping `range`.
  Result<std::string> FindTrace(std::string_view tenant, const model::TraceId& id,
                                const TimeRange& range) const;

  HeadStats Stats() const;

  // Tenants with spans in the head.
  std::vector<std::string> Tenants() const;
  // A tenant's traces in trace-id order, handed out a few at a time as OTLP bytes: cutting a block
  // decodes and encodes one row group's traces at a time instead of the whole head at once, so
  // its memory is bounded by a row group. A snapshot of the trace ids taken at creation; spans
  // added to those traces later are included, new traces are not. Thread-compatible; the head
  // must outlive it.
  class TraceChunks {
   public:
    TraceChunks(TraceChunks&&) noexcept;
    TraceChunks& operator=(TraceChunks&&) noexcept;
    ~TraceChunks();

    uint64_t trace_count() const;
    // Replaces `*otlp` with the next traces, whole, as OTLP protobuf (TracesData bytes): at least
    // `target_spans` spans unless the traces run out; each trace's spans once per span id, in the
    // order they arrived. Returns how many traces it holds; 0 (and no bytes) at the end.
    uint32_t Next(uint32_t target_spans, std::string* otlp);

   private:
    friend class Head;
    struct State;
    explicit TraceChunks(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
  };
  TraceChunks ChunkTraces(std::string_view tenant) const;
  // Forgets `tenant`'s spans (once they are in a durable block).
  void DropTenant(std::string_view tenant);

  // Visits every trace of `request.tenant` overlapping `request.range` (see store/scan.h).
  // Errors: DeadlineExceeded or Cancelled when the scan was cut short (stats so far are kept).
  Status Scan(const ScanRequest& request, const TraceVisitor& visit, ScanStats* stats) const;

 private:
  struct Tenant;
  std::shared_ptr<Tenant> GetOrCreateTenant(std::string_view tenant);
  std::shared_ptr<const Tenant> FindTenant(std::string_view tenant) const;

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace th::store

#include "store/store.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

#include "common/failpoint.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "model/otlp_decode.h"
#include "model/otlp_encode.h"
#include "store/backend/local/local_backend.h"
#include "store/block/block_reader.h"
#include "store/block/block_writer.h"
#include "store/catalog/catalog.h"
#include "store/compact/compactor.h"
#include "store/span_dedup.h"

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace th::store {
namespace {

constexpr uint8_t kRecordSpans = 1;
constexpr size_t kMaxTenantLength = 0xffff;

struct Framed {
  std::string_view tenant;
  std::string_view otlp;
};

std::string FrameHeader(std::string_view tenant) {
  std::string h;
  h.push_back(static_cast<char>(kRecordSpans));
  auto n = static_cast<uint16_t>(tenant.size());
  h.push_back(static_cast<char>(n & 0xff));
  h.push_back(static_cast<char>(n >> 8));
  h.append(tenant);
  return h;
}

Result<Framed> Unframe(std::string_view record) {
  if (record.size() < 3 || static_cast<uint8_t>(record[0]) != kRecordSpans) {
    return absl::DataLossError("wal record: unknown kind");
  }
  size_t n =
      static_cast<uint8_t>(record[1]) | (static_cast<size_t>(static_cast<uint8_t>(record[2])) << 8);
  if (record.size() < 3 + n) return absl::DataLossError("wal record: tenant past end");
  return Framed{record.substr(3, n), record.substr(3 + n)};
}

struct FlushMetrics {
  metrics::Counter* blocks;
  metrics::Counter* spans;
  metrics::Counter* failures;
  metrics::Histogram* seconds;
  metrics::Counter* replay_skipped;
  metrics::Counter* catalog_load_failures;
  metrics::Counter* block_read_errors;
  metrics::Counter* backpressure;
  static FlushMetrics& Get() {
    static FlushMetrics* m = [] {
      auto& r = metrics::Registry::Default();
      return new FlushMetrics{
          r.GetCounter("tracehouse_store_blocks_flushed_total", "Blocks cut from the head."),
          r.GetCounter("tracehouse_store_spans_flushed_total", "Spans written to blocks by cuts."),
          r.GetCounter("tracehouse_store_flush_failures_total",
                       "Block cuts that failed (retried; the head keeps the spans)."),
          r.GetHistogram("tracehouse_store_flush_duration_seconds",
                         "Time to write one tenant's block from a frozen head.",
                         {0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300}),
          r.GetCounter("tracehouse_store_replay_already_flushed_records_total",
                       "WAL records skipped on replay because a block already holds them."),
          r.GetCounter("tracehouse_store_catalog_load_failures_total",
                       "Failed attempts to load the block catalog from the backend (at open "
                       "and while the flusher retries)."),
          r.GetCounter("tracehouse_store_block_read_errors_total",
                       "Block reads that failed (corrupt page, backend error); the rest of the "
                       "block is still served."),
          r.GetCounter("tracehouse_store_backpressure_refusals_total",
                       "Batches refused (retryable) because block writing fell behind ingest."),
      };
    }();
    return *m;
  }
};

// True when the trace [start, end] overlaps `range`.
bool Overlaps(const TimeRange& range, uint64_t start, uint64_t end) {
  return end >= range.start_unix_nano && start <= range.end_unix_nano;
}

// True when a span of `spans` overlaps `range` (the trace's extent does).
bool Overlaps(const TimeRange& range, const model::SpanBatch& spans) {
  uint64_t start = UINT64_MAX, end = 0;
  for (size_t i = 0; i < spans.span_count(); ++i) {
    start = std::min(start, spans.spans.start_time_unix_nano[i]);
    end = std::max(end, spans.spans.end_time_unix_nano[i]);
  }
  return Overlaps(range, start, end);
}

}  // namespace

// One head and, once frozen, the WAL boundary below which its records lie.
struct Store::Generation {
  std::shared_ptr<Head> head = std::make_shared<Head>();
  // steady_clock nanoseconds of the first record added; 0 while empty. Written on the WAL's
  // writer thread, read by the flusher.
  std::atomic<int64_t> first_append_ns{0};

  // OTLP bytes added, for back-pressure (read by receivers' threads).
  std::atomic<uint64_t> bytes{0};

  void NoteAppend(size_t record_bytes) {
    bytes.fetch_add(record_bytes, std::memory_order_relaxed);
    if (first_append_ns.load(std::memory_order_relaxed) == 0) {
      first_append_ns.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                            std::memory_order_relaxed);
    }
  }
  bool empty() const { return first_append_ns.load(std::memory_order_relaxed) == 0; }
  uint64_t wal_segment_end = 0;                           // set when frozen
};

// The generations and the flusher thread's state.
struct Store::Flusher {
  // Readers take it shared to copy pointers; the WAL's writer thread takes it exclusive to
  // freeze the active head, and the flusher to move a tenant from a frozen head to a block.
  mutable absl::Mutex mu;
  std::shared_ptr<Generation> active ABSL_GUARDED_BY(mu) = std::make_shared<Generation>();
  std::vector<std::shared_ptr<Generation>> frozen ABSL_GUARDED_BY(mu);  // oldest first

  absl::Mutex wake_mu;
  absl::CondVar wake;
  bool stop ABSL_GUARDED_BY(wake_mu) = false;
  std::thread thread;
  // Serialises cuts and flushes (the thread and FlushForTest).
  absl::Mutex flush_mu;
};

Store::Store() : flusher_(std::make_unique<Flusher>()) {}

Store::~Store() { Close().IgnoreError(); }

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store());
  store->options_ = options;
  store->backend_ = options.backend;
  if (store->backend_ == nullptr) {
    backend::LocalOptions local_options;
    local_options.root = (std::filesystem::path(options.data_dir) / "blocks").string();
    // One store per data dir (the WAL's directory lock), so a temp file older than a minute is
    // an upload a crash abandoned.
    local_options.stale_temp_age = std::chrono::seconds(60);
    ASSIGN_OR_RETURN(std::unique_ptr<backend::LocalBackend> local,
                     backend::LocalBackend::Open(local_options));
    store->backend_ = std::move(local);
  }
  catalog::CatalogOptions catalog_options;
  catalog_options.compacted_grace = options.compacted_grace;
  catalog_options.orphan_grace = options.orphan_grace;
  store->catalog_ = std::make_unique<catalog::Catalog>(store->backend_.get(), catalog_options);
  Status loaded = store->catalog_->Load(/*collect_garbage=*/true);
  wal::Options wal_options = options.wal;
  wal_options.dir = (std::filesystem::path(options.data_dir) / "wal").string();
  if (loaded.ok()) {
    store->catalog_loaded_ = true;
    for (const std::string& tenant : store->catalog_->Tenants()) {
      wal_options.min_sequence = std::max(wal_options.min_sequence,
                                          store->catalog_->Snapshot(tenant)->wal_segment_end);
    }
  } else {
    FlushMetrics::Get().catalog_load_failures->Add();
    log::Error("cannot load the block catalog; accepting spans into the wal and head, blocks "
               "unreadable and nothing flushed until the backend answers",
               "error=\"", loaded.ToString(), "\"");
    // Boundaries unknown: number new segments above any a block can name (see store.h).
    wal_options.min_sequence = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count());
  }
  uint64_t replay_errors = 0;
  Store* s = store.get();
  auto replay = [s, &replay_errors](std::string_view record, uint64_t segment) {
    Result<Framed> framed = Unframe(record);
    if (framed.ok() && segment < s->catalog_->Snapshot(framed->tenant)->wal_segment_end) {
      ++s->replay_skipped_;
      FlushMetrics::Get().replay_skipped->Add();
      return;
    }
    if (framed.ok() && !s->catalog_loaded_) {
      auto [it, fresh] = s->replayed_unchecked_.try_emplace(std::string(framed->tenant), segment);
      if (!fresh) it->second = std::min(it->second, segment);
    }
    Status st = s->IndexRecord(std::make_shared<const std::string>(record));
    if (!st.ok()) {
      ++replay_errors;
      metrics::Registry::Default()
          .GetCounter("tracehouse_store_replay_skipped_records_total",
                      "WAL records that replay could not index (unknown kind, undecodable).")
          ->Add();
      log::Error("skipping undecodable wal record", "error=\"", st.message(), "\"");
    }
  };
  ASSIGN_OR_RETURN(store->wal_, wal::Wal::Open(wal_options, wal::ReplayFn(replay),
                                               &store->replay_report_));
  HeadStats stats = store->Stats();
  log::Info("store opened", "records=", store->replay_report_.records, " spans=", stats.spans,
            " traces=", stats.traces, " undecodable=", replay_errors,
            " already_in_blocks=", store->replay_skipped_,
            " corrupt=", store->replay_report_.corrupt,
            " blocks_tenants=", store->catalog_->Tenants().size());

  if (options.compact) {
    CompactorOptions compactor_options;
    if (options.compactor != nullptr) compactor_options = *options.compactor;
    store->compactor_ = std::make_unique<Compactor>(store->catalog_.get(), compactor_options);
    store->compactor_->Start();
  }
  if (options.cut_blocks) {
    store->flusher_->thread = std::thread([s] { s->FlusherLoop(); });
  }
  return store;
}

Status Store::IndexRecord(std::shared_ptr<const std::string> record) {
  ASSIGN_OR_RETURN(Framed f, Unframe(*record));
  ASSIGN_OR_RETURN(model::DecodedTraces decoded,
                   model::DecodeOtlpTracesProto(std::string(f.otlp), f.tenant));
  AddToActiveHead(f.tenant, std::move(record), f.otlp, *decoded.batch);
  return absl::OkStatus();
}

void Store::AddToActiveHead(std::string_view tenant, std::shared_ptr<const std::string> owner,
                            std::string_view otlp, const model::SpanBatch& batch) {
  std::shared_ptr<Generation> gen;
  {
    absl::ReaderMutexLock lock(&flusher_->mu);
    gen = flusher_->active;
  }
  gen->NoteAppend(otlp.size());
  gen->head->Add(tenant, std::move(owner), otlp, batch);
}

void Store::Append(std::unique_ptr<model::SpanBatch>&& batch,
                   std::function<void(const Status&)> done) {
  if (batch->tenant.size() > kMaxTenantLength) {
    done(absl::InvalidArgumentError("tenant id longer than 65535 bytes"));
    return;
  }
  if (Status behind = CheckFlushBacklog(); !behind.ok()) {
    done(behind);
    return;
  }
  auto record = std::make_shared<std::string>(FrameHeader(batch->tenant));
  size_t header = record->size();
  std::shared_ptr<model::SpanBatch> held;
  if (!batch->otlp_encoding.empty()) {
    record->append(batch->otlp_encoding);
    held = std::move(batch);
  } else {
    // Encoded here (JSON input, or spans were rejected): decode the encoding once more so the
    // head can index where each span sits in it.
    model::EncodeOtlpTraces(*batch, record.get());
    auto decoded = model::DecodeOtlpTracesProto(record->substr(header), batch->tenant);
    if (!decoded.ok()) {
      done(absl::InternalError(
          th::StrCat("store: re-encoded batch does not decode: ", Message(decoded.status()))));
      return;
    }
    held = std::move(decoded->batch);
  }
  std::shared_ptr<const std::string> shared = std::move(record);
  Status st = wal_->Append(shared, [this, shared, held, header, done](const Status& s) {
    if (s.ok()) {
      // On the WAL's writer thread, as the rotation that swaps `active` is: no record can slip
      // into a head on the wrong side of a rotation.
      AddToActiveHead(held->tenant, shared, std::string_view(*shared).substr(header), *held);
    }
    done(s);
  });
  if (!st.ok()) done(st);
}

Status Store::CheckFlushBacklog() const {
  if (!options_.cut_blocks) return Status();
  uint64_t limit = options_.max_head_bytes != 0 ? options_.max_head_bytes
                                                : 2 * options_.max_block_bytes;
  uint64_t active_bytes;
  {
    absl::ReaderMutexLock lock(&flusher_->mu);
    // Only when a cut is still being written: otherwise the flusher cuts the head soon anyway.
    if (flusher_->frozen.empty()) return Status();
    active_bytes = flusher_->active->bytes.load(std::memory_order_relaxed);
  }
  if (active_bytes < limit) return Status();
  FlushMetrics::Get().backpressure->Add();
  return absl::ResourceExhaustedError(
      th::StrCat("store: block writing is behind (", active_bytes,
                 " bytes wait in the head while a cut is written); retry later"));
}

std::vector<std::shared_ptr<const Head>> Store::Heads() const {
  return View("").heads;
}

Store::ReadView Store::View(std::string_view tenant) const {
  ReadView view;
  // Heads and blocks from one moment: a flush moves spans between them under this lock.
  absl::ReaderMutexLock lock(&flusher_->mu);
  view.heads.push_back(flusher_->active->head);
  for (auto it = flusher_->frozen.rbegin(); it != flusher_->frozen.rend(); ++it) {
    view.heads.push_back((*it)->head);
  }
  if (!tenant.empty()) view.blocks = catalog_->Snapshot(tenant);
  return view;
}

Result<std::string> Store::FindTrace(std::string_view tenant, const model::TraceId& id,
                                     const TimeRange& range) const {
  const ReadView view = View(tenant);
  const std::shared_ptr<const catalog::TenantBlocks>& blocks = view.blocks;
  std::vector<std::string> head_parts;
  for (const auto& h : view.heads) {
    Result<std::string> part = h->FindTrace(tenant, id, range);
    if (part.ok()) head_parts.push_back(std::move(part).value());
  }
  std::vector<std::unique_ptr<model::SpanBatch>> block_parts;
  Status block_error;
  for (const auto& b : blocks->blocks) {
    const block::BlockMeta& m = b->meta();
    if (!Overlaps(range, m.min_start_unix_nano, m.max_end_unix_nano)) continue;
    Result<std::unique_ptr<model::SpanBatch>> part = b->FindTraceBatch(id);
    if (!part.ok()) {
      FlushMetrics::Get().block_read_errors->Add();
      log::Warn("block lookup failed", "block=", m.block_id, " error=\"",
                part.status().message(), "\"");
      if (block_error.ok()) block_error = part.status();
      continue;
    }
    if (*part == nullptr) continue;
    if (Overlaps(range, **part)) block_parts.push_back(std::move(part).value());
  }
  if (block_parts.empty()) {
    if (head_parts.size() == 1) return std::move(head_parts[0]);  // the common, fast case
    if (head_parts.empty()) {
      if (!block_error.ok()) return block_error;
      return absl::NotFoundError("trace not found");
    }
  }
  // Several places: decode the head parts and keep each span once.
  std::vector<std::unique_ptr<model::SpanBatch>> decoded;
  for (std::string& part : head_parts) {
    ASSIGN_OR_RETURN(model::DecodedTraces d, model::DecodeOtlpTracesProto(std::move(part), tenant));
    decoded.push_back(std::move(d.batch));
  }
  std::vector<const model::SpanBatch*> parts;
  for (const auto& d : decoded) parts.push_back(d.get());
  for (const auto& b : block_parts) parts.push_back(b.get());
  return MergeTraceParts(parts);
}

Status Store::Scan(const ScanRequest& request, const TraceVisitor& visit, ScanStats* stats) const {
  const ReadView view = View(request.tenant);
  const std::vector<std::shared_ptr<const Head>>& heads = view.heads;
  const std::shared_ptr<const catalog::TenantBlocks>& blocks = view.blocks;
  ScanStats local;
  if (stats == nullptr) stats = &local;
  bool stopped = false;
  auto counting_visit = [&](const model::TraceId& id, const model::SpanBatch& spans) {
    if (!visit(id, spans)) {
      stopped = true;
      return false;
    }
    return true;
  };
  for (const auto& h : heads) {
    ScanRequest part = request;
    if (request.max_spans > 0) {
      RETURN_IF_ERROR(CheckScanBudget(request, stats->spans));
      part.max_spans = request.max_spans - stats->spans;
    }
    RETURN_IF_ERROR(h->Scan(part, counting_visit, stats));
    if (stopped) return Status();
  }
  // Blocks, newest first when asked.
  std::vector<std::shared_ptr<const block::BlockReader>> order;
  for (const auto& b : blocks->blocks) {
    if (Overlaps(request.range, b->meta().min_start_unix_nano, b->meta().max_end_unix_nano)) {
      order.push_back(b);
    }
  }
  if (request.most_recent_first) {
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a->meta().max_end_unix_nano > b->meta().max_end_unix_nano;
    });
  }
  // Stops BlockReader::ScanRange without being an error.
  const Status kStop = absl::AbortedError("scan stopped by its visitor");
  for (const auto& b : order) {
    block::ScanSkips skips;
    Status st = b->ScanFiltered(
        request.range.start_unix_nano, request.range.end_unix_nano, request.predicate,
        [&](std::unique_ptr<model::SpanBatch>&& spans) -> Status {
          RETURN_IF_ERROR(CheckScanBudget(request, stats->spans));
          if (spans->span_count() == 0 || !Overlaps(request.range, *spans)) return Status();
          ++stats->traces;
          stats->spans += spans->span_count();
          return visit(spans->spans.trace_id[0], *spans) ? Status() : kStop;
        },
        &skips);
    stats->skipped_spans += skips.spans;
    if (st == kStop) return Status();
    if (absl::IsResourceExhausted(st) || absl::IsCancelled(st) || absl::IsDeadlineExceeded(st)) {
      return st;
    }
    if (!st.ok()) {
      // A corrupt page spoils its row group only; the rest of the block was visited.
      FlushMetrics::Get().block_read_errors->Add();
      log::Error("block scan error", "block=", b->meta().block_id, " error=\"", st.message(),
                 "\"");
    }
  }
  return Status();
}

HeadStats Store::Stats() const {
  HeadStats sum;
  for (const auto& h : Heads()) {
    HeadStats s = h->Stats();
    sum.tenants = std::max(sum.tenants, s.tenants);
    sum.traces += s.traces;
    sum.spans += s.spans;
    sum.record_bytes += s.record_bytes;
  }
  return sum;
}

StoreStats Store::FullStats() const {
  StoreStats s;
  s.head = Stats();
  {
    absl::ReaderMutexLock lock(&flusher_->mu);
    s.frozen_heads = flusher_->frozen.size();
  }
  for (const std::string& tenant : catalog_->Tenants()) {
    auto t = catalog_->Snapshot(tenant);
    s.blocks += t->blocks.size();
    s.block_spans += t->span_count;
    s.block_bytes += t->byte_count;
  }
  return s;
}

Status Store::LoadCatalogIfNeeded() {
  if (catalog_loaded_) return Status();
  Status st = catalog_->Load(/*collect_garbage=*/true);
  if (!st.ok()) {
    FlushMetrics::Get().catalog_load_failures->Add();
    return st;
  }
  for (const auto& [tenant, segment] : replayed_unchecked_) {
    uint64_t boundary = catalog_->Snapshot(tenant)->wal_segment_end;
    if (segment < boundary) {
      log::Warn("spans replayed before the catalog loaded may already be in blocks; they are "
                "written again (reads and compaction keep each span once)",
                "tenant=", tenant, " wal_segment=", segment, " block_boundary=", boundary);
    }
  }
  replayed_unchecked_.clear();
  catalog_loaded_ = true;
  log::Info("block catalog loaded", "tenants=", catalog_->Tenants().size());
  return Status();
}

Status Store::Cut() {
  absl::Notification rotated;
  RETURN_IF_ERROR(wal_->Rotate([this, &rotated](uint64_t first_new_segment) {
    absl::MutexLock lock(&flusher_->mu);
    auto& f = *flusher_;
    if (!f.active->empty()) {
      f.active->wal_segment_end = first_new_segment;
      f.frozen.push_back(std::move(f.active));
      f.active = std::make_shared<Generation>();
    }
    rotated.Notify();
  }));
  rotated.WaitForNotification();
  failpoint::Hit("flush.after_rotate");
  return Status();
}

Status Store::FlushFrozen() {
  for (;;) {
    std::shared_ptr<Generation> oldest;
    {
      absl::ReaderMutexLock lock(&flusher_->mu);
      if (flusher_->frozen.empty()) return Status();
      oldest = flusher_->frozen.front();
    }
    RETURN_IF_ERROR(FlushGeneration(oldest.get()));
    {
      absl::MutexLock lock(&flusher_->mu);
      flusher_->frozen.erase(flusher_->frozen.begin());
    }
    failpoint::Hit("flush.before_wal_removal");
    // Every older generation is flushed too (oldest first), so nothing below is still needed.
    Status st = wal_->RemoveSegmentsBefore(oldest->wal_segment_end);
    if (!st.ok()) log::Warn("wal segment removal failed", "error=\"", st.message(), "\"");
  }
}

Status Store::FlushGeneration(Generation* gen) {
  for (const std::string& tenant : gen->head->Tenants()) {
    auto started = std::chrono::steady_clock::now();
    block::BlockWriterOptions wo;
    wo.tenant = tenant;
    wo.block_id = catalog::NewBlockId();
    wo.target_spans_per_row_group = options_.target_spans_per_row_group;
    wo.wal_segment_end = gen->wal_segment_end;
    block::BlockWriter writer(backend_.get(), wo);
    // The block is written a row group at a time, traces in id order, so that a cut holds one
    // row group's spans decoded rather than the whole head's (gigabytes under load, and faulting
    // them in afresh at every cut cost a sixth of the server's CPU). One buffer and one batch serve
    // every row group: decoding into memory already faulted in is cheaper than into fresh pages.
    Head::TraceChunks chunks = gen->head->ChunkTraces(tenant);
    RETURN_IF_ERROR(writer.StartRowGroups(chunks.trace_count()));
    std::string otlp;
    model::SpanBatch batch;
    uint64_t spans = 0;
    while (chunks.Next(options_.target_spans_per_row_group, &otlp) > 0) {
      Result<int64_t> rejected = model::DecodeOtlpTracesProtoInto(otlp, tenant, &batch);
      // Records were decoded once already to enter the head, so this cannot fail short of memory
      // corruption; refuse to write a block missing spans.
      if (!rejected.ok() || *rejected != 0) {
        return absl::InternalError(th::StrCat(
            "flush: head spans do not decode: ",
            rejected.ok() ? "spans rejected" : Message(rejected.status())));
      }
      spans += batch.span_count();
      RETURN_IF_ERROR(writer.AddRowGroup(batch));
    }
    failpoint::Hit("flush.before_block_finish");
    Result<block::BlockMeta> meta = writer.Finish();
    if (!meta.ok()) {
      FlushMetrics::Get().failures->Add();
      return meta.status();
    }
    failpoint::Hit("flush.after_block_written");
    ASSIGN_OR_RETURN(std::unique_ptr<block::BlockReader> reader,
                     block::BlockReader::Open(backend_.get(), tenant, wo.block_id));
    {
      // One step for readers: the spans leave the head as the block joins the catalog.
      absl::MutexLock lock(&flusher_->mu);
      Status published = catalog_->Update(tenant, {std::move(reader)}, {});
      if (!published.ok()) {
        // The in-memory list has the block; the index object is rewritten by the next change.
        log::Warn("block index publish failed", "tenant=", tenant, " error=\"",
                  published.message(), "\"");
      }
      gen->head->DropTenant(tenant);
    }
    failpoint::Hit("flush.after_publish");
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    FlushMetrics::Get().blocks->Add();
    FlushMetrics::Get().spans->Add(spans);
    FlushMetrics::Get().seconds->Observe(seconds);
    log::Info("block cut", "tenant=", tenant, " block=", wo.block_id, " spans=", spans,
              " bytes=", meta->data_size + meta->index_size + meta->bloom_size,
              " seconds=", seconds);
  }
  return Status();
}

void Store::FlusherLoop() {
  Flusher& f = *flusher_;
  auto backoff = options_.flush_check_interval;
  for (;;) {
    {
      absl::MutexLock lock(&f.wake_mu);
      if (!f.stop) f.wake.WaitWithTimeout(&f.wake_mu, absl::FromChrono(options_.flush_check_interval));
      if (f.stop) return;
    }
    bool cut = false;
    {
      absl::ReaderMutexLock lock(&f.mu);
      const Generation& g = *f.active;
      if (!g.empty()) {
        auto age = std::chrono::steady_clock::now().time_since_epoch() -
                   std::chrono::steady_clock::duration(g.first_append_ns.load());
        cut = g.head->Stats().record_bytes >= options_.max_block_bytes ||
              age >= options_.max_block_duration;
      }
    }
    absl::MutexLock flush_lock(&f.flush_mu);
    Status st = LoadCatalogIfNeeded();
    if (st.ok() && cut) st = Cut();
    if (st.ok()) st = FlushFrozen();
    if (st.ok()) {
      backoff = options_.flush_check_interval;
      continue;
    }
    log::Error("block flush failed; the head keeps the spans and retries", "error=\"",
               st.ToString(), "\"");
    // Back off (bounded) so a dead backend is not hammered; the wait is interruptible.
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::milliseconds(30'000));
    absl::MutexLock lock(&f.wake_mu);
    if (!f.stop) f.wake.WaitWithTimeout(&f.wake_mu, absl::FromChrono(backoff));
    if (f.stop) return;
  }
}

Status Store::FlushForTest() {
  absl::MutexLock flush_lock(&flusher_->flush_mu);
  RETURN_IF_ERROR(LoadCatalogIfNeeded());
  RETURN_IF_ERROR(Cut());
  return FlushFrozen();
}

Status Store::CompactForTest() {
  if (compactor_ == nullptr) {
    Compactor once(catalog_.get(), options_.compactor != nullptr ? *options_.compactor
                                                                 : CompactorOptions());
    return once.RunOnce();
  }
  return compactor_->RunOnce();
}

Status Store::Close() {
  if (wal_ == nullptr || closed_) return absl::OkStatus();
  closed_ = true;
  {
    absl::MutexLock lock(&flusher_->wake_mu);
    flusher_->stop = true;
    flusher_->wake.Signal();
  }
  if (flusher_->thread.joinable()) flusher_->thread.join();
  if (compactor_ != nullptr) compactor_->Stop();
  return wal_->Close();
}

}  // namespace th::store

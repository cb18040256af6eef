#include "store/compact/compactor.h"

#include <algorithm>
#include <deque>
#include <map>
#include <span>
#include <thread>

#include "common/clock.h"
#include "common/failpoint.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "store/block/block_writer.h"
#include "store/span_dedup.h"

#include "absl/synchronization/mutex.h"

namespace th::store {
namespace {

struct CompactionMetrics {
  metrics::Counter* jobs;
  metrics::Counter* failures;
  metrics::Counter* input_blocks;
  metrics::Counter* spans;
  metrics::Counter* duplicates;
  metrics::Counter* expired;
  metrics::Histogram* seconds;
  static CompactionMetrics& Get() {
    static CompactionMetrics* m = [] {
      auto& r = metrics::Registry::Default();
      return new CompactionMetrics{
          r.GetCounter("tracehouse_compaction_jobs_total", "Compactions completed."),
          r.GetCounter("tracehouse_compaction_failures_total", "Compactions that failed."),
          r.GetCounter("tracehouse_compaction_input_blocks_total", "Blocks merged away."),
          r.GetCounter("tracehouse_compaction_spans_total", "Spans written by compactions."),
          r.GetCounter("tracehouse_compaction_duplicate_spans_dropped_total",
                       "Spans dropped by compaction as duplicates (same trace and span id)."),
          r.GetCounter("tracehouse_retention_deleted_blocks_total",
                       "Blocks deleted because they passed retention."),
          r.GetHistogram("tracehouse_compaction_duration_seconds", "Time of one compaction.",
                         {0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300}),
      };
    }();
    return *m;
  }
};

}  // namespace

std::vector<BlockList> PlanCompactions(const catalog::TenantBlocks& blocks,
                                       const CompactorOptions& options) {
  const uint64_t window_ns =
      static_cast<uint64_t>(std::max<int64_t>(1, options.window.count())) * 1'000'000'000ull;
  std::map<uint64_t, BlockList> by_window;
  std::vector<BlockList> jobs;
  for (const auto& b : blocks.blocks) {
    if (b->meta().span_count >= options.max_output_spans) {
      // Big enough to stay as it is, but a block straight from a cut (level 0) still has the
      // cut's fast compression: rewrite it alone once, as compaction output (under heavy ingest
      // cuts are this big, and would otherwise keep ~7 % more bytes for good).
      if (b->meta().compaction_level == 0) jobs.push_back({b});
      continue;
    }
    by_window[b->meta().max_end_unix_nano / window_ns].push_back(b);
  }
  for (auto& [window, list] : by_window) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      if (a->meta().span_count != b->meta().span_count) {
        return a->meta().span_count < b->meta().span_count;
      }
      return a->meta().block_id < b->meta().block_id;
    });
    BlockList job;
    uint64_t spans = 0;
    for (const auto& b : list) {
      bool full = job.size() >= options.max_inputs ||
                  spans + b->meta().span_count > options.max_output_spans;
      if (full) {
        if (job.size() >= options.min_inputs) jobs.push_back(std::move(job));
        job.clear();
        spans = 0;
      }
      job.push_back(b);
      spans += b->meta().span_count;
    }
    if (job.size() >= std::max<uint32_t>(2, options.min_inputs)) jobs.push_back(std::move(job));
  }
  return jobs;
}

std::vector<std::string> ExpiredBlocks(const catalog::TenantBlocks& blocks,
                                       std::chrono::seconds retention, uint64_t now_unix_nano) {
  std::vector<std::string> out;
  if (retention.count() <= 0) return out;
  uint64_t keep_ns = static_cast<uint64_t>(retention.count()) * 1'000'000'000ull;
  if (now_unix_nano < keep_ns) return out;
  uint64_t cutoff = now_unix_nano - keep_ns;
  for (const auto& b : blocks.blocks) {
    if (b->meta().max_end_unix_nano < cutoff) out.push_back(b->meta().block_id);
  }
  return out;
}

Result<block::BlockMeta> MergeBlocks(backend::Backend* backend, std::string_view tenant,
                                     const BlockList& inputs, const CompactorOptions& options,
                                     const std::atomic<bool>* cancel, const RestFn& rest) {
  auto cancelled = [cancel] { return cancel != nullptr && cancel->load(std::memory_order_relaxed); };
  const Status stopped = absl::CancelledError("compaction stopped: shutting down");
  block::BlockWriterOptions wo;
  wo.tenant = std::string(tenant);
  wo.block_id = catalog::NewBlockId();
  wo.target_spans_per_row_group = options.target_spans_per_row_group;
  wo.zstd_level = options.zstd_level;
  uint64_t trace_estimate = 0;  // sizes the bloom filter; traces split across inputs count twice
  for (const auto& in : inputs) {
    const block::BlockMeta& m = in->meta();
    wo.compaction_level = std::max(wo.compaction_level, m.compaction_level + 1);
    wo.wal_segment_end = std::max(wo.wal_segment_end, m.wal_segment_end);
    wo.sources.push_back(m.block_id);
    trace_estimate += m.trace_count;
  }
  block::BlockWriter writer(backend, wo);
  RETURN_IF_ERROR(writer.StartRowGroups(trace_estimate));

  // The inputs are read a row group at a time and their traces merged in id order (each block
  // is sorted by trace id), so a job holds one row group per input and the output row group
  // being built, never all of its inputs' traces at once.
  struct Cursor {
    const block::BlockReader* reader = nullptr;
    uint32_t next_row_group = 0;
    std::deque<std::unique_ptr<model::SpanBatch>> traces;
  };
  std::vector<Cursor> cursors(inputs.size());  // sized once: a Cursor only moves by copying
  for (size_t i = 0; i < inputs.size(); ++i) cursors[i].reader = inputs[i].get();
  // A corrupt row group fails the job: merging would silently drop its traces for good.
  auto fill = [&](Cursor& c) -> Status {
    while (c.traces.empty() && c.next_row_group < c.reader->meta().row_groups.size()) {
      RETURN_IF_ERROR(c.reader->ScanRowGroup(
          c.next_row_group++, [&](std::unique_ptr<model::SpanBatch>&& trace) -> Status {
            if (cancelled()) return stopped;
            if (trace->span_count() > 0) c.traces.push_back(std::move(trace));
            return Status();
          }));
    }
    return Status();
  };
  auto front_id = [](const Cursor& c) -> const model::TraceId& {
    return c.traces.front()->spans.trace_id[0];
  };
  // The parts added to the output row group being built live until it is ended.
  std::vector<std::unique_ptr<model::SpanBatch>> row_group_parts;
  uint64_t row_group_spans = 0, duplicates = 0, spans = 0;
  auto busy_since = std::chrono::steady_clock::now();
  for (;;) {
    if (cancelled()) return stopped;
    const Cursor* lowest = nullptr;
    for (Cursor& c : cursors) {
      RETURN_IF_ERROR(fill(c));
      if (!c.traces.empty() && (lowest == nullptr || front_id(c) < front_id(*lowest))) lowest = &c;
    }
    if (lowest == nullptr) break;
    const model::TraceId id = front_id(*lowest);
    // The trace's parts in input order; a span in several inputs is kept once, the first.
    SpanDedup dedup;
    for (Cursor& c : cursors) {
      if (c.traces.empty() || front_id(c) != id) continue;
      std::unique_ptr<model::SpanBatch> part = std::move(c.traces.front());
      c.traces.pop_front();
      std::vector<uint32_t> fresh = dedup.NewSpans(*part);
      duplicates += part->span_count() - fresh.size();
      spans += fresh.size();
      row_group_spans += fresh.size();
      if (!fresh.empty()) RETURN_IF_ERROR(writer.AddTrace(*part, fresh));
      row_group_parts.push_back(std::move(part));
    }
    if (row_group_spans >= options.target_spans_per_row_group) {
      RETURN_IF_ERROR(writer.EndRowGroup());
      row_group_parts.clear();
      row_group_spans = 0;
      if (rest) {
        if (!rest(std::chrono::steady_clock::now() - busy_since)) return stopped;
        busy_since = std::chrono::steady_clock::now();
      }
    }
  }
  failpoint::Hit("compact.before_output_finish");
  ASSIGN_OR_RETURN(block::BlockMeta meta, writer.Finish());
  failpoint::Hit("compact.after_output_written");
  CompactionMetrics::Get().duplicates->Add(duplicates);
  CompactionMetrics::Get().spans->Add(spans);
  return meta;
}

struct Compactor::Thread {
  absl::Mutex mu;
  absl::CondVar wake;
  bool stop ABSL_GUARDED_BY(mu) = false;
  std::atomic<bool> cancel{false};  // read by a merge in progress, without the lock
  std::thread thread;
  absl::Mutex run_mu;  // one RunOnce at a time
};

Compactor::Compactor(catalog::Catalog* catalog, CompactorOptions options)
    : catalog_(catalog), options_(std::move(options)), thread_(std::make_unique<Thread>()) {}

Compactor::~Compactor() { Stop(); }

bool Compactor::Rest(std::chrono::steady_clock::duration busy) {
  double budget = std::clamp(options_.cpu_budget, 0.01, 1.0);
  auto rest = std::chrono::duration_cast<std::chrono::milliseconds>(busy * (1.0 / budget - 1.0));
  absl::MutexLock lock(&thread_->mu);
  if (rest.count() > 0 && !thread_->stop) {
    thread_->wake.WaitWithTimeout(&thread_->mu, absl::FromChrono(rest));
  }
  return !thread_->stop;
}

Status Compactor::RunOnce() {
  absl::MutexLock run(&thread_->run_mu);
  Status first;
  backend::Backend* backend = catalog_->backend();
  for (const std::string& tenant : catalog_->Tenants()) {
    // Retention first: no point merging what is about to go.
    auto retention = options_.retention;
    if (auto it = options_.tenant_retention.find(tenant); it != options_.tenant_retention.end()) {
      retention = it->second;
    }
    for (const std::string& id :
         ExpiredBlocks(*catalog_->Snapshot(tenant), retention, NowUnixNano())) {
      Status st = catalog_->Drop(tenant, id);
      if (st.ok()) {
        CompactionMetrics::Get().expired->Add();
        log::Info("block past retention deleted", "tenant=", tenant, " block=", id);
      } else {
        first.Update(st);
        log::Warn("retention delete failed", "tenant=", tenant, " block=", id, " error=\"",
                  st.message(), "\"");
      }
    }
    for (const BlockList& job : PlanCompactions(*catalog_->Snapshot(tenant), options_)) {
      auto started = std::chrono::steady_clock::now();
      // In the background a merge rests as it goes (row group by row group), and after it for
      // what it did since its last rest.
      auto busy_since = started;
      RestFn rest_in_merge;
      if (thread_->thread.joinable()) {
        rest_in_merge = [this, &busy_since](std::chrono::steady_clock::duration busy) {
          bool going_on = Rest(busy);
          busy_since = std::chrono::steady_clock::now();
          return going_on;
        };
      }
      Result<block::BlockMeta> merged =
          MergeBlocks(backend, tenant, job, options_, &thread_->cancel, rest_in_merge);
      if (merged.status().code() == absl::StatusCode::kCancelled) {
        log::Info("compaction stopped for shutdown", "tenant=", tenant);
        return first;
      }
      Status st = merged.status();
      if (st.ok()) {
        auto reader = block::BlockReader::Open(backend, tenant, merged->block_id);
        st = reader.status();
        if (st.ok()) {
          std::vector<std::string> removed = merged->sources;
          // The output is durable: from here on it is the truth, even if publishing fails
          // (the next load hides the sources because the output names them).
          Status published = catalog_->Update(tenant, {std::move(reader).value()}, removed);
          failpoint::Hit("compact.after_publish");
          if (!published.ok()) {
            log::Warn("block index publish failed", "tenant=", tenant, " error=\"",
                      published.message(), "\"");
          }
        }
      }
      auto busy = std::chrono::steady_clock::now() - started;
      if (st.ok()) {
        CompactionMetrics::Get().jobs->Add();
        CompactionMetrics::Get().input_blocks->Add(job.size());
        CompactionMetrics::Get().seconds->Observe(std::chrono::duration<double>(busy).count());
        log::Info("blocks compacted", "tenant=", tenant, " inputs=", job.size(),
                  " output=", merged->block_id, " spans=", merged->span_count,
                  " level=", merged->compaction_level);
      } else {
        CompactionMetrics::Get().failures->Add();
        first.Update(st);
        log::Error("compaction failed", "tenant=", tenant, " error=\"", st.message(), "\"");
      }
      if (thread_->thread.joinable() && !Rest(std::chrono::steady_clock::now() - busy_since)) {
        return first;
      }
    }
  }
  Result<int> collected = catalog_->CollectGarbage();
  if (!collected.ok()) first.Update(collected.status());
  return first;
}

void Compactor::Start() {
  if (thread_->thread.joinable()) return;
  thread_->cancel = false;
  thread_->thread = std::thread([this] {
    for (;;) {
      {
        absl::MutexLock lock(&thread_->mu);
        if (!thread_->stop) {
          thread_->wake.WaitWithTimeout(&thread_->mu, absl::FromChrono(options_.interval));
        }
        if (thread_->stop) return;
      }
      Status st = RunOnce();
      if (!st.ok()) log::Warn("compaction round had errors", "error=\"", st.message(), "\"");
    }
  });
}

void Compactor::Stop() {
  thread_->cancel = true;
  {
    absl::MutexLock lock(&thread_->mu);
    thread_->stop = true;
    thread_->wake.Signal();
  }
  if (thread_->thread.joinable()) thread_->thread.join();
}

}  // namespace th::store

// TraceQL scan rate over the head and over blocks: loadgen's realistic traces (~70 spans, 12
// services, 8 attributes per span) are stored, then each query runs over all of them (no limit).
// Items processed are the spans the scan covered — built and evaluated, or skipped by the
// conditions pushed down into block scans (row-group statistics, per-span columns); the rate is
// per core (one thread). `head/…` reads the head; `blocks/…` the same spans cut into a block.
#include <filesystem>
#include <future>

#include <benchmark/benchmark.h>

#include "common/allocator.h"
#include "query/exec/pushdown.h"
#include "query/exec/search.h"
#include "query/traceql/traceql.h"
#include "store/backend/memory/memory_backend.h"
#include "store/block/block_reader.h"
#include "store/block/block_writer.h"
#include "store/store.h"
#include "tools/loadgen/trace_generator.h"

namespace {

constexpr size_t kSpans = 300000;

// The spans in the head (blocks = false) or, cut from it, in one block on local disk.
th::store::Store& TheStore(bool blocks) {
  auto open = [](bool cut) {
    auto dir = std::filesystem::temp_directory_path() /
               ("query_bench_" + std::to_string(::getpid()) + (cut ? "_blocks" : "_head"));
    std::filesystem::remove_all(dir);
    th::store::StoreOptions options;
    options.data_dir = dir.string();
    options.wal.sync = false;  // setup speed only; queries never touch the WAL
    options.cut_blocks = false;
    options.compact = false;
    auto opened = th::store::Store::Open(options);
    auto* s = opened->release();
    th::tools::TraceGenerator generator(11);
    for (size_t spans = 0; spans < kSpans;) {
      auto batch = generator.NextBatch(1000, 1'800'000'000'000'000'000ull);
      spans += batch->span_count();
      std::promise<th::Status> done;
      s->Append(std::move(batch), [&done](const th::Status& st) { done.set_value(st); });
      done.get_future().get().IgnoreError();
    }
    if (cut) s->FlushForTest().IgnoreError();
    return s;
  };
  static th::store::Store* head = open(false);
  static th::store::Store* block = open(true);
  return blocks ? *block : *head;
}

void RunQuery(benchmark::State& state, bool blocks, const char* text) {
  auto query = th::query::traceql::Parse(text);
  if (!query.ok()) {
    state.SkipWithError(std::string(th::Message(query.status())).c_str());
    return;
  }
  th::store::Store& store = TheStore(blocks);
  uint64_t spans = 0, matched = 0;
  for (auto _ : state) {
    th::query::exec::SearchOptions options;
    options.scan.tenant = "single-tenant";
    options.limit = 0;
    auto result = th::query::exec::SearchTraceQL(store, **query, options);
    if (!result.ok()) {
      state.SkipWithError(std::string(th::Message(result.status())).c_str());
      return;
    }
    spans += result->stats.spans + result->stats.skipped_spans;
    matched = result->traces.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(spans));
  state.counters["matched_traces"] = static_cast<double>(matched);
}

// The same spans written by BlockWriter (default options) to a memory backend, for timing the
// column-first predicate evaluation alone (BlockReader::CountCandidateTraces: the predicate's
// columns are read and evaluated, no trace is built). `cached`: the reader keeps the pages it
// evaluated in the column cache (PageCache::Columns(), as serve's readers do), so every iteration
// after the first runs on warm data; otherwise (a reader without caches) each iteration reads
// the row groups from the backend and verifies and decompresses the pages again.
const th::store::block::BlockReader& TheBlock(bool cached) {
  static auto* backend = new th::store::backend::MemoryBackend();
  static const th::store::block::BlockWriterOptions options = [] {
    th::tools::TraceGenerator generator(11);
    std::vector<std::unique_ptr<th::model::SpanBatch>> batches;
    th::store::block::BlockWriterOptions o;
    o.tenant = "single-tenant";
    o.block_id = "filter-bench";
    th::store::block::BlockWriter writer(backend, o);
    for (size_t spans = 0; spans < kSpans;) {
      batches.push_back(generator.NextBatch(1000, 1'800'000'000'000'000'000ull));
      spans += batches.back()->span_count();
      writer.AddBatch(*batches.back()).IgnoreError();
    }
    writer.Finish().IgnoreError();
    return o;
  }();
  auto open = [](th::store::block::PageCache* cache) {
    return th::store::block::BlockReader::Open(backend, options.tenant, options.block_id, cache)
        ->release();
  };
  static const th::store::block::BlockReader* warm = open(th::store::block::PageCache::Default());
  static const th::store::block::BlockReader* uncached = open(nullptr);
  return cached ? *warm : *uncached;
}

// Items: the block's spans, every one decided on per iteration (evaluated on columns, or ruled
// out by statistics or the block's resource table); `column_spans` is the rate of those the
// column loop evaluated.
void FilterOnly(benchmark::State& state, bool cached, const char* text) {
  auto query = th::query::traceql::Parse(text);
  if (!query.ok()) {
    state.SkipWithError(std::string(th::Message(query.status())).c_str());
    return;
  }
  const th::store::ScanPredicate p = th::query::exec::ExtractScanPredicate(**query);
  const auto& block = TheBlock(cached);
  uint64_t covered = 0, evaluated = 0, candidates = 0;
  for (auto _ : state) {
    th::store::block::ScanSkips skips;
    auto n = block.CountCandidateTraces(0, UINT64_MAX, p, &skips);
    if (!n.ok()) {
      state.SkipWithError(std::string(th::Message(n.status())).c_str());
      return;
    }
    candidates = *n;
    evaluated += skips.evaluated_spans;
    covered += block.meta().span_count;  // every span is decided on: no time range
  }
  state.SetItemsProcessed(static_cast<int64_t>(covered));
  state.counters["column_spans"] =
      benchmark::Counter(static_cast<double>(evaluated), benchmark::Counter::kIsRate);
  state.counters["candidate_traces"] = static_cast<double>(candidates);
  if (cached) {
    // What warm data costs in memory: the column cache's bytes (the whole process's, so run
    // one benchmark alone to read it for one query) per span of the block.
    state.counters["cache_bytes_per_span"] =
        static_cast<double>(th::store::block::PageCache::Columns()->stats().bytes) /
        static_cast<double>(block.meta().span_count);
  }
}

#define TH_QUERY_BENCH(name, text)                                                     \
  BENCHMARK_CAPTURE(RunQuery, head/name, false, text)->Unit(benchmark::kMillisecond); \
  BENCHMARK_CAPTURE(RunQuery, blocks/name, true, text)->Unit(benchmark::kMillisecond); \
  BENCHMARK_CAPTURE(FilterOnly, filter/name, true, text)->Unit(benchmark::kMicrosecond); \
  BENCHMARK_CAPTURE(FilterOnly, filter_uncached/name, false, text)->Unit(benchmark::kMicrosecond)

TH_QUERY_BENCH(status_code_500, "{ span.http.status_code = 500 }");
TH_QUERY_BENCH(duration_gt_2s, "{ duration > 2s }");
TH_QUERY_BENCH(service_name, "{ resource.service.name = \"payment\" }");
TH_QUERY_BENCH(service_absent, "{ resource.service.name = \"no-such-service\" }");
TH_QUERY_BENCH(error_in_service, "{ resource.service.name = \"payment\" && status = error }");
TH_QUERY_BENCH(structural, "{ resource.service.name = \"frontend\" } >> { status = error }");
TH_QUERY_BENCH(aggregate, "{ .service.name = \"checkout\" } | avg(duration) > 500ms");

}  // namespace

int main(int argc, char** argv) {
  th::TuneAllocatorForBatches();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}

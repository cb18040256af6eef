// Block size and speed on load-generator data (src/store/block): writes ~300K realistic spans
// (tools/loadgen TraceGenerator, batches of 10K as ingest would hand them over) to a block in the
// memory backend and reports
//   * bytes_per_span: all the block's objects (data, index, bloom, meta) over spans stored,
//   * items_per_second of BM_BlockBuild: spans encoded and written per second on one core,
//   * BM_FindTrace: time of one trace-by-id look-up (bloom shard, index page, row group decode,
//     OTLP encode) of a random stored trace.
// Run from the release preset; the per-column byte breakdown goes to stderr once.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "model/span_batch.h"
#include "store/backend/memory/memory_backend.h"
#include "store/block/block_reader.h"
#include "store/block/block_writer.h"
#include "tools/loadgen/trace_generator.h"

namespace {

using th::store::backend::ListMode;
using th::store::backend::MemoryBackend;
using namespace th::store::block;

constexpr size_t kSpans = 300'000;
constexpr size_t kSpansPerBatch = 10'000;
constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;

const std::vector<std::unique_ptr<th::model::SpanBatch>>& Batches() {
  static auto* batches = [] {
    auto* out = new std::vector<std::unique_ptr<th::model::SpanBatch>>();
    th::tools::TraceGenerator gen(42);
    size_t spans = 0;
    uint64_t now = kNow;
    while (spans < kSpans) {
      out->push_back(gen.NextBatch(kSpansPerBatch, now));
      spans += out->back()->span_count();
      now += 1'000'000'000;  // a second of traffic per batch
    }
    return out;
  }();
  return *batches;
}

size_t SpanCount() {
  size_t n = 0;
  for (const auto& b : Batches()) n += b->span_count();
  return n;
}

th::Result<BlockMeta> WriteBlock(MemoryBackend* backend, const std::string& id) {
  BlockWriterOptions options;
  options.tenant = "bench";
  options.block_id = id;
  if (const char* rg = std::getenv("TH_BENCH_ROW_GROUP_SPANS"))
    options.target_spans_per_row_group = static_cast<uint32_t>(std::atoi(rg));
  BlockWriter writer(backend, options);
  for (const auto& b : Batches()) {
    th::Status s = writer.AddBatch(*b);
    if (!s.ok()) return s;
  }
  return writer.Finish();
}

uint64_t StoredBytes(MemoryBackend* backend, const std::string& id) {
  uint64_t total = 0;
  auto keys = backend->List("bench/" + id, ListMode::kRecursive);
  if (!keys.ok()) return 0;
  for (const auto& k : *keys) total += backend->Stat(k)->size;
  return total;
}

void PrintColumnBreakdown(const BlockMeta& meta) {
  std::map<std::string, uint64_t> by_column;
  for (const auto& rg : meta.row_groups) {
    for (const auto& c : rg.chunks) by_column[meta.column_names[c.name]] += c.length;
  }
  std::vector<std::pair<uint64_t, std::string>> sorted;
  for (const auto& [name, bytes] : by_column) sorted.emplace_back(bytes, name);
  std::sort(sorted.rbegin(), sorted.rend());
  std::fprintf(stderr, "column bytes per span (top 25):\n");
  for (size_t i = 0; i < sorted.size() && i < 25; ++i) {
    std::fprintf(stderr, "  %-32s %6.2f\n", sorted[i].second.c_str(),
                 static_cast<double>(sorted[i].first) / static_cast<double>(meta.span_count));
  }
  std::fprintf(stderr, "  index %.2f, bloom %.2f\n",
               static_cast<double>(meta.index_size) / static_cast<double>(meta.span_count),
               static_cast<double>(meta.bloom_size) / static_cast<double>(meta.span_count));
}

void BM_BlockBuild(benchmark::State& state) {
  const size_t spans = SpanCount();
  double bytes_per_span = 0;
  int n = 0;
  for (auto _ : state) {
    MemoryBackend backend;
    std::string id = "block-" + std::to_string(n++);
    auto meta = WriteBlock(&backend, id);
    if (!meta.ok()) {
      state.SkipWithError("block write failed");
      return;
    }
    bytes_per_span = static_cast<double>(StoredBytes(&backend, id)) / static_cast<double>(spans);
    if (n == 1) PrintColumnBreakdown(*meta);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * spans));
  state.counters["bytes_per_span"] = bytes_per_span;
  state.counters["spans"] = static_cast<double>(spans);
}
BENCHMARK(BM_BlockBuild)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_FindTrace(benchmark::State& state) {
  static MemoryBackend* backend = new MemoryBackend();
  static bool written = WriteBlock(backend, "find").ok();
  if (!written) {
    state.SkipWithError("block write failed");
    return;
  }
  auto reader = BlockReader::Open(backend, "bench", "find");
  if (!reader.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  std::vector<th::model::TraceId> ids;
  for (const auto& b : Batches()) {
    for (size_t i = 0; i < b->span_count(); i += 500) ids.push_back(b->spans.trace_id[i]);
  }
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto found = (*reader)->FindTrace(ids[rng() % ids.size()]);
    if (!found.ok() || !found->has_value()) {
      state.SkipWithError("trace not found");
      return;
    }
    benchmark::DoNotOptimize(found);
  }
}
BENCHMARK(BM_FindTrace)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

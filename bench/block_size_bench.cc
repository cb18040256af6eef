// Block size and speed on load-generator data (src/store/block): writes ~300K spans of each
// TraceGenerator profile (tools/loadgen; "default": loadgen's realistic ~70-span traces, "wide":
// short Kubernetes-style traces with high-cardinality attributes; batches of 10K as ingest would
// hand them over, seed 42; bench_spans.h) to a block in the memory backend and reports, per profile
//   * bytes_per_span: all the block's objects (data, index, bloom, meta) over spans stored,
//   * items_per_second of BM_BlockBuild: spans encoded and written per second on one core,
//   * BM_FindTrace: time of one trace-by-id look-up (bloom shard, index page, row group decode,
//     OTLP encode) of a random stored trace.
// Run from the release preset; the per-column byte breakdown goes to stderr once per profile.
// bench/clickhouse_export.cc measures the same spans against ClickHouse (clickhouse_peer.sh).
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

#include "common/strings.h"
#include "model/span_batch.h"
#include "store/backend/memory/memory_backend.h"
#include "store/block/block_reader.h"
#include "store/block/block_writer.h"
#include "tools/loadgen/trace_generator.h"

#include "bench/bench_spans.h"

namespace {

using th::store::backend::ListMode;
using th::store::backend::MemoryBackend;
using namespace th::store::block;

using Profile = th::tools::TraceGenerator::Profile;
using th::bench::Batches;
using th::bench::SpanCount;

const Batches& BatchesOf(Profile profile) {
  static std::map<Profile, Batches>* cache = new std::map<Profile, Batches>();
  Batches& out = (*cache)[profile];
  if (out.empty()) out = th::bench::GenerateBenchBatches(profile);
  return out;
}

th::Result<BlockMeta> WriteBlock(MemoryBackend* backend, const std::string& id,
                                 const Batches& batches) {
  BlockWriterOptions options;
  options.tenant = "bench";
  options.block_id = id;
  if (const char* rg = std::getenv("TH_BENCH_ROW_GROUP_SPANS"))
    options.target_spans_per_row_group = static_cast<uint32_t>(std::atoi(rg));
  if (const char* level = std::getenv("TH_BENCH_ZSTD_LEVEL")) options.zstd_level = std::atoi(level);
  BlockWriter writer(backend, options);
  for (const auto& b : batches) {
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

void PrintColumnBreakdown(Profile profile, const BlockMeta& meta) {
  std::map<std::string, uint64_t> by_column;
  for (const auto& rg : meta.row_groups) {
    for (const auto& c : rg.chunks) by_column[meta.column_names[c.name]] += c.length;
  }
  std::vector<std::pair<uint64_t, std::string>> sorted;
  for (const auto& [name, bytes] : by_column) sorted.emplace_back(bytes, name);
  std::sort(sorted.rbegin(), sorted.rend());
  std::fprintf(stderr, "%s: %llu spans, %llu traces; column bytes per span (top 25):\n",
               std::string(th::tools::TraceProfileName(profile)).c_str(),
               static_cast<unsigned long long>(meta.span_count),
               static_cast<unsigned long long>(meta.trace_count));
  for (size_t i = 0; i < sorted.size() && i < 25; ++i) {
    // "span.attr.g3.str" holds the values of the third dedicated key: name it.
    std::string key;
    unsigned group = 0;
    if (std::sscanf(sorted[i].second.c_str(), "span.attr.g%u.", &group) == 1 && group > 0 &&
        group <= meta.dedicated_keys.size()) {
      key = meta.dedicated_keys[group - 1];
    }
    std::fprintf(stderr, "  %-32s %6.2f  %s\n", sorted[i].second.c_str(),
                 static_cast<double>(sorted[i].first) / static_cast<double>(meta.span_count),
                 key.c_str());
  }
  std::fprintf(stderr, "  index %.2f, bloom %.2f\n",
               static_cast<double>(meta.index_size) / static_cast<double>(meta.span_count),
               static_cast<double>(meta.bloom_size) / static_cast<double>(meta.span_count));
}

void BM_BlockBuild(benchmark::State& state, Profile profile) {
  const Batches& batches = BatchesOf(profile);
  const size_t spans = SpanCount(batches);
  double bytes_per_span = 0;
  int n = 0;
  for (auto _ : state) {
    MemoryBackend backend;
    std::string id = "block-" + std::to_string(n++);
    auto meta = WriteBlock(&backend, id, batches);
    if (!meta.ok()) {
      state.SkipWithError("block write failed");
      return;
    }
    bytes_per_span = static_cast<double>(StoredBytes(&backend, id)) / static_cast<double>(spans);
    if (n == 1) PrintColumnBreakdown(profile, *meta);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * spans));
  state.counters["bytes_per_span"] = bytes_per_span;
  state.counters["spans"] = static_cast<double>(spans);
}
BENCHMARK_CAPTURE(BM_BlockBuild, default, Profile::kDefault)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);
BENCHMARK_CAPTURE(BM_BlockBuild, wide, Profile::kWide)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

void BM_FindTrace(benchmark::State& state, Profile profile) {
  static MemoryBackend* backend = new MemoryBackend();
  const Batches& batches = BatchesOf(profile);
  static std::map<Profile, bool>* written = new std::map<Profile, bool>();
  const std::string block_id = th::StrCat("find-", th::tools::TraceProfileName(profile));
  if (!written->contains(profile)) {
    (*written)[profile] = WriteBlock(backend, block_id, batches).ok();
  }
  if (!(*written)[profile]) {
    state.SkipWithError("block write failed");
    return;
  }
  auto reader = BlockReader::Open(backend, "bench", block_id);
  if (!reader.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  std::vector<th::model::TraceId> ids;
  for (const auto& b : batches) {
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
BENCHMARK_CAPTURE(BM_FindTrace, default, Profile::kDefault)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_FindTrace, wide, Profile::kWide)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

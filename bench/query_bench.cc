// TraceQL scan rate over the head: loadgen's realistic traces (~70 spans, 12 services, 8
// attributes per span) are stored, then each query runs over all of them (no limit). Items
// processed are spans scanned; the rate is per core (one thread).
#include <filesystem>
#include <future>

#include <benchmark/benchmark.h>

#include "common/allocator.h"
#include "query/exec/search.h"
#include "query/traceql/traceql.h"
#include "store/store.h"
#include "tools/loadgen/trace_generator.h"

namespace {

constexpr size_t kSpans = 300000;

th::store::Store& TheStore() {
  static th::store::Store* store = [] {
    auto dir =
        std::filesystem::temp_directory_path() / ("query_bench_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    th::store::StoreOptions options;
    options.data_dir = dir.string();
    options.wal.sync = false;  // setup speed only; queries never touch the WAL
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
    return s;
  }();
  return *store;
}

void RunQuery(benchmark::State& state, const char* text) {
  auto query = th::query::traceql::Parse(text);
  if (!query.ok()) {
    state.SkipWithError(std::string(th::Message(query.status())).c_str());
    return;
  }
  th::store::Store& store = TheStore();
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
    spans += result->stats.spans;
    matched = result->traces.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(spans));
  state.counters["matched_traces"] = static_cast<double>(matched);
}

BENCHMARK_CAPTURE(RunQuery, status_code_500, "{ span.http.status_code = 500 }")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RunQuery, duration_gt_2s, "{ duration > 2s }")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RunQuery, service_name, "{ resource.service.name = \"payment\" }")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RunQuery, structural,
                  "{ resource.service.name = \"frontend\" } >> { status = error }")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RunQuery, aggregate, "{ .service.name = \"checkout\" } | avg(duration) > 500ms")
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  th::TuneAllocatorForBatches();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}

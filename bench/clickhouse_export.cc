// clickhouse_export: the storage benchmarks' spans (bench_spans.h: one TraceGenerator profile,
// seed 42, ~300K spans) as TSV for ClickHouse 18.16, and the same spans in our block, for
// bench/clickhouse_peer.sh. Writes into --out:
//   * jaeger_spans.tsv, jaeger_index.tsv — the jaeger-clickhouse plugin's span and search tables,
//   * spans_columnar.tsv — every span field in its own column (clickhouse_rows.h says how),
//   * trace_ids.txt     — --lookups distinct random trace ids of the data (hex), the ids every
//     look-up timing uses, followed by their span counts.
// With --block-dir it also writes the spans as one of our blocks there (local backend) and times
// BlockReader::FindTrace on the same ids; the results go to stdout as `key=value` lines.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/flags.h"
#include "common/strings.h"
#include "model/ids.h"
#include "model/span_batch.h"
#include "store/backend/local/local_backend.h"
#include "store/block/block_reader.h"
#include "store/block/block_writer.h"
#include "tools/loadgen/trace_generator.h"

#include "bench/bench_spans.h"
#include "bench/clickhouse_rows.h"

namespace th::bench {
namespace {

class TsvWriter {
 public:
  explicit TsvWriter(const std::string& path) : file_(std::fopen(path.c_str(), "w")) {}
  TsvWriter(const TsvWriter&) = delete;
  TsvWriter& operator=(const TsvWriter&) = delete;
  ~TsvWriter() {
    Flush();
    if (file_ != nullptr) std::fclose(file_);
  }
  bool ok() const { return file_ != nullptr; }
  std::string* line() { return &buf_; }
  void EndLine() {
    buf_.push_back('\n');
    if (buf_.size() > (1 << 20)) Flush();
  }

 private:
  void Flush() {
    if (file_ != nullptr) std::fwrite(buf_.data(), 1, buf_.size(), file_);
    buf_.clear();
  }
  std::FILE* file_;
  std::string buf_;
};

struct Tables {
  TsvWriter spans;
  TsvWriter index;
  TsvWriter columnar;
};

void WriteSpan(const model::SpanBatch& b, uint32_t i, Tables* out) {
  AppendClickHouseRows(b, i, out->spans.line(), out->index.line(), out->columnar.line());
  out->spans.EndLine();
  out->index.EndLine();
  out->columnar.EndLine();
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t at = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(at, v.size() - 1)];
}

int MeasureOurBlock(const Batches& batches, const std::string& dir, std::string_view block_id,
                    const std::vector<model::TraceId>& ids) {
  auto backend = store::backend::LocalBackend::Open({.root = dir});
  if (!backend.ok()) {
    std::fprintf(stderr, "clickhouse_export: %s\n", backend.status().ToString().c_str());
    return 1;
  }
  store::block::BlockWriterOptions options;
  options.tenant = "bench";
  options.block_id = std::string(block_id);
  store::block::BlockWriter writer(backend->get(), options);
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& b : batches) {
    if (Status s = writer.AddBatch(*b); !s.ok()) {
      std::fprintf(stderr, "clickhouse_export: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  auto meta = writer.Finish();
  double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!meta.ok()) {
    std::fprintf(stderr, "clickhouse_export: %s\n", meta.status().ToString().c_str());
    return 1;
  }
  uint64_t stored = 0;  // all four objects, meta included, as block_size_bench counts them
  auto keys =
      (*backend)->List(th::StrCat("bench/", block_id), store::backend::ListMode::kRecursive);
  if (!keys.ok()) return 1;
  for (const std::string& key : *keys) {
    auto size = (*backend)->Stat(key);
    if (!size.ok()) return 1;
    stored += size->size;
  }
  auto reader = store::block::BlockReader::Open(backend->get(), "bench", block_id);
  if (!reader.ok()) {
    std::fprintf(stderr, "clickhouse_export: %s\n", reader.status().ToString().c_str());
    return 1;
  }
  // Warm up (page cache, allocator) on the first tenth of the ids, then time every id once.
  for (size_t i = 0; i < ids.size() / 10; ++i) (*reader)->FindTrace(ids[i]).status().IgnoreError();
  std::vector<double> micros;
  for (const model::TraceId& id : ids) {
    auto s = std::chrono::steady_clock::now();
    auto found = (*reader)->FindTrace(id);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - s).count());
    if (!found.ok() || !found->has_value()) {
      std::fprintf(stderr, "clickhouse_export: trace %s not found in our block\n",
                   model::ToHex(id.View()).c_str());
      return 1;
    }
  }
  double mean = 0;
  for (double m : micros) mean += m;
  mean /= static_cast<double>(micros.size());
  std::printf(
      "our_spans=%" PRIu64 " our_traces=%" PRIu64 " our_bytes=%" PRIu64
      " our_build_s=%.3f our_lookup_p50_us=%.1f our_lookup_p99_us=%.1f our_lookup_mean_us=%.1f\n",
      meta->span_count, meta->trace_count, stored, build_s, Percentile(micros, 0.5),
      Percentile(micros, 0.99), mean);
  return 0;
}

int Run(const std::vector<std::string>& args) {
  Flags flags("clickhouse_export",
              "Writes the storage benchmarks' spans as TSV for ClickHouse 18.16 (Jaeger plugin "
              "tables and a columnar table) and optionally as our block, for clickhouse_peer.sh.");
  flags.Add("profile", "default", "TraceGenerator profile: default or wide");
  flags.Add("spans", th::StrCat(kBenchSpans), "at least this many spans (whole traces)");
  flags.Add("out", "", "directory for the TSV files and trace_ids.txt (required)");
  flags.Add("lookups", "1000", "trace ids to pick for look-up timings");
  flags.Add("block-dir", "", "also write our block here (local backend) and time look-ups");
  if (std::optional<int> code = flags.ParseCommandLine(args)) return *code;
  auto profile = tools::ParseTraceProfile(flags.Get("profile"));
  if (!profile || flags.Get("out").empty()) {
    std::fprintf(stderr, "clickhouse_export: need --profile default|wide and --out DIR\n");
    return 2;
  }
  const std::string out_dir = flags.Get("out");
  const size_t lookups = std::strtoull(flags.Get("lookups").c_str(), nullptr, 10);
  Batches batches =
      GenerateBenchBatches(*profile, std::strtoull(flags.Get("spans").c_str(), nullptr, 10));

  Tables tables{TsvWriter(out_dir + "/jaeger_spans.tsv"), TsvWriter(out_dir + "/jaeger_index.tsv"),
                TsvWriter(out_dir + "/spans_columnar.tsv")};
  if (!tables.spans.ok() || !tables.index.ok() || !tables.columnar.ok()) {
    std::fprintf(stderr, "clickhouse_export: cannot write into %s\n", out_dir.c_str());
    return 1;
  }
  std::map<model::TraceId, uint32_t> spans_of;
  for (const auto& b : batches) {
    for (uint32_t i = 0; i < b->span_count(); ++i) {
      WriteSpan(*b, i, &tables);
      ++spans_of[b->spans.trace_id[i]];
    }
  }

  std::vector<model::TraceId> all;
  for (const auto& [id, n] : spans_of) all.push_back(id);
  std::mt19937_64 rng(1);
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(std::min(lookups, all.size()));
  std::FILE* ids_file = std::fopen((out_dir + "/trace_ids.txt").c_str(), "w");
  if (ids_file == nullptr) return 1;
  for (const model::TraceId& id : all) {
    std::fprintf(ids_file, "%s %u\n", model::ToHex(id.View()).c_str(), spans_of[id]);
  }
  std::fclose(ids_file);
  std::printf("profile=%s spans=%zu traces=%zu lookup_ids=%zu\n",
              std::string(tools::TraceProfileName(*profile)).c_str(), SpanCount(batches),
              spans_of.size(), all.size());
  if (!flags.Get("block-dir").empty()) {
    return MeasureOurBlock(batches, flags.Get("block-dir"), tools::TraceProfileName(*profile), all);
  }
  return 0;
}

}  // namespace
}  // namespace th::bench

int main(int argc, char** argv) {
  return th::bench::Run(std::vector<std::string>(argv + 1, argv + argc));
}

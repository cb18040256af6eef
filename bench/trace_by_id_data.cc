// Builds the data directory of bench/trace_by_id_bench.sh: at least `--spans` loadgen spans
// (default profile) stored as blocks of up to `--spans-per-block` spans (the compactor's default
// output cap) under <data-dir>/blocks/<tenant>/<block-id>/, as `tracehouse serve` leaves them after
// cutting and compaction: written by BlockWriter through the local backend, ids from
// catalog::NewBlockId(), compaction level 1, the default row group size, and time ranges that
// follow each other over `--hours` ending now (each block holds the traffic of hours/blocks).
// Blocks are built by `--threads` workers at once. Writes `--sample-per-block` trace ids of each
// block (hex, one a line) to `--ids-out`, for the look-up client.
//
// Usage: trace_by_id_data --data-dir DIR --ids-out FILE [--spans N] [--spans-per-block N]
//          [--hours H] [--threads T] [--sample-per-block N] [--row-group-spans N] [--seed S]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "model/ids.h"
#include "model/span_batch.h"
#include "store/backend/local/local_backend.h"
#include "store/block/block_writer.h"
#include "store/catalog/catalog.h"
#include "tools/loadgen/trace_generator.h"

namespace {

struct Args {
  std::string data_dir;
  std::string ids_out;
  uint64_t spans = 100'000'000;
  uint64_t spans_per_block = 2'000'000;
  double hours = 4;
  int threads = 2;
  uint64_t sample_per_block = 1000;
  uint32_t row_group_spans = 4096;
  uint64_t seed = 7;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--data-dir") a->data_dir = v;
    else if (k == "--ids-out") a->ids_out = v;
    else if (k == "--spans") a->spans = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--spans-per-block") a->spans_per_block = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--hours") a->hours = std::atof(v.c_str());
    else if (k == "--threads") a->threads = std::max(1, std::atoi(v.c_str()));
    else if (k == "--sample-per-block") a->sample_per_block = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--row-group-spans")
      a->row_group_spans = static_cast<uint32_t>(std::atoi(v.c_str()));
    else if (k == "--seed") a->seed = std::strtoull(v.c_str(), nullptr, 10);
    else return false;
  }
  return !a->data_dir.empty() && !a->ids_out.empty() && a->spans_per_block >= 20'000;
}

constexpr size_t kSpansPerBatch = 10'000;

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc % 2 == 0 || !ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: trace_by_id_data --data-dir DIR --ids-out FILE [--spans N] "
                 "[--spans-per-block N] [--hours H] [--threads T] [--sample-per-block N] "
                 "[--row-group-spans N] [--seed S]\n");
    return 2;
  }
  th::store::backend::LocalOptions lo;
  lo.root = (std::filesystem::path(args.data_dir) / "blocks").string();
  auto backend = th::store::backend::LocalBackend::Open(lo);
  if (!backend.ok()) {
    std::fprintf(stderr, "open backend: %s\n", std::string(backend.status().message()).c_str());
    return 1;
  }
  // Each block stops up to one batch short of its cap (batches hold whole traces), so count on
  // cap - kSpansPerBatch spans per block: the total is then at least --spans.
  const uint64_t per_block = args.spans_per_block - kSpansPerBatch;
  const uint64_t blocks = (args.spans + per_block - 1) / per_block;
  const uint64_t now_ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  const uint64_t total_ns = static_cast<uint64_t>(args.hours * 3600e9);
  const uint64_t block_ns = total_ns / blocks;
  const uint64_t t0 = now_ns - total_ns;

  std::atomic<uint64_t> next_block{0}, total_spans{0}, total_traces{0};
  std::mutex out_mu;
  std::vector<std::string> sample;
  std::atomic<bool> failed{false};
  auto started = std::chrono::steady_clock::now();

  auto worker = [&]() {
    for (;;) {
      uint64_t b = next_block.fetch_add(1);
      if (b >= blocks || failed) return;
      const uint64_t target = args.spans_per_block;
      th::tools::TraceGenerator gen(args.seed * 1'000'003 + b);
      std::vector<std::unique_ptr<th::model::SpanBatch>> batches;
      uint64_t spans = 0;
      // Batches a second or so apart inside the block's share of the time line; a batch holds
      // whole traces of at least kSpansPerBatch spans, so stop one batch short of the cap.
      const uint64_t batch_count = std::max<uint64_t>(1, target / kSpansPerBatch);
      const uint64_t step = block_ns / batch_count;
      uint64_t now = t0 + b * block_ns + step;
      while (spans + kSpansPerBatch + 200 <= target || batches.empty()) {
        batches.push_back(gen.NextBatch(kSpansPerBatch, now));
        spans += batches.back()->span_count();
        now += step;
      }
      th::store::block::BlockWriterOptions wo;
      wo.tenant = std::string(th::model::kDefaultTenant);
      wo.block_id = th::store::catalog::NewBlockId();
      wo.target_spans_per_row_group = args.row_group_spans;
      wo.compaction_level = 1;
      th::store::block::BlockWriter writer(backend->get(), wo);
      for (const auto& batch : batches) {
        th::Status s = writer.AddBatch(*batch);
        if (!s.ok()) {
          std::fprintf(stderr, "add: %s\n", std::string(s.message()).c_str());
          failed = true;
          return;
        }
      }
      auto meta = writer.Finish();
      if (!meta.ok()) {
        std::fprintf(stderr, "finish: %s\n", std::string(meta.status().message()).c_str());
        failed = true;
        return;
      }
      // A sample of the block's trace ids: every trace id of the batches, then a seeded draw.
      std::vector<th::model::TraceId> ids;
      for (const auto& batch : batches) {
        const auto& t = batch->spans.trace_id;
        for (size_t i = 0; i < batch->span_count(); ++i) {
          if (i == 0 || t[i] != t[i - 1]) ids.push_back(t[i]);
        }
      }
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      std::mt19937_64 rng(args.seed + b);
      std::shuffle(ids.begin(), ids.end(), rng);
      ids.resize(std::min<size_t>(ids.size(), args.sample_per_block));
      total_spans += meta->span_count;
      total_traces += meta->trace_count;
      double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::lock_guard<std::mutex> lock(out_mu);
      for (const auto& id : ids) sample.push_back(th::model::ToHex(id.View()));
      std::fprintf(stderr, "block %llu/%llu %s spans=%llu traces=%llu bytes=%llu t=%.0fs\n",
                   static_cast<unsigned long long>(b + 1), static_cast<unsigned long long>(blocks),
                   wo.block_id.c_str(), static_cast<unsigned long long>(meta->span_count),
                   static_cast<unsigned long long>(meta->trace_count),
                   static_cast<unsigned long long>(meta->data_size + meta->index_size +
                                                   meta->bloom_size),
                   secs);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < args.threads; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (failed) return 1;
  std::ofstream out(args.ids_out);
  for (const auto& s : sample) out << s << '\n';
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("blocks=%llu spans=%llu traces=%llu sampled_ids=%zu build_seconds=%.1f\n",
              static_cast<unsigned long long>(blocks),
              static_cast<unsigned long long>(total_spans.load()),
              static_cast<unsigned long long>(total_traces.load()), sample.size(), secs);
  return out.good() ? 0 : 1;
}

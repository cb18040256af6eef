#include "tools/loadgen/loadgen.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "common/flags.h"
#include "common/strings.h"
#include "model/ids.h"
#include "model/otlp_encode.h"
#include "model/otlp_json_encode.h"
#include "tools/loadgen/otlp_sender.h"
#include "tools/loadgen/trace_generator.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace th::tools {
namespace {

using Clock = std::chrono::steady_clock;

struct Totals {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> sent_spans{0};
  std::atomic<uint64_t> acked_spans{0};
  std::atomic<uint64_t> refused_spans{0};
  std::atomic<uint64_t> failed_requests{0};
  std::mutex mu;
  std::map<std::string, uint64_t> errors;  // guarded by mu
};

// Appends "<trace id hex> <span count>" for every trace of an acknowledged request, flushed
// before the request is counted as acknowledged.
class AckLog {
 public:
  explicit AckLog(const std::string& path) {
    if (!path.empty()) file_ = std::fopen(path.c_str(), "a");
  }
  ~AckLog() {
    if (file_ != nullptr) std::fclose(file_);
  }
  bool ok(const std::string& path) const { return path.empty() || file_ != nullptr; }

  void Record(const model::SpanBatch& batch) {
    if (file_ == nullptr) return;
    std::map<model::TraceId, int> counts;
    for (const model::TraceId& id : batch.spans.trace_id) ++counts[id];
    std::string lines;
    for (const auto& [id, n] : counts) th::StrAppend(&lines, model::ToHex(id.View()), " ", n, "\n");
    std::lock_guard<std::mutex> lock(mu_);
    std::fwrite(lines.data(), 1, lines.size(), file_);
    std::fflush(file_);
  }

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;
};

bool ParseDuration(const std::string& text, double* seconds) {
  if (text.empty() || text == "0") {
    *seconds = 0;
    return true;
  }
  absl::Duration d;
  if (!absl::ParseDuration(text, &d)) return false;
  *seconds = absl::ToDoubleSeconds(d);
  return true;
}

}  // namespace

int RunLoadgen(const std::vector<std::string>& args) {
  Flags flags("loadgen",
              "Sends realistic synthetic traces (by default ~70 spans each, 12 services, 8 "
              "attributes per span; see --profile) over OTLP and reports acknowledged and "
              "refused spans.");
  flags.Add("endpoint", "127.0.0.1:4317", "host:port of the OTLP receiver");
  flags.Add("protocol", "grpc", "grpc, http/protobuf or http/json");
  flags.Add("spans", "0", "stop after this many spans (0: no limit)");
  flags.Add("duration", "10s", "stop after this long (0: no limit)");
  flags.Add("rate", "0", "spans per second (0: flat out)");
  flags.Add("spans-per-request", "1000", "spans per export request (whole traces, at least this)");
  flags.Add("concurrency", "4", "requests in flight (one connection each)");
  flags.Add("tenant", "", "X-Scope-OrgID to send (empty: none)");
  flags.Add("ack-log", "", "append '<trace id> <span count>' of every acknowledged trace here");
  flags.Add("seed", "1", "random seed (each worker adds its index)");
  flags.Add("profile", "default",
            "trace shape: default (~70 spans per trace, 8 attributes per span) or wide (2-8 "
            "spans per trace, Kubernetes resources, high-cardinality attributes)");
  if (std::optional<int> exit_code = flags.ParseCommandLine(args)) return *exit_code;
  OtlpProtocol protocol;
  const std::string& p = flags.Get("protocol");
  if (p == "grpc") {
    protocol = OtlpProtocol::kGrpc;
  } else if (p == "http/protobuf") {
    protocol = OtlpProtocol::kHttpProtobuf;
  } else if (p == "http/json") {
    protocol = OtlpProtocol::kHttpJson;
  } else {
    std::fprintf(stderr, "loadgen: --protocol must be grpc, http/protobuf or http/json\n");
    return 2;
  }
  std::optional<TraceGenerator::Profile> profile = ParseTraceProfile(flags.Get("profile"));
  if (!profile) {
    std::fprintf(stderr, "loadgen: --profile must be default or wide\n");
    return 2;
  }
  double duration = 0;
  if (!ParseDuration(flags.Get("duration"), &duration)) {
    std::fprintf(stderr, "loadgen: bad --duration \"%s\" (e.g. 10s, 1m)\n",
                 flags.Get("duration").c_str());
    return 2;
  }
  uint64_t max_spans = std::strtoull(flags.Get("spans").c_str(), nullptr, 10);
  double rate = std::strtod(flags.Get("rate").c_str(), nullptr);
  size_t per_request =
      std::max<size_t>(1, std::strtoull(flags.Get("spans-per-request").c_str(), nullptr, 10));
  int concurrency = std::max(1, std::atoi(flags.Get("concurrency").c_str()));
  uint64_t seed = std::strtoull(flags.Get("seed").c_str(), nullptr, 10);
  if (max_spans == 0 && duration == 0) {
    std::fprintf(stderr, "loadgen: set --spans or --duration, or it would never stop\n");
    return 2;
  }
  AckLog ack_log(flags.Get("ack-log"));
  if (!ack_log.ok(flags.Get("ack-log"))) {
    std::fprintf(stderr, "loadgen: cannot open --ack-log %s\n", flags.Get("ack-log").c_str());
    return 2;
  }

  Totals totals;
  std::atomic<uint64_t> scheduled_spans{0};  // spans claimed by workers, for limits and pacing
  auto start = Clock::now();
  auto deadline = duration > 0 ? start + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(duration))
                               : Clock::time_point::max();

  auto worker = [&](int index) {
    TraceGenerator generator(seed + static_cast<uint64_t>(index) * 7919, {.profile = *profile});
    auto sender = OtlpSender::Create(protocol, flags.Get("endpoint"), flags.Get("tenant"));
    while (Clock::now() < deadline) {
      auto batch =
          generator.NextBatch(per_request, static_cast<uint64_t>(absl::GetCurrentTimeNanos()));
      uint64_t n = batch->span_count();
      uint64_t before = scheduled_spans.fetch_add(n);
      if (max_spans > 0 && before >= max_spans) break;
      if (rate > 0) {
        auto due = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(static_cast<double>(before) / rate));
        if (due > deadline) break;
        std::this_thread::sleep_until(due);
      }
      std::string body;
      if (protocol == OtlpProtocol::kHttpJson) {
        model::EncodeOtlpTracesJson(*batch, &body);
      } else {
        model::EncodeOtlpTraces(*batch, &body);
      }
      totals.requests++;
      totals.sent_spans += n;
      SendResult r = sender->Send(body);
      if (!r.status.ok()) {
        totals.failed_requests++;
        totals.refused_spans += n;
        {
          std::lock_guard<std::mutex> lock(totals.mu);
          totals.errors[std::string(absl::StatusCodeToString(r.status.code()))]++;
        }
        // Back off briefly so a dead server is not hammered in a tight loop.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      ack_log.Record(*batch);
      totals.acked_spans += n - static_cast<uint64_t>(r.rejected_spans);
      totals.refused_spans += static_cast<uint64_t>(r.rejected_spans);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < concurrency; ++i) threads.emplace_back(worker, i);
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::string errors;
  for (const auto& [code, n] : totals.errors) th::StrAppend(&errors, " error_", code, "=", n);
  std::printf(
      "protocol=%s requests=%llu sent_spans=%llu acked_spans=%llu refused_spans=%llu "
      "failed_requests=%llu seconds=%.3f acked_spans_per_second=%.0f%s\n",
      p.c_str(), static_cast<unsigned long long>(totals.requests.load()),
      static_cast<unsigned long long>(totals.sent_spans.load()),
      static_cast<unsigned long long>(totals.acked_spans.load()),
      static_cast<unsigned long long>(totals.refused_spans.load()),
      static_cast<unsigned long long>(totals.failed_requests.load()), seconds,
      seconds > 0 ? static_cast<double>(totals.acked_spans.load()) / seconds : 0.0, errors.c_str());
  return 0;
}

}  // namespace th::tools

#include "tools/loadgen/loadgen.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "common/flags.h"
#include "common/strings.h"
#include "ingest/jaeger/thrift_encode.h"
#include "model/ids.h"
#include "model/otlp_encode.h"
#include "model/otlp_json_encode.h"
#include "tools/loadgen/sender.h"
#include "tools/loadgen/trace_generator.h"
#include "tools/loadgen/zipkin_json_encode.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace th::tools {
namespace {

using Clock = std::chrono::steady_clock;

// The Jaeger agent's (and our receiver's) default max_packet_size: larger datagrams are dropped.
constexpr size_t kMaxUdpPacketBytes = 65000;

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

  // Records the spans `spans` of `batch` (all of them when empty). A trace split over several
  // requests gets one line per request; readers add them up.
  void Record(const model::SpanBatch& batch, const std::vector<uint32_t>& spans) {
    if (file_ == nullptr) return;
    std::map<model::TraceId, int> counts;
    if (spans.empty()) {
      for (const model::TraceId& id : batch.spans.trace_id) ++counts[id];
    } else {
      for (uint32_t i : spans) ++counts[batch.spans.trace_id[i]];
    }
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

// One request body and the spans of the batch it carries (empty: all of them).
struct Request {
  std::string body;
  std::vector<uint32_t> spans;
};

// The requests that send `batch`: one for OTLP and Zipkin; for Jaeger one per resource (a
// jaeger.Batch has one Process), split further to fit a datagram over UDP.
std::vector<Request> EncodeRequests(Protocol protocol, const model::SpanBatch& batch) {
  std::vector<Request> out;
  std::vector<ingest::jaeger::EncodedThriftBatch> jaeger;
  switch (protocol) {
    case Protocol::kOtlpGrpc:
    case Protocol::kOtlpHttpProtobuf:
      out.emplace_back();
      model::EncodeOtlpTraces(batch, &out.back().body);
      return out;
    case Protocol::kOtlpHttpJson:
      out.emplace_back();
      model::EncodeOtlpTracesJson(batch, &out.back().body);
      return out;
    case Protocol::kZipkinJson:
      out.emplace_back();
      EncodeZipkinJson(batch, &out.back().body);
      return out;
    case Protocol::kJaegerThriftHttp:
      jaeger =
          ingest::jaeger::EncodeJaegerThriftBatches(batch, ingest::jaeger::ThriftProtocol::kBinary);
      break;
    case Protocol::kJaegerThriftCompactUdp:
      jaeger = ingest::jaeger::EncodeJaegerAgentEmitBatches(
          batch, ingest::jaeger::ThriftProtocol::kCompact, kMaxUdpPacketBytes);
      break;
  }
  out.reserve(jaeger.size());
  for (auto& j : jaeger) out.push_back(Request{std::move(j.bytes), std::move(j.spans)});
  return out;
}

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
              "attributes per span; see --profile) over OTLP, Jaeger or Zipkin and reports "
              "acknowledged and refused spans.");
  flags.Add("endpoint", "",
            "host:port of the receiver (default by protocol: 127.0.0.1:4317 for OTLP, "
            "127.0.0.1:14268 jaeger_thrift_http, 127.0.0.1:6831 jaeger_thrift_compact_udp, "
            "127.0.0.1:9411 zipkin_json)");
  flags.Add("protocol", "grpc",
            "grpc, http/protobuf, http/json (OTLP); jaeger_thrift_http (POST /api/traces, "
            "Thrift binary jaeger.Batch, one request per resource; any 2xx acknowledges); "
            "jaeger_thrift_compact_udp (Agent.emitBatch datagrams in Thrift compact, one per "
            "resource, split under 65000 bytes; UDP has no acknowledgements, so only sent spans "
            "are counted and --ack-log stays empty); zipkin_json (POST /api/v2/spans, Zipkin v2 "
            "JSON; any 2xx acknowledges)");
  flags.Add("spans", "0", "stop after this many spans (0: no limit)");
  flags.Add("duration", "10s", "stop after this long (0: no limit)");
  flags.Add("rate", "0", "spans per second (0: flat out)");
  flags.Add("spans-per-request", "1000",
            "spans per generated batch (whole traces, at least this); one request, except for "
            "Jaeger (one per resource)");
  flags.Add("concurrency", "4", "requests in flight (one connection each)");
  flags.Add("tenant", "", "X-Scope-OrgID to send (empty: none)");
  flags.Add("ack-log", "", "append '<trace id> <span count>' of every acknowledged trace here");
  flags.Add("seed", "1", "random seed (each worker adds its index)");
  flags.Add("profile", "default",
            "trace shape: default (~70 spans per trace, 8 attributes per span) or wide (2-8 "
            "spans per trace, Kubernetes resources, high-cardinality attributes)");
  if (std::optional<int> exit_code = flags.ParseCommandLine(args)) return *exit_code;
  const std::string& p = flags.Get("protocol");
  std::optional<Protocol> parsed_protocol = ParseProtocol(p);
  if (!parsed_protocol) {
    std::fprintf(stderr,
                 "loadgen: --protocol must be grpc, http/protobuf, http/json, jaeger_thrift_http, "
                 "jaeger_thrift_compact_udp or zipkin_json\n");
    return 2;
  }
  const Protocol protocol = *parsed_protocol;
  const bool acks = HasAcknowledgements(protocol);
  const std::string endpoint = flags.Get("endpoint").empty()
                                   ? std::string(DefaultEndpoint(protocol))
                                   : flags.Get("endpoint");
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
    auto sender = Sender::Create(protocol, endpoint, flags.Get("tenant"));
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
      for (const Request& request : EncodeRequests(protocol, *batch)) {
        uint64_t spans = request.spans.empty() ? n : request.spans.size();
        totals.requests++;
        totals.sent_spans += spans;
        SendResult r = sender->Send(request.body);
        if (!r.status.ok()) {
          totals.failed_requests++;
          totals.refused_spans += spans;
          {
            std::lock_guard<std::mutex> lock(totals.mu);
            totals.errors[std::string(absl::StatusCodeToString(r.status.code()))]++;
          }
          // Back off briefly so a dead server is not hammered in a tight loop.
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          continue;
        }
        if (!acks) continue;  // a datagram the kernel took: sent, nothing more is known
        ack_log.Record(*batch, request.spans);
        totals.acked_spans += spans - static_cast<uint64_t>(r.rejected_spans);
        totals.refused_spans += static_cast<uint64_t>(r.rejected_spans);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < concurrency; ++i) threads.emplace_back(worker, i);
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::string errors;
  for (const auto& [code, n] : totals.errors) th::StrAppend(&errors, " error_", code, "=", n);
  if (!acks) {
    // Nothing was acknowledged or refused by the server, only handed to the kernel: say so
    // instead of printing zeros that look like a failure.
    std::printf(
        "protocol=%s requests=%llu sent_spans=%llu acked_spans=n/a refused_spans=n/a "
        "failed_requests=%llu seconds=%.3f sent_spans_per_second=%.0f%s "
        "note=udp_has_no_acks_check_receiver_metrics\n",
        p.c_str(), static_cast<unsigned long long>(totals.requests.load()),
        static_cast<unsigned long long>(totals.sent_spans.load()),
        static_cast<unsigned long long>(totals.failed_requests.load()), seconds,
        seconds > 0 ? static_cast<double>(totals.sent_spans.load()) / seconds : 0.0,
        errors.c_str());
    return 0;
  }
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

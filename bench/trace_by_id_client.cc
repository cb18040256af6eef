// The look-up client of bench/trace_by_id_bench.sh: GETs /api/v2/traces/<id> over one
// keep-alive HTTP/1.1 connection (Boost.Beast, synchronous, one request at a time) for
// `--existing` ids drawn at random from `--ids` (a file of hex trace ids known to be stored) and
// `--missing` random ids that are not, shuffled together, and prints the latency percentiles of
// each kind. An existing id must answer 200 with a body, a missing one 404; anything else is
// counted as an error (and makes the exit status 1).
//
// Usage: trace_by_id_client --endpoint HOST:PORT --ids FILE [--existing N] [--missing N]
//          [--seed S] [--accept json|protobuf] [--label TEXT]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct Args {
  std::string host = "127.0.0.1";
  std::string port;
  std::string ids;
  size_t existing = 10'000;
  size_t missing = 1'000;
  uint64_t seed = 1;
  std::string accept = "json";
  std::string label = "run";
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--endpoint") {
      size_t colon = v.rfind(':');
      if (colon == std::string::npos) return false;
      a->host = v.substr(0, colon);
      a->port = v.substr(colon + 1);
    } else if (k == "--ids") {
      a->ids = v;
    } else if (k == "--existing") {
      a->existing = std::strtoull(v.c_str(), nullptr, 10);
    } else if (k == "--missing") {
      a->missing = std::strtoull(v.c_str(), nullptr, 10);
    } else if (k == "--seed") {
      a->seed = std::strtoull(v.c_str(), nullptr, 10);
    } else if (k == "--accept") {
      a->accept = v;
    } else if (k == "--label") {
      a->label = v;
    } else {
      return false;
    }
  }
  return !a->port.empty() && !a->ids.empty() && (a->accept == "json" || a->accept == "protobuf");
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  // Nearest rank.
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(v.size(), std::max<size_t>(rank, 1)) - 1];
}

void Report(const std::string& label, const char* kind, const std::vector<double>& ms,
            uint64_t bytes) {
  double mean = 0;
  for (double x : ms) mean += x;
  if (!ms.empty()) mean /= static_cast<double>(ms.size());
  std::printf(
      "%s %s: n=%zu p50=%.3fms p90=%.3fms p99=%.3fms max=%.3fms mean=%.3fms body_bytes_avg=%.0f\n",
      label.c_str(), kind, ms.size(), Percentile(ms, 50), Percentile(ms, 90), Percentile(ms, 99),
      ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()), mean,
      ms.empty() ? 0.0 : static_cast<double>(bytes) / static_cast<double>(ms.size()));
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc % 2 == 0 || !ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: trace_by_id_client --endpoint HOST:PORT --ids FILE [--existing N] "
                 "[--missing N] [--seed S] [--accept json|protobuf] [--label TEXT]\n");
    return 2;
  }
  std::vector<std::string> pool;
  {
    std::ifstream in(args.ids);
    std::string line;
    while (std::getline(in, line)) {
      if (line.size() == 32) pool.push_back(line);
    }
  }
  if (pool.empty()) {
    std::fprintf(stderr, "no ids in %s\n", args.ids.c_str());
    return 2;
  }
  std::mt19937_64 rng(args.seed);
  // (id, exists): existing ids drawn with replacement from the pool, missing ones random.
  std::vector<std::pair<std::string, bool>> plan;
  for (size_t i = 0; i < args.existing; ++i) plan.emplace_back(pool[rng() % pool.size()], true);
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < args.missing; ++i) {
    std::string id(32, '0');
    for (char& c : id) c = kHex[rng() & 15];
    plan.emplace_back(std::move(id), false);
  }
  std::shuffle(plan.begin(), plan.end(), rng);

  std::vector<double> found_ms, missing_ms;
  uint64_t found_bytes = 0, missing_bytes = 0, errors = 0;
  try {
    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.connect(resolver.resolve(args.host, args.port));
    stream.socket().set_option(asio::ip::tcp::no_delay(true));
    beast::flat_buffer buffer;
    for (const auto& [id, exists] : plan) {
      bhttp::request<bhttp::empty_body> req(bhttp::verb::get, "/api/v2/traces/" + id, 11);
      req.set(bhttp::field::host, args.host);
      req.keep_alive(true);
      if (args.accept == "protobuf") req.set(bhttp::field::accept, "application/protobuf");
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(1ull << 30);
      auto t0 = std::chrono::steady_clock::now();
      bhttp::write(stream, req);
      bhttp::read(stream, buffer, parser);
      auto t1 = std::chrono::steady_clock::now();
      double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
      const auto& res = parser.get();
      int status = static_cast<int>(res.result_int());
      bool ok = exists ? (status == 200 && !res.body().empty()) : status == 404;
      if (!ok) {
        if (errors < 5) {
          std::fprintf(stderr, "%s %s: status %d: %.200s\n", exists ? "existing" : "missing",
                       id.c_str(), status, res.body().c_str());
        }
        ++errors;
      }
      (exists ? found_ms : missing_ms).push_back(ms);
      (exists ? found_bytes : missing_bytes) += res.body().size();
      if (!res.keep_alive()) {
        std::fprintf(stderr, "server closed the connection\n");
        return 1;
      }
    }
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http: %s\n", e.what());
    return 1;
  }
  Report(args.label, "existing", found_ms, found_bytes);
  Report(args.label, "missing", missing_ms, missing_bytes);
  std::printf("%s errors=%llu\n", args.label.c_str(), static_cast<unsigned long long>(errors));
  return errors == 0 ? 0 : 1;
}

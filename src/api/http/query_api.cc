#include "api/http/query_api.h"

#include <charconv>
#include <string>


#include "api/http/metrics_api.h"
#include "api/http/query_limits.h"
#include "api/http/search_api.h"
#include "api/http/trace_id_param.h"
#include "common/build_info.h"
#include "common/json.h"
#include "common/metrics.h"
#include "common/protobuf_wire.h"
#include "common/status_codes.h"
#include "common/strings.h"
#include "common/worker_pool.h"
#include "model/otlp_decode.h"
#include "model/otlp_json_encode.h"


namespace th::api {
namespace {

constexpr std::string_view kV1Prefix = "/api/traces/";
constexpr std::string_view kV2Prefix = "/api/v2/traces/";

bool WantsProtobuf(const http::Request& req) {
  return req.Header("accept").find("application/protobuf") != std::string_view::npos;
}

http::Response Protobuf(std::string body) {
  http::Response r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", "application/protobuf");
  r.body = std::move(body);
  return r;
}

// A stored trace (OTLP TracesData bytes) as Tempo's JSON: `prefix`, its ResourceSpans, `suffix`.
// Our decoder and JSON encoder instead of protobuf messages and their JSON printer, which took
// most of a look-up's time (BENCHMARKS.md, trace by id at 100M spans).
Result<std::string> TraceJson(std::string_view otlp, std::string_view tenant,
                              std::string_view prefix, std::string_view suffix) {
  auto decoded = model::DecodeOtlpTracesProto(std::string(otlp), tenant);
  if (!decoded.ok()) {
    return absl::InternalError(th::StrCat("stored trace is corrupt: ", Message(decoded.status())));
  }
  std::string out(prefix);
  model::EncodeTempoResourceSpansJson(*decoded->batch, &out);
  out.append(suffix);
  return out;
}

// Parses Tempo's optional start/end (unix seconds, both or neither) into a time range.
Result<store::TimeRange> ParseRange(const http::Request& req) {
  std::string start, end;
  bool has_start = req.QueryParam("start", &start) && !start.empty();
  bool has_end = req.QueryParam("end", &end) && !end.empty();
  store::TimeRange range;
  if (!has_start && !has_end) return range;
  auto parse = [](std::string_view name, const std::string& v, uint64_t* out) -> Status {
    uint64_t secs = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
    if (ec != std::errc() || p != v.data() + v.size() || secs > UINT64_MAX / 1000000000ull) {
      return absl::InvalidArgumentError(
          th::StrCat("invalid ", name, ": \"", v, "\" is not unix epoch seconds"));
    }
    *out = secs * 1000000000ull;
    return absl::OkStatus();
  };
  if (has_start) RETURN_IF_ERROR(parse("start", start, &range.start_unix_nano));
  if (has_end) {
    RETURN_IF_ERROR(parse("end", end, &range.end_unix_nano));
    range.end_unix_nano += 999999999ull;  // the whole last second
  }
  if (range.start_unix_nano > range.end_unix_nano) {
    return absl::InvalidArgumentError("invalid start and end: start is after end");
  }
  return range;
}

http::Response TraceById(const store::Store* store, const http::Request& req, bool v2) {
  std::string_view id_text =
      std::string_view(req.path).substr(v2 ? kV2Prefix.size() : kV1Prefix.size());
  Result<model::TraceId> id = ParseTraceIdParam(id_text);
  if (!id.ok()) return http::Response::Text(400, std::string(id.status().message()));
  Result<store::TimeRange> range = ParseRange(req);
  if (!range.ok()) return http::Response::Text(400, std::string(range.status().message()));
  std::string tenant = TenantOf(req);

  Result<std::string> otlp = store->FindTrace(tenant, *id, *range);
  if (!otlp.ok()) {
    if (otlp.status().code() == absl::StatusCode::kNotFound) {
      // Tempo answers an unknown id with 404 and an empty body; Grafana then tries v1.
      return http::Response::Text(404, "");
    }
    return http::Response::Text(HttpStatusFor(otlp.status()), std::string(otlp.status().message()));
  }

  if (!v2) {
    // tempopb.Trace and TracesData share field 1 (repeated ResourceSpans): same bytes.
    if (WantsProtobuf(req)) return Protobuf(std::move(otlp).value());
    Result<std::string> json = TraceJson(*otlp, tenant, "{\"batches\":[", "]}");
    if (!json.ok()) return http::Response::Text(500, std::string(json.status().message()));
    return http::Response::Json(200, std::move(json).value());
  }

  uint64_t inspected = otlp->size();
  if (WantsProtobuf(req)) {
    // TraceByIDResponse { Trace trace = 1; TraceByIDMetrics metrics = 2 { inspectedBytes = 1 } }
    std::string body, metrics;
    wire::PutBytes(&body, 1, *otlp);
    wire::PutVarintField(&metrics, 1, inspected);
    wire::PutBytes(&body, 2, metrics);
    return Protobuf(std::move(body));
  }
  Result<std::string> json =
      TraceJson(*otlp, tenant, "{\"trace\":{\"resourceSpans\":[",
                th::StrCat("]},\"metrics\":{\"inspectedBytes\":\"", inspected, "\"}}"));
  if (!json.ok()) return http::Response::Text(500, std::string(json.status().message()));
  return http::Response::Json(200, std::move(json).value());
}

std::string BuildInfoJson() {
  return th::StrCat("{\"version\":", JsonQuote(build_info::Version()),
                    ",\"revision\":", JsonQuote(build_info::Revision()),
                    ",\"branch\":", JsonQuote(build_info::Branch()),
                    ",\"buildDate\":", JsonQuote(build_info::BuildDate()),
                    ",\"buildUser\":\"\",\"goVersion\":\"none (C++20)\"}");
}

std::string MetricsText(const store::Store* store) {
  auto& r = metrics::Registry::Default();
  store::HeadStats s = store->Stats();
  r.GetGauge("tracehouse_head_spans", "Spans held in the head.")->Set(static_cast<double>(s.spans));
  r.GetGauge("tracehouse_head_traces", "Traces held in the head.")
      ->Set(static_cast<double>(s.traces));
  r.GetGauge("tracehouse_head_record_bytes", "Bytes of WAL records held in the head.")
      ->Set(static_cast<double>(s.record_bytes));
  r.GetGauge("tracehouse_head_tenants", "Tenants with data in the head.")
      ->Set(static_cast<double>(s.tenants));
  return r.Render();
}

bool IsScan(std::string_view path) {
  return path.starts_with("/api/search") || path.starts_with("/api/v2/search") ||
         path.starts_with("/api/metrics/");
}

}  // namespace

http::Handler MakeQueryApiHandler(const store::Store* store, QueryApiOptions options) {
  auto workers = std::make_shared<WorkerPool>(options.query_threads, options.max_queued_queries);
  return [store, options, workers](http::Request&& req, http::Responder respond) {
    const std::string& path = req.path;
    bool get = req.method == "GET" || req.method == "HEAD";
    if (!get) {
      http::Response r =
          http::Response::Text(405, th::StrCat("method ", req.method, " not allowed"));
      r.headers.emplace_back("Allow", "GET");
      respond(std::move(r));
      return;
    }
    if (IsScan(path)) {
      auto task = [store, req = std::move(req), respond]() {
        http::Response r;
        if (!ServeSearch(store, req, &r) && !ServeMetrics(store, req, &r)) {
          r = http::Response::Text(404, "404 page not found");
        }
        respond(std::move(r));
      };
      if (!workers->Submit(std::move(task))) {
        http::Response busy =
            http::Response::Text(429, "too many queries in flight; retry in a moment");
        busy.headers.emplace_back("Retry-After", "1");
        respond(std::move(busy));
      }
      return;
    }
    if (path.starts_with(kV2Prefix)) {
      respond(TraceById(store, req, /*v2=*/true));
    } else if (path.starts_with(kV1Prefix)) {
      respond(TraceById(store, req, /*v2=*/false));
    } else if (path == "/api/echo") {
      respond(http::Response::Text(200, "echo"));
    } else if (path == "/ready") {
      bool ready = options.ready();
      respond(http::Response::Text(ready ? 200 : 503, ready ? "ready" : "not ready"));
    } else if (path == "/api/status/buildinfo") {
      respond(http::Response::Json(200, BuildInfoJson()));
    } else if (path == "/metrics") {
      http::Response r;
      r.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      r.body = MetricsText(store);
      respond(std::move(r));
    } else {
      respond(http::Response::Text(404, "404 page not found"));
    }
  };
}

}  // namespace th::api

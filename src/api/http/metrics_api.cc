#include "api/http/metrics_api.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>

#include "api/http/query_limits.h"
#include "common/status_codes.h"
#include "common/strings.h"
#include "query/metrics/metrics.h"
#include "query/metrics/response_json.h"
#include "query/traceql/traceql.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace th::api {
namespace {

constexpr uint64_t kSecond = 1000000000ull;
constexpr uint64_t kDefaultSince = 3600 * kSecond;
// Unix seconds have at most 10 digits until the year 2286; longer integers are nanoseconds.
constexpr size_t kMaxSecondsDigits = 10;
// Exemplars per range query when neither the request nor the query says, and the most either
// may ask for (Tempo's query_frontend.metrics.max_exemplars default).
constexpr uint32_t kMaxExemplars = 100;

// Exemplars for a range query, as Tempo settles them: the `exemplars` hint (a count, or false for
// none) wins over the request's `exemplars` parameter; an unset or zero parameter means the
// maximum; nothing exceeds the maximum.
uint32_t ExemplarsFor(const query::traceql::Query& query, uint32_t requested) {
  for (const query::traceql::Hint& h : query.hints) {
    if (h.name != "exemplars") continue;
    if (h.value.type == query::traceql::ValueType::kInt) {
      return static_cast<uint32_t>(std::clamp<int64_t>(h.value.i, 0, kMaxExemplars));
    }
    if (h.value.type == query::traceql::ValueType::kBool && !h.value.b) return 0;
  }
  if (requested == 0) return kMaxExemplars;
  return std::min(requested, kMaxExemplars);
}

http::Response BadRequest(std::string message) {
  return http::Response::Text(400, std::move(message));
}

// unix seconds ("1700000000", "1700000000.5"), unix nanoseconds, or RFC3339.
Result<uint64_t> ParseTimestamp(std::string_view name, const std::string& v) {
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec == std::errc() && p == v.data() + v.size()) {
    if (v.size() > kMaxSecondsDigits) return n;
    if (n <= UINT64_MAX / kSecond) return n * kSecond;
  }
  double secs = 0;
  auto [fp, fec] = std::from_chars(v.data(), v.data() + v.size(), secs);
  if (fec == std::errc() && fp == v.data() + v.size() && secs >= 0 && secs < 1e10) {
    return static_cast<uint64_t>(secs * 1e9);
  }
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, v, &t, &err) && t >= absl::UnixEpoch()) {
    return static_cast<uint64_t>(absl::ToUnixNanos(t));
  }
  return absl::InvalidArgumentError(th::StrCat(
      "invalid ", name, ": \"", v, "\" is not unix seconds, unix nanoseconds or RFC3339"));
}

// A Go duration ("15s", "1m30s") or a plain number of seconds ("15").
Result<uint64_t> ParseDurationParam(std::string_view name, const std::string& v) {
  absl::Duration d;
  double secs = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
  if (ec == std::errc() && p == v.data() + v.size()) {
    d = absl::Seconds(secs);
  } else if (!absl::ParseDuration(v, &d)) {
    return absl::InvalidArgumentError(
        th::StrCat("invalid ", name, ": \"", v, "\" is not a duration such as 30s or 5m"));
  }
  if (d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(th::StrCat("invalid ", name, ": must not be negative"));
  }
  return static_cast<uint64_t>(absl::ToInt64Nanoseconds(d));
}

http::Response Query(const store::Store* store, const http::Request& req, bool instant) {
  std::string q, v;
  if (!req.QueryParam("q", &q) || q.empty()) return BadRequest("invalid request: q is required");
  Result<std::unique_ptr<query::traceql::Query>> parsed = query::traceql::Parse(q);
  // Tempo answers every query error, "unsupported" included, with 400.
  if (!parsed.ok())
    return BadRequest(th::StrCat("invalid TraceQL query: ", Message(parsed.status())));
  if (!(*parsed)->IsMetrics()) {
    return BadRequest(
        "invalid TraceQL query: not a metrics query; add a metrics function such as `| rate()`");
  }

  query::metrics::MetricsRequest request;
  uint64_t end = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  if (req.QueryParam("end", &v) && !v.empty()) {
    Result<uint64_t> e = ParseTimestamp("end", v);
    if (!e.ok()) return BadRequest(std::string(Message(e.status())));
    end = *e;
  }
  uint64_t since = kDefaultSince;
  if (req.QueryParam("since", &v) && !v.empty()) {
    Result<uint64_t> s = ParseDurationParam("since", v);
    if (!s.ok()) return BadRequest(std::string(Message(s.status())));
    since = *s;
  }
  uint64_t start = end > since ? end - since : 0;
  if (req.QueryParam("start", &v) && !v.empty()) {
    Result<uint64_t> s = ParseTimestamp("start", v);
    if (!s.ok()) return BadRequest(std::string(Message(s.status())));
    start = *s;
  }
  if (end <= start) return BadRequest("invalid start and end: end must be after start");

  if (!instant) {
    uint64_t step = 0;
    if (req.QueryParam("step", &v) && !v.empty()) {
      Result<uint64_t> s = ParseDurationParam("step", v);
      if (!s.ok()) return BadRequest(std::string(Message(s.status())));
      step = *s;
    }
    if (step == 0) step = query::metrics::DefaultStepNanos(start, end);
    // Aligned to the step, as Tempo aligns requests, so refreshes of "last hour" keep the same
    // intervals.
    start -= start % step;
    if (end % step != 0) end += step - end % step;
    request.step_nanos = step;
    uint32_t exemplars = 0;
    if (req.QueryParam("exemplars", &v) && !v.empty()) {
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), exemplars);
      if (ec != std::errc() || p != v.data() + v.size()) {
        return BadRequest(th::StrCat("invalid exemplars: \"", v, "\" is not a count"));
      }
    }
    request.max_exemplars = ExemplarsFor(**parsed, exemplars);
  }
  request.start_unix_nano = start;
  request.end_unix_nano = end;
  request.scan = NewScanRequest(req);

  auto compiled = query::metrics::MetricsQuery::Compile(**parsed);
  if (!compiled.ok()) {
    return http::Response::Text(HttpStatusFor(compiled.status()),
                                std::string(Message(compiled.status())));
  }
  Result<query::metrics::MetricsResult> result = (*compiled)->Run(*store, request);
  if (!result.ok()) {
    return http::Response::Text(HttpStatusFor(result.status()),
                                std::string(Message(result.status())));
  }
  return http::Response::Json(200, instant ? query::metrics::QueryInstantJson(*result)
                                           : query::metrics::QueryRangeJson(*result));
}

}  // namespace

bool ServeMetrics(const store::Store* store, const http::Request& req, http::Response* response) {
  if (req.path == "/api/metrics/query_range") {
    *response = Query(store, req, /*instant=*/false);
    return true;
  }
  if (req.path == "/api/metrics/query") {
    *response = Query(store, req, /*instant=*/true);
    return true;
  }
  return false;
}

}  // namespace th::api

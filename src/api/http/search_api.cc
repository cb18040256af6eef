#include "api/http/search_api.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <string>

#include "api/http/query_limits.h"
#include "common/json.h"
#include "common/status_codes.h"
#include "common/strings.h"
#include "query/exec/exec.h"
#include "query/exec/search.h"
#include "query/search/search_result.h"
#include "query/search/tag_catalog.h"
#include "query/search/tags_search.h"
#include "query/traceql/traceql.h"

#include "absl/time/time.h"

namespace th::api {
namespace {

constexpr size_t kDefaultTagValuesLimit = 10000;

http::Response Error(const Status& s) {
  return http::Response::Text(HttpStatusFor(s), std::string(Message(s)));
}

Result<uint64_t> ParseUint(std::string_view name, const std::string& v) {
  uint64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return absl::InvalidArgumentError(th::StrCat("invalid ", name, ": \"", v, "\""));
  }
  return out;
}

// A Go-style duration ("1.5s", "100ms", "2m") as nanoseconds.
Result<uint64_t> ParseGoDuration(std::string_view name, const std::string& v) {
  absl::Duration d;
  if (!absl::ParseDuration(v, &d) || d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        th::StrCat("invalid ", name, ": \"", v, "\" is not a duration such as 500ms or 2s"));
  }
  return static_cast<uint64_t>(absl::ToInt64Nanoseconds(d));
}

// start/end in unix seconds, both optional.
Result<store::ScanRequest> ScanFor(const http::Request& req) {
  store::ScanRequest scan = NewScanRequest(req);
  std::string v;
  if (req.QueryParam("start", &v) && !v.empty()) {
    ASSIGN_OR_RETURN(uint64_t s, ParseUint("start", v));
    scan.range.start_unix_nano = s * 1000000000ull;
  }
  if (req.QueryParam("end", &v) && !v.empty()) {
    ASSIGN_OR_RETURN(uint64_t e, ParseUint("end", v));
    scan.range.end_unix_nano = e * 1000000000ull + 999999999ull;
  }
  if (scan.range.start_unix_nano > scan.range.end_unix_nano) {
    return absl::InvalidArgumentError("invalid start and end: start is after end");
  }
  return scan;
}

// Legacy clients put tags as bare query parameters (`?service.name=x`), which Tempo still
// accepts when neither q, tags, start nor end is given.
std::string BareParamsAsTags(const http::Request& req) {
  static constexpr std::string_view kKnown[] = {"limit", "minDuration", "maxDuration", "spss",
                                                "q",     "tags",        "start",       "end"};
  std::string tags;
  std::string_view rest = req.query;
  while (!rest.empty()) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    rest = pair.size() < rest.size() ? rest.substr(pair.size() + 1) : std::string_view();
    std::string_view key = pair.substr(0, pair.find('='));
    if (key.empty() || std::find(std::begin(kKnown), std::end(kKnown), key) != std::end(kKnown)) {
      continue;
    }
    std::string value;
    req.QueryParam(key, &value);
    th::StrAppend(&tags, tags.empty() ? "" : " ", key, "=", JsonQuote(value));
  }
  return tags;
}

// What every search takes, whether by tags or by TraceQL.
struct SearchParams {
  store::ScanRequest scan;
  uint32_t limit = 20;
  uint32_t spss = 3;
  uint64_t min_duration_nanos = 0;
  uint64_t max_duration_nanos = UINT64_MAX;
};

Result<SearchParams> ParseSearchParams(const http::Request& req) {
  SearchParams p;
  std::string v;
  if (req.QueryParam("minDuration", &v) && !v.empty()) {
    ASSIGN_OR_RETURN(p.min_duration_nanos, ParseGoDuration("minDuration", v));
  }
  if (req.QueryParam("maxDuration", &v) && !v.empty()) {
    ASSIGN_OR_RETURN(p.max_duration_nanos, ParseGoDuration("maxDuration", v));
    if (p.max_duration_nanos < p.min_duration_nanos) {
      return absl::InvalidArgumentError("invalid maxDuration: must be greater than minDuration");
    }
  }
  if (req.QueryParam("limit", &v) && !v.empty()) {
    auto limit = ParseUint("limit", v);
    if (!limit.ok() || *limit == 0) {
      return absl::InvalidArgumentError("invalid limit: must be a positive number");
    }
    p.limit = static_cast<uint32_t>(std::min<uint64_t>(*limit, UINT32_MAX));
  }
  if (req.QueryParam("spss", &v) && !v.empty()) {
    auto spss = ParseUint("spss", v);
    if (!spss.ok() || *spss == 0) {
      return absl::InvalidArgumentError("invalid spss: must be a positive number");
    }
    p.spss = static_cast<uint32_t>(std::min<uint64_t>(*spss, UINT32_MAX));
  }
  ASSIGN_OR_RETURN(p.scan, ScanFor(req));
  return p;
}

http::Response SearchTraceQL(const store::Store* store, const std::string& q, SearchParams params) {
  query::traceql::ParseError error;
  Result<std::unique_ptr<query::traceql::Query>> parsed = query::traceql::Parse(q, &error);
  if (!parsed.ok()) {
    // Tempo answers parse, validation and unsupported errors alike with 400.
    return http::Response::Text(400, th::StrCat("invalid TraceQL query: ", error.ToString()));
  }
  if ((*parsed)->IsMetrics()) {
    return http::Response::Text(
        400,
        "invalid TraceQL query: metrics queries are answered by /api/metrics/query_range "
        "and /api/metrics/query");
  }
  query::exec::SearchOptions options;
  options.scan = std::move(params.scan);
  options.limit = params.limit;
  options.spans_per_span_set = params.spss;
  options.min_duration_nanos = params.min_duration_nanos;
  options.max_duration_nanos =
      params.max_duration_nanos == UINT64_MAX ? 0 : params.max_duration_nanos;
  Result<query::SearchResult> result = query::exec::SearchTraceQL(*store, **parsed, options);
  if (!result.ok()) return Error(result.status());
  return http::Response::Json(200, query::SearchResultJson(*result));
}

http::Response Search(const store::Store* store, const http::Request& req) {
  std::string q, tags, v;
  bool has_q = req.QueryParam("q", &q) && !q.empty();
  bool has_tags = req.QueryParam("tags", &tags) && !tags.empty();
  if (has_q && has_tags) {
    return http::Response::Text(400, "invalid request: q and tags are mutually exclusive");
  }
  Result<SearchParams> params = ParseSearchParams(req);
  if (!params.ok()) return Error(params.status());
  if (has_q) return SearchTraceQL(store, q, std::move(params).value());

  bool has_range =
      (req.QueryParam("start", &v) && !v.empty()) || (req.QueryParam("end", &v) && !v.empty());
  if (!has_tags && !has_range) tags = BareParamsAsTags(req);
  Result<query::TagsFilter> filter = query::TagsFilter::Parse(tags);
  if (!filter.ok()) return Error(filter.status());
  query::TagsSearchRequest request;
  request.filter = std::move(filter).value();
  request.filter.set_min_duration_nanos(params->min_duration_nanos);
  request.filter.set_max_duration_nanos(params->max_duration_nanos);
  request.limit = params->limit;
  request.spans_per_span_set = params->spss;
  request.scan = std::move(params->scan);
  Result<query::SearchResult> result = query::SearchByTags(*store, request);
  if (!result.ok()) return Error(result.status());
  return http::Response::Json(200, query::SearchResultJson(*result));
}

// The `q` of the v2 autocomplete endpoints: a TraceQL filter narrowing which spans' tags count.
// Tempo parses it leniently, since Grafana sends half-typed queries; a `q` that does not parse or
// validate, or is a metrics query, narrows nothing.
query::SpanFilter AutocompleteFilter(const http::Request& req) {
  std::string q;
  if (!req.QueryParam("q", &q) || q.empty()) return {};
  auto parsed = query::traceql::Parse(q);
  if (!parsed.ok() || (*parsed)->IsMetrics()) return {};
  auto executor = query::exec::Executor::Compile(**parsed);
  if (!executor.ok()) return {};
  std::shared_ptr<const query::exec::Executor> shared(std::move(executor).value());
  return [shared](const model::SpanBatch& trace) {
    std::vector<bool> keep(trace.span_count(), false);
    query::exec::EvalState state;
    std::vector<query::exec::Spanset> sets;
    if (!shared->Evaluate(trace, &state, &sets).ok()) return keep;
    for (const auto& set : sets) {
      for (uint32_t span : set.spans) keep[span] = true;
    }
    return keep;
  };
}

size_t LimitParam(const http::Request& req, size_t fallback) {
  std::string v;
  if (!req.QueryParam("limit", &v) || v.empty()) return fallback;
  auto n = ParseUint("limit", v);
  return n.ok() ? static_cast<size_t>(*n) : fallback;
}

std::string JsonStringArray(const std::set<std::string>& values) {
  std::string out = "[";
  bool first = true;
  for (const std::string& s : values) {
    if (!first) out += ",";
    first = false;
    out += JsonQuote(s);
  }
  return out + "]";
}

http::Response TagNames(const store::Store* store, const http::Request& req, bool v2) {
  Result<store::ScanRequest> scan = ScanFor(req);
  if (!scan.ok()) return Error(scan.status());
  std::string scope;
  req.QueryParam("scope", &scope);
  static constexpr std::string_view kScopes[] = {"resource",        "span",     "event", "link",
                                                 "instrumentation", "intrinsic"};
  if (!scope.empty() && scope != "all" &&
      std::find(std::begin(kScopes), std::end(kScopes), scope) == std::end(kScopes)) {
    return http::Response::Text(
        400, th::StrCat("invalid scope \"", scope,
                        "\": one of resource, span, event, link, instrumentation, intrinsic"));
  }
  Result<query::TagNamesByScope> names = query::CollectTagNames(
      *store, *scan, LimitParam(req, 0), v2 ? AutocompleteFilter(req) : query::SpanFilter());
  if (!names.ok()) return Error(names.status());
  std::set<std::string> intrinsic(query::IntrinsicTagNames().begin(),
                                  query::IntrinsicTagNames().end());
  const std::pair<std::string_view, const std::set<std::string>*> by_scope[] = {
      {"resource", &names->resource},
      {"span", &names->span},
      {"event", &names->event},
      {"link", &names->link},
      {"instrumentation", &names->instrumentation},
      {"intrinsic", &intrinsic}};
  auto wanted = [&](std::string_view s) { return scope.empty() || scope == "all" || scope == s; };
  if (!v2) {
    std::set<std::string> all;
    for (const auto& [name, set] : by_scope) {
      // v1 lists intrinsics only when asked for them by scope.
      if (wanted(name) && (name != "intrinsic" || scope == "intrinsic")) {
        all.insert(set->begin(), set->end());
      }
    }
    return http::Response::Json(
        200, th::StrCat("{\"tagNames\":", JsonStringArray(all), ",\"metrics\":{}}"));
  }
  std::string out = "{\"scopes\":[";
  bool first = true;
  for (const auto& [name, set] : by_scope) {
    if (!wanted(name)) continue;
    if (!first) out += ",";
    first = false;
    th::StrAppend(&out, "{\"name\":\"", name, "\",\"tags\":", JsonStringArray(*set), "}");
  }
  out += "],\"metrics\":{}}";
  return http::Response::Json(200, std::move(out));
}

http::Response TagValues(const store::Store* store, const http::Request& req, std::string_view tag,
                         bool v2) {
  if (tag.empty()) return http::Response::Text(400, "invalid tag: empty");
  Result<store::ScanRequest> scan = ScanFor(req);
  if (!scan.ok()) return Error(scan.status());
  Result<std::vector<query::TagValue>> values =
      query::CollectTagValues(*store, *scan, tag, v2, LimitParam(req, kDefaultTagValuesLimit),
                              v2 ? AutocompleteFilter(req) : query::SpanFilter());
  if (!values.ok()) return Error(values.status());
  if (!v2) {
    std::set<std::string> plain;
    for (const query::TagValue& tv : *values) plain.insert(tv.value);
    return http::Response::Json(
        200, th::StrCat("{\"tagValues\":", JsonStringArray(plain), ",\"metrics\":{}}"));
  }
  std::string out = "{\"tagValues\":[";
  for (size_t k = 0; k < values->size(); ++k) {
    if (k > 0) out += ",";
    th::StrAppend(&out, "{\"type\":\"", (*values)[k].type,
                  "\",\"value\":", JsonQuote((*values)[k].value), "}");
  }
  out += "],\"metrics\":{}}";
  return http::Response::Json(200, std::move(out));
}

}  // namespace

bool ServeSearch(const store::Store* store, const http::Request& req, http::Response* response) {
  const std::string& path = req.path;
  static constexpr std::string_view kV1Values = "/api/search/tag/";
  static constexpr std::string_view kV2Values = "/api/v2/search/tag/";
  static constexpr std::string_view kValuesSuffix = "/values";
  if (path == "/api/search") {
    *response = Search(store, req);
  } else if (path == "/api/search/tags") {
    *response = TagNames(store, req, /*v2=*/false);
  } else if (path == "/api/v2/search/tags") {
    *response = TagNames(store, req, /*v2=*/true);
  } else if (path.starts_with(kV2Values) && path.ends_with(kValuesSuffix)) {
    std::string_view tag = std::string_view(path).substr(
        kV2Values.size(), path.size() - kV2Values.size() - kValuesSuffix.size());
    *response = TagValues(store, req, tag, /*v2=*/true);
  } else if (path.starts_with(kV1Values) && path.ends_with(kValuesSuffix)) {
    std::string_view tag = std::string_view(path).substr(
        kV1Values.size(), path.size() - kV1Values.size() - kValuesSuffix.size());
    *response = TagValues(store, req, tag, /*v2=*/false);
  } else {
    return false;
  }
  return true;
}

}  // namespace th::api

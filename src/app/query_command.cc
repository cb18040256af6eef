#include "app/query_command.h"

#include <cstdio>
#include <ctime>

#include <simdjson.h>

#include "app/trace_table.h"
#include "common/flags.h"
#include "common/http/client.h"
#include "common/protobuf_wire.h"
#include "common/strings.h"
#include "model/otlp_decode.h"

namespace th::app {
namespace {

int Fail(std::string_view message) {
  std::fprintf(stderr, "query: %.*s\n", static_cast<int>(message.size()), message.data());
  return 1;
}

// Field 1 (the trace) of a tempopb.TraceByIDResponse.
std::string_view TraceOf(std::string_view response) {
  wire::Reader r(response);
  uint32_t field, wt;
  while (!r.done() && r.ReadTag(&field, &wt)) {
    std::string_view v;
    if (field == 1 && wt == wire::kLen) return r.ReadLen(&v) ? v : std::string_view();
    if (!r.Skip(wt)) break;
  }
  return {};
}

int ShowTrace(const Flags& flags, const std::vector<std::pair<std::string, std::string>>& headers) {
  const std::string& id = flags.Get("trace");
  bool json = flags.Get("output") == "json";
  std::vector<std::pair<std::string, std::string>> h = headers;
  if (!json) h.emplace_back("Accept", "application/protobuf");
  auto r = http::Get(flags.Get("endpoint"), "/api/v2/traces/" + http::UrlEncode(id), h);
  if (!r.ok()) return Fail(Message(r.status()));
  if (r->status == 404) return Fail(th::StrCat("trace ", id, " not found"));
  if (r->status != 200) return Fail(th::StrCat("HTTP ", r->status, ": ", r->body));
  if (json) {
    std::printf("%s\n", r->body.c_str());
    return 0;
  }
  auto decoded = model::DecodeOtlpTracesProto(std::string(TraceOf(r->body)), "cli");
  if (!decoded.ok()) return Fail(Message(decoded.status()));
  std::printf("%s", RenderTraceTable(*decoded->batch).c_str());
  return 0;
}

std::string FormatTime(uint64_t unix_nano) {
  std::time_t secs = static_cast<std::time_t>(unix_nano / 1000000000ull);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

int PrintSearchTable(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) return Fail("response is not JSON");
  simdjson::dom::array traces;
  if (doc["traces"].get_array().get(traces) != simdjson::SUCCESS) {
    std::printf("no traces\n");
    return 0;
  }
  std::printf("%-32s %-20s %-28s %-19s %10s %8s\n", "trace id", "root service", "root span",
              "start (UTC)", "duration", "matched");
  size_t n = 0;
  for (simdjson::dom::element t : traces) {
    // Absent fields keep their defaults: Tempo omits zero values.
    auto text = [&t](const char* key) {
      std::string_view v;
      return t[key].get_string().get(v) == simdjson::SUCCESS ? v : std::string_view();
    };
    auto number = [](simdjson::dom::element e, const char* key) {
      uint64_t v = 0;
      return e[key].get_uint64().get(v) == simdjson::SUCCESS ? v : 0;
    };
    std::string_view id = text("traceID"), service = text("rootServiceName"),
                     name = text("rootTraceName"), start = text("startTimeUnixNano");
    uint64_t duration = number(t, "durationMs"), matched = 0;
    simdjson::dom::array sets;
    if (t["spanSets"].get_array().get(sets) == simdjson::SUCCESS) {
      for (simdjson::dom::element s : sets) matched += number(s, "matched");
    }
    std::printf("%-32.*s %-20.*s %-28.*s %-19s %8llums %8llu\n", static_cast<int>(id.size()),
                id.data(), static_cast<int>(std::min<size_t>(service.size(), 20)), service.data(),
                static_cast<int>(std::min<size_t>(name.size(), 28)), name.data(),
                FormatTime(std::strtoull(std::string(start).c_str(), nullptr, 10)).c_str(),
                static_cast<unsigned long long>(duration),
                static_cast<unsigned long long>(matched));
    ++n;
  }
  std::printf("%zu traces\n", n);
  return 0;
}

}  // namespace

int RunQuery(const std::vector<std::string>& args) {
  Flags flags("query",
              "Runs a TraceQL search, or fetches one trace with --trace, against a running "
              "server's Tempo API, and prints a table (a trace as a waterfall) or the JSON.");
  flags.AllowPositionals("['<traceql>']");
  flags.Add("endpoint", "127.0.0.1:3200", "the server's query API (host:port)");
  flags.Add("trace", "", "show this trace (hex id) instead of searching");
  flags.Add("output", "table", "table or json");
  flags.Add("limit", "20", "most traces to return");
  flags.Add("spss", "3", "spans shown per spanset");
  flags.Add("since", "", "search only traces of the last duration (e.g. 1h); default: all");
  flags.Add("tenant", "", "X-Scope-OrgID");
  if (std::optional<int> exit_code = flags.ParseCommandLine(args)) return *exit_code;
  if (flags.Get("output") != "table" && flags.Get("output") != "json") {
    return Fail("--output must be table or json");
  }
  std::vector<std::pair<std::string, std::string>> headers;
  if (!flags.Get("tenant").empty()) headers.emplace_back("X-Scope-OrgID", flags.Get("tenant"));
  if (!flags.Get("trace").empty()) return ShowTrace(flags, headers);
  if (flags.positionals().size() != 1) {
    return Fail("give one TraceQL query (quoted), or --trace <id>; see --help");
  }
  std::string target = th::StrCat("/api/search?q=", http::UrlEncode(flags.positionals()[0]),
                                  "&limit=", http::UrlEncode(flags.Get("limit")),
                                  "&spss=", http::UrlEncode(flags.Get("spss")));
  if (!flags.Get("since").empty()) {
    std::string since = flags.Get("since");
    char unit = since.empty() ? 's' : since.back();
    uint64_t n = std::strtoull(since.c_str(), nullptr, 10);
    uint64_t secs = unit == 'h' ? n * 3600 : unit == 'm' ? n * 60 : unit == 'd' ? n * 86400 : n;
    uint64_t now = static_cast<uint64_t>(std::time(nullptr));
    th::StrAppend(&target, "&start=", now - std::min(now, secs), "&end=", now);
  }
  headers.emplace_back("Accept", "application/json");
  auto r = http::Get(flags.Get("endpoint"), target, headers);
  if (!r.ok()) return Fail(Message(r.status()));
  if (r->status != 200) return Fail(th::StrCat("HTTP ", r->status, ": ", r->body));
  if (flags.Get("output") == "json") {
    std::printf("%s\n", r->body.c_str());
    return 0;
  }
  return PrintSearchTable(r->body);
}

}  // namespace th::app

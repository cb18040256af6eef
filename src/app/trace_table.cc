#include "app/trace_table.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "common/strings.h"

namespace th::app {
namespace {

std::string_view ServiceOf(const model::SpanBatch& b, uint32_t i) {
  const model::Resource& r = b.resources[b.scopes[b.spans.scope[i]].resource];
  for (uint32_t k = r.attributes.begin; k < r.attributes.end(); ++k) {
    if (b.key_values[k].key == "service.name") return b.key_values[k].value.bytes;
  }
  return "?";
}

std::string Millis(uint64_t nanos) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", static_cast<double>(nanos) / 1e6);
  return buf;
}

}  // namespace

std::string RenderTraceTable(const model::SpanBatch& b) {
  const model::SpanColumns& c = b.spans;
  if (c.size() == 0) return "no spans\n";
  uint64_t start = *std::min_element(c.start_time_unix_nano.begin(), c.start_time_unix_nano.end());
  uint64_t end = *std::max_element(c.end_time_unix_nano.begin(), c.end_time_unix_nano.end());
  std::map<model::SpanId, uint32_t> by_id;
  for (uint32_t i = 0; i < c.size(); ++i) by_id.emplace(c.span_id[i], i);
  std::map<uint32_t, std::vector<uint32_t>> children;
  std::vector<uint32_t> roots;
  std::set<std::string_view> services;
  for (uint32_t i = 0; i < c.size(); ++i) {
    services.insert(ServiceOf(b, i));
    auto parent = by_id.find(c.parent_span_id[i]);
    if (c.parent_span_id[i].IsZero() || parent == by_id.end() || parent->second == i) {
      roots.push_back(i);
    } else {
      children[parent->second].push_back(i);
    }
  }
  auto by_start = [&](uint32_t a, uint32_t x) {
    return c.start_time_unix_nano[a] < c.start_time_unix_nano[x];
  };
  std::sort(roots.begin(), roots.end(), by_start);
  for (auto& [_, kids] : children) std::sort(kids.begin(), kids.end(), by_start);

  std::string out =
      th::StrCat("trace ", model::ToHex(c.trace_id[0].View()), ": ", c.size(), " spans, ",
                 services.size(), " services, ", Millis(end - start), " ms\n");
  char header[128];
  std::snprintf(header, sizeof(header), "%12s %12s  %-20s %s\n", "offset ms", "duration ms",
                "service", "span");
  out += header;
  std::vector<bool> printed(c.size(), false);
  std::function<void(uint32_t, int)> print = [&](uint32_t i, int depth) {
    if (printed[i]) return;  // a cycle in broken data must not loop forever
    printed[i] = true;
    std::string name = std::string(static_cast<size_t>(depth) * 2, ' ') + std::string(c.name[i]);
    if (c.status_code[i] == model::kStatusError) {
      th::StrAppend(&name, "  [error", c.status_message[i].empty() ? "" : ": ", c.status_message[i],
                    "]");
    }
    char line[512];
    std::snprintf(line, sizeof(line), "%12s %12s  %-20.*s %s\n",
                  Millis(c.start_time_unix_nano[i] - start).c_str(),
                  Millis(c.end_time_unix_nano[i] > c.start_time_unix_nano[i]
                             ? c.end_time_unix_nano[i] - c.start_time_unix_nano[i]
                             : 0)
                      .c_str(),
                  static_cast<int>(std::min<size_t>(ServiceOf(b, i).size(), 20)),
                  ServiceOf(b, i).data(), name.c_str());
    out += line;
    for (uint32_t child : children[i]) print(child, depth + 1);
  };
  for (uint32_t r : roots) print(r, 0);
  for (uint32_t i = 0; i < c.size(); ++i) print(i, 0);  // anything left (cycles)
  return out;
}

}  // namespace th::app

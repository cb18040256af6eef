#include "query/exec/internal/trace_context.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstring>

#include "query/search/search_result.h"
#include "query/search/trace_summary.h"

namespace th::query::exec::internal {
namespace {

// Bounds the per-query cache of patterns read from attributes: hostile data must not grow it.
constexpr size_t kMaxDynamicRegexes = 256;

uint64_t IdKey(const model::SpanId& id) {
  uint64_t k = 0;
  std::memcpy(&k, id.bytes.data(), sizeof(k));
  return k;
}

}  // namespace

TraceContext::TraceContext() = default;
TraceContext::~TraceContext() = default;

void TraceContext::Reset(const model::SpanBatch& batch, const TraceNeeds& needs) {
  batch_ = &batch;
  const model::SpanColumns& c = batch.spans;
  const uint32_t n = span_count();

  uint64_t start = UINT64_MAX, end = 0, root_start = UINT64_MAX;
  root_ = -1;
  for (uint32_t i = 0; i < n; ++i) {
    start = std::min(start, c.start_time_unix_nano[i]);
    end = std::max(end, c.end_time_unix_nano[i]);
    if (c.parent_span_id[i].IsZero() && c.start_time_unix_nano[i] < root_start) {
      root_start = c.start_time_unix_nano[i];
      root_ = i;
    }
  }
  trace_duration_ = n > 0 && end > start ? static_cast<int64_t>(end - start) : 0;
  root_service_ = root_ >= 0 ? ServiceNameOf(batch, static_cast<uint32_t>(root_)) : "";
  trace_id_hex_ = n > 0 ? TrimmedTraceIdHex(c.trace_id[0]) : "";

  if (needs.span_ids) {
    span_hex_.clear();
    parent_hex_.clear();
    for (uint32_t i = 0; i < n; ++i) {
      span_hex_ += model::ToHex(c.span_id[i].View());
      parent_hex_ += model::ToHex(c.parent_span_id[i].View());
    }
  }
  if (needs.link_ids) {
    link_trace_hex_.clear();
    link_span_hex_.clear();
    for (const model::Link& l : batch.links) {
      link_trace_hex_.push_back(TrimmedTraceIdHex(l.trace_id));
      link_span_hex_ += model::ToHex(l.span_id.View());
    }
  }
  if (needs.tree) BuildTree();
  span_marks_.assign(n, 0);
}

std::string_view TraceContext::span_id_hex(uint32_t span) const {
  return std::string_view(span_hex_).substr(size_t{span} * 16, 16);
}

std::string_view TraceContext::parent_id_hex(uint32_t span) const {
  if (batch_->spans.parent_span_id[span].IsZero()) return {};
  return std::string_view(parent_hex_).substr(size_t{span} * 16, 16);
}

std::string_view TraceContext::link_span_id_hex(uint32_t link) const {
  return std::string_view(link_span_hex_).substr(size_t{link} * 16, 16);
}

const re2::RE2* TraceContext::DynamicRegex(std::string_view pattern) {
  std::string key(pattern);  // Debian's Abseil hashes its own string_view, not std's
  auto it = regexes_.find(key);
  if (it != regexes_.end()) return it->second.get();
  if (regexes_.size() >= kMaxDynamicRegexes) regexes_.clear();
  auto re = std::make_unique<re2::RE2>(pattern, re2::RE2::Quiet);
  if (!re->ok()) re.reset();
  const re2::RE2* result = re.get();
  regexes_.emplace(std::move(key), std::move(re));
  return result;
}

void TraceContext::BuildTree() {
  const model::SpanColumns& c = batch_->spans;
  const uint32_t n = span_count();
  nested_.assign(n, NestedSet{});
  child_count_.assign(n, 0);

  // Spans by id: the first two holders and how many there are.
  struct Holders {
    uint32_t first = 0;
    uint32_t second = 0;
    uint32_t count = 0;
  };
  absl::flat_hash_map<uint64_t, Holders> by_id;
  by_id.reserve(n);
  std::vector<uint32_t> roots;
  bool ambiguous = false;
  for (uint32_t i = 0; i < n; ++i) {
    if (c.parent_span_id[i].IsZero()) roots.push_back(i);
    Holders& h = by_id[IdKey(c.span_id[i])];
    if (h.count == 0) h.first = i;
    if (h.count == 1) h.second = i;
    if (++h.count > 2) ambiguous = true;
  }
  if (roots.empty() || ambiguous) return;

  constexpr uint32_t kNone = UINT32_MAX;
  std::vector<uint32_t> parent(n, kNone);
  for (uint32_t i = 0; i < n; ++i) {
    if (c.parent_span_id[i].IsZero()) continue;
    auto it = by_id.find(IdKey(c.parent_span_id[i]));
    if (it == by_id.end()) continue;
    const Holders& h = it->second;
    if (h.count == 1) {
      parent[i] = h.first;
    } else {
      int32_t want = c.kind[i] == model::kSpanKindServer ? model::kSpanKindClient
                                                         : model::kSpanKindServer;
      if (c.kind[h.first] == want) {
        parent[i] = h.first;
      } else if (c.kind[h.second] == want) {
        parent[i] = h.second;
      }
    }
  }

  // Children lists in batch order (compressed: offsets into one array).
  std::vector<uint32_t> offset(n + 1, 0);
  for (uint32_t i = 0; i < n; ++i) {
    if (parent[i] != kNone) ++child_count_[parent[i]];
  }
  for (uint32_t i = 0; i < n; ++i) offset[i + 1] = offset[i] + static_cast<uint32_t>(child_count_[i]);
  std::vector<uint32_t> children(offset[n]);
  std::vector<uint32_t> fill(offset.begin(), offset.end() - 1);
  for (uint32_t i = 0; i < n; ++i) {
    if (parent[i] != kNone) children[fill[parent[i]]++] = i;
  }

  // Depth-first walk without recursion: a trace may be arbitrarily deep.
  int32_t bound = 1;
  std::vector<uint32_t> next_child(n, 0);
  std::vector<uint32_t> stack;
  for (uint32_t root : roots) {
    nested_[root].left = bound++;
    nested_[root].parent = -1;
    stack.push_back(root);
    while (!stack.empty()) {
      uint32_t node = stack.back();
      uint32_t k = offset[node] + next_child[node];
      if (k < offset[node + 1]) {
        ++next_child[node];
        uint32_t child = children[k];
        nested_[child].left = bound++;
        nested_[child].parent = nested_[node].left;
        stack.push_back(child);
      } else {
        nested_[node].right = bound++;
        stack.pop_back();
      }
    }
  }
}

}  // namespace th::query::exec::internal

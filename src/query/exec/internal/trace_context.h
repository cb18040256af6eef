// TraceContext: what the executor derives from one trace before evaluating a query on it —
// trace-level intrinsics, the nested-set numbering structural operators use, span and link ids
// as hex — plus scratch space. It is per-query, per-thread state (STYLE.md §7): the compiled
// query stays immutable and every Evaluate() call Reset()s one of these.
//
// Nested-set model (Tempo's tempodb/encoding/vparquet4/nested_set_model.go, which decides what
// structural operators mean on broken traces):
//   * roots are spans with an all-zero parent id; a span's parent is the span whose id equals its
//     parent id. Zipkin may give a client and a server span the same id: with two candidates the
//     server picks the client and anything else picks the server. With more than two spans
//     sharing an id, or with no root at all, no span gets numbers;
//   * a depth-first walk from each root, in batch order, numbers `left` on the way down and
//     `right` on the way up from one counter starting at 1; `parent` is the parent's `left`, and
//     -1 for roots;
//   * spans not reachable from a root (missing or cyclic parents) keep 0, 0, 0, which no
//     structural relation accepts.
// Invariant: for numbered spans a, b: a is a descendant of b iff b.left < a.left && a.right <
// b.right, and intervals are laminar (nested or disjoint).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "model/span_batch.h"

namespace re2 {
class RE2;
}

namespace th::query::exec::internal {

struct NestedSet {
  int32_t left = 0;
  int32_t right = 0;
  int32_t parent = 0;  // the parent's `left`; -1 for a root; 0 when unnumbered
};

// What a compiled query needs beyond the batch, so Reset() computes only that.
struct TraceNeeds {
  bool tree = false;      // nested-set numbers and child counts
  bool span_ids = false;  // span:id, span:parentID as hex
  bool link_ids = false;  // link:traceID, link:spanID as hex
};

class TraceContext {
 public:
  TraceContext();
  ~TraceContext();
  TraceContext(const TraceContext&) = delete;
  TraceContext& operator=(const TraceContext&) = delete;

  // Prepares for evaluating on `batch`, which holds all spans of one trace and must outlive every
  // use of this context until the next Reset().
  void Reset(const model::SpanBatch& batch, const TraceNeeds& needs);

  const model::SpanBatch& batch() const { return *batch_; }
  uint32_t span_count() const { return static_cast<uint32_t>(batch_->span_count()); }

  // Requires: needs.tree.
  const NestedSet& nested(uint32_t span) const { return nested_[span]; }
  int64_t child_count(uint32_t span) const { return child_count_[span]; }

  // max(end) - min(start) over the trace.
  int64_t trace_duration() const { return trace_duration_; }
  // The root span (earliest-starting span without a parent, as SummarizeTrace picks it), or -1.
  int64_t root() const { return root_; }
  std::string_view root_service() const { return root_service_; }
  // Tempo's trace id text: lower-case hex with leading zeros trimmed.
  std::string_view trace_id_hex() const { return trace_id_hex_; }

  // Requires: needs.span_ids. Span ids as 16 hex digits; the parent's is empty for roots.
  std::string_view span_id_hex(uint32_t span) const;
  std::string_view parent_id_hex(uint32_t span) const;
  // Requires: needs.link_ids. `link` indexes SpanBatch::links.
  std::string_view link_trace_id_hex(uint32_t link) const { return link_trace_hex_[link]; }
  std::string_view link_span_id_hex(uint32_t link) const;

  // A fully anchored regex compiled from a pattern read at run time (`.a =~ .b`), cached for
  // the query; null when the pattern does not compile.
  const re2::RE2* DynamicRegex(std::string_view pattern);

  // Scratch flags, one per span, all false between uses.
  std::vector<uint8_t>& span_marks() { return span_marks_; }

 private:
  void BuildTree();

  const model::SpanBatch* batch_ = nullptr;
  std::vector<NestedSet> nested_;
  std::vector<int32_t> child_count_;
  int64_t trace_duration_ = 0;
  int64_t root_ = -1;
  std::string_view root_service_;
  std::string trace_id_hex_;
  std::string span_hex_;    // 16 digits per span
  std::string parent_hex_;  // 16 digits per span
  std::vector<std::string> link_trace_hex_;
  std::string link_span_hex_;  // 16 digits per link
  std::vector<uint8_t> span_marks_;
  absl::flat_hash_map<std::string, std::unique_ptr<re2::RE2>> regexes_;
};

}  // namespace th::query::exec::internal

// SpanFilter: column-first evaluation of a ScanPredicate (scan_predicate.h) over one row group
// (docs/formats/block.md, "Column kinds", "Attributes"). Only the columns the predicate names are
// decoded; each condition narrows a per-span byte mask in a tight loop over plain arrays —
// dictionary columns are compared once per dictionary entry and then by code, resource
// conditions become a per-scope lookup table over the bit-packed `span.scope` column, span
// attributes are matched once per stored value and mapped to spans through the key codes — and
// the traces with at least one surviving span are marked. No string is compared and nothing is
// allocated per span; scratch vectors are reused across row groups.
//
// The answer is a superset of the exact one (a hint, as ScanPredicate says): a trace is dropped
// only when none of its spans can satisfy every condition; when a column cannot be read or has a
// shape the filter does not evaluate (nested attribute values), the affected condition lets every
// span through, and the full decode reports any corruption. Thread-compatible: one filter per scan.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/span_batch.h"
#include "store/block/internal/attributes.h"
#include "store/block/internal/columns.h"
#include "store/block/scan_predicate.h"

namespace th::store::block::internal {

class SpanFilter {
 public:
  // `tables` holds the block's resources and scopes, `dedicated` its dedicated span keys; both,
  // and `predicate`, must outlive the filter.
  SpanFilter(const ScanPredicate& predicate, const model::SpanBatch& tables,
             const DedicatedKeys& dedicated);

  // False when the resource conditions rule out every scope of the block.
  bool block_may_match() const { return block_may_match_; }

  // Evaluates the predicate on the row group read by `columns`, of `traces` traces and `spans`
  // spans. Returns how many traces have a span that may match; trace_match()[t] is 1 for them
  // and 0 for the others.
  size_t Evaluate(RowGroupColumns* columns, size_t traces, size_t spans);
  const std::vector<uint8_t>& trace_match() const { return trace_match_; }

 private:
  struct AttributeCondition {
    const AttributeEquals* eq;
    std::string group_prefix;  // "span.attr.g<g>."
    uint32_t group = 0;        // the key's value group in this block (0: the shared one)
    // kAny: per scope (plus a trailing 0), 1 when its resource or scope attributes may match.
    std::vector<uint8_t> scope_lut;
  };

  Status EvaluateColumns(RowGroupColumns* c, size_t traces, size_t spans, size_t* matched);
  // Fills side_ (one byte per span: the span's own attributes may match `a`). Sets *known to
  // false when the columns do not tell (then side_ is meaningless).
  Status SpanAttributeSide(RowGroupColumns* c, const AttributeCondition& a, size_t spans,
                           bool* known);
  // value_match_[v] for each value of the group just loaded into types_; returns whether any
  // matches, or sets *known false.
  Status MatchGroupValues(RowGroupColumns* c, const AttributeCondition& a, bool* any,
                          bool* known);

  const ScanPredicate& predicate_;
  const model::SpanBatch& tables_;
  const DedicatedKeys& dedicated_;
  bool block_may_match_ = true;
  bool use_scope_lut_ = false;
  std::vector<uint8_t> scope_lut_;  // per scope plus a trailing 0: resource conditions hold
  std::vector<AttributeCondition> attributes_;
  bool needs_scopes_ = false;
  bool needs_duration_ = false;

  // Scratch, reused across row groups.
  std::vector<uint8_t> mask_, side_, value_match_, in_group_, trace_match_;
  std::vector<uint32_t> scopes_, u32_, codes_, key_codes_, counts_, types_, bools_;
  std::vector<int64_t> i64_;
  std::vector<std::string_view> dict_, key_dict_;
};

}  // namespace th::store::block::internal

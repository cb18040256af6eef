#include "query/exec/internal/structural.h"

#include <algorithm>

namespace th::query::exec::internal {

using traceql::SpansetOp;

bool IsStructural(SpansetOp op) { return op != SpansetOp::kAnd && op != SpansetOp::kUnion; }

namespace {

// How a candidate span relates to the spans of the other side.
enum class Relation {
  kDescendantOf,  // the candidate lies inside one of them
  kAncestorOf,    // one of them lies inside the candidate
  kChildOf,       // the candidate's parent is one of them
  kParentOf,      // the candidate is the parent of one of them
  kSiblingOf,     // another of them shares the candidate's parent
};

// For each candidate, whether it stands in `rel` to at least one span of `others`. Each test is
// a binary search over the other side's numbers, so a join is O((n + m) log m), not O(n·m).
std::vector<bool> Related(Relation rel, TraceContext& trace, const std::vector<uint32_t>& candidates,
                          const std::vector<uint32_t>& others) {
  std::vector<bool> out(candidates.size(), false);
  if (others.empty()) return out;
  switch (rel) {
    case Relation::kDescendantOf: {
      // Others sorted by left, with the running maximum of right: some other span starts
      // before the candidate and ends after it iff it contains it (intervals are laminar).
      std::vector<std::pair<int32_t, int32_t>> by_left;
      for (uint32_t o : others) {
        const NestedSet& n = trace.nested(o);
        if (n.left != 0 && n.right != 0) by_left.emplace_back(n.left, n.right);
      }
      std::sort(by_left.begin(), by_left.end());
      std::vector<int32_t> max_right(by_left.size());
      int32_t m = 0;
      for (size_t k = 0; k < by_left.size(); ++k) max_right[k] = m = std::max(m, by_left[k].second);
      for (size_t c = 0; c < candidates.size(); ++c) {
        const NestedSet& n = trace.nested(candidates[c]);
        if (n.left == 0 || n.right == 0) continue;
        auto it = std::lower_bound(by_left.begin(), by_left.end(), std::make_pair(n.left, 0));
        size_t before = static_cast<size_t>(it - by_left.begin());
        out[c] = before > 0 && max_right[before - 1] > n.right;
      }
      return out;
    }
    case Relation::kAncestorOf: {
      // Some other span starts strictly inside the candidate's interval.
      std::vector<int32_t> lefts;
      for (uint32_t o : others) {
        const NestedSet& n = trace.nested(o);
        if (n.left != 0 && n.right != 0) lefts.push_back(n.left);
      }
      std::sort(lefts.begin(), lefts.end());
      for (size_t c = 0; c < candidates.size(); ++c) {
        const NestedSet& n = trace.nested(candidates[c]);
        if (n.left == 0 || n.right == 0) continue;
        auto it = std::upper_bound(lefts.begin(), lefts.end(), n.left);
        out[c] = it != lefts.end() && *it < n.right;
      }
      return out;
    }
    case Relation::kChildOf:
    case Relation::kParentOf: {
      // Child: the candidate's parent is another span's left; parent: the candidate's left is
      // another span's parent.
      const bool child = rel == Relation::kChildOf;
      std::vector<int32_t> keys;
      for (uint32_t o : others) {
        const NestedSet& n = trace.nested(o);
        int32_t k = child ? n.left : n.parent;
        if (k > 0) keys.push_back(k);
      }
      std::sort(keys.begin(), keys.end());
      for (size_t c = 0; c < candidates.size(); ++c) {
        const NestedSet& n = trace.nested(candidates[c]);
        int32_t k = child ? n.parent : n.left;
        out[c] = k > 0 && std::binary_search(keys.begin(), keys.end(), k);
      }
      return out;
    }
    case Relation::kSiblingOf: {
      std::vector<int32_t> parents;
      std::vector<uint8_t>& in_others = trace.span_marks();
      for (uint32_t o : others) {
        in_others[o] = 1;
        int32_t p = trace.nested(o).parent;
        if (p != 0) parents.push_back(p);
      }
      std::sort(parents.begin(), parents.end());
      for (size_t c = 0; c < candidates.size(); ++c) {
        int32_t p = trace.nested(candidates[c]).parent;
        if (p == 0) continue;
        auto range = std::equal_range(parents.begin(), parents.end(), p);
        size_t same_parent = static_cast<size_t>(range.second - range.first);
        if (in_others[candidates[c]]) --same_parent;  // not its own sibling
        out[c] = same_parent > 0;
      }
      for (uint32_t o : others) in_others[o] = 0;
      return out;
    }
  }
  return out;
}

// The relation a right-hand span must have to a left-hand one, and its converse (for the
// left-hand spans of union operators).
void Relations(SpansetOp op, Relation* right, Relation* left) {
  switch (op) {
    case SpansetOp::kDescendant:
    case SpansetOp::kNotDescendant:
    case SpansetOp::kUnionDescendant:
      *right = Relation::kDescendantOf;
      *left = Relation::kAncestorOf;
      return;
    case SpansetOp::kAncestor:
    case SpansetOp::kNotAncestor:
    case SpansetOp::kUnionAncestor:
      *right = Relation::kAncestorOf;
      *left = Relation::kDescendantOf;
      return;
    case SpansetOp::kChild:
    case SpansetOp::kNotChild:
    case SpansetOp::kUnionChild:
      *right = Relation::kChildOf;
      *left = Relation::kParentOf;
      return;
    case SpansetOp::kParent:
    case SpansetOp::kNotParent:
    case SpansetOp::kUnionParent:
      *right = Relation::kParentOf;
      *left = Relation::kChildOf;
      return;
    default:
      *right = Relation::kSiblingOf;
      *left = Relation::kSiblingOf;
      return;
  }
}

}  // namespace

std::vector<uint32_t> Structural(SpansetOp op, TraceContext& trace,
                                 const std::vector<uint32_t>& lhs,
                                 const std::vector<uint32_t>& rhs) {
  const bool negated = op == SpansetOp::kNotChild || op == SpansetOp::kNotParent ||
                       op == SpansetOp::kNotDescendant || op == SpansetOp::kNotAncestor ||
                       op == SpansetOp::kNotSibling;
  const bool with_left = op == SpansetOp::kUnionChild || op == SpansetOp::kUnionParent ||
                         op == SpansetOp::kUnionDescendant || op == SpansetOp::kUnionAncestor ||
                         op == SpansetOp::kUnionSibling;
  Relation right_rel, left_rel;
  Relations(op, &right_rel, &left_rel);

  std::vector<uint32_t> out;
  std::vector<bool> right = Related(right_rel, trace, rhs, lhs);
  for (size_t k = 0; k < rhs.size(); ++k) {
    if (right[k] != negated) out.push_back(rhs[k]);
  }
  if (with_left) {
    std::vector<bool> left = Related(left_rel, trace, lhs, rhs);
    for (size_t k = 0; k < lhs.size(); ++k) {
      if (left[k]) out.push_back(lhs[k]);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace th::query::exec::internal

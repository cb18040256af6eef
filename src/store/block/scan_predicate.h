// ScanPredicate: plain conditions a scan may use to skip what cannot match (STYLE.md §2: the
// query engine hands the store plain conditions; the store knows nothing of TraceQL). A trace
// can match only if ONE of its spans satisfies EVERY condition; a reader skips blocks, row
// groups (by their statistics) and traces (by their decoded columns) that have no such span,
// without building them. It may still pass traces that do not match — the query engine
// evaluates exactly — but never drops one that does. Plain value; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace th::store::block {

// `<scope>.key = value` on a span attribute, a resource attribute or either (TraceQL's unscoped
// `.key`, which the engine also looks up in events, links and the instrumentation scope; readers
// treat a span as a candidate when any of those places may hold a matching value).
struct AttributeEquals {
  enum class Scope { kSpan, kResource, kAny };
  enum class Type { kString, kInt, kDouble, kBool };
  Scope scope = Scope::kSpan;
  std::string key;
  Type type = Type::kString;
  // Equality is the engine's: a string equals the same string; an int or double literal equals
  // an int or double attribute of the same numeric value (NaN equals nothing); a bool equals the
  // same bool. An array attribute is a candidate (it may hold an equal element).
  std::string string_value;
  int64_t int_value = 0;
  double double_value = 0;
  bool bool_value = false;
};

struct ScanPredicate {
  // (key, value): the span's resource has a string attribute `key` equal to `value`.
  std::vector<std::pair<std::string, std::string>> resource_equals;
  std::optional<std::string> name_equals;
  std::optional<uint32_t> status_code_equals;  // OTLP Status.code
  std::optional<uint32_t> kind_equals;         // OTLP Span.kind
  // Span duration (end - start, ns) within [min, max], inclusive.
  int64_t min_duration = INT64_MIN;
  int64_t max_duration = INT64_MAX;
  std::vector<AttributeEquals> attribute_equals;

  bool empty() const {
    return resource_equals.empty() && attribute_equals.empty() && !name_equals && !status_code_equals && !kind_equals &&
           min_duration == INT64_MIN && max_duration == INT64_MAX;
  }
};

// What a filtered scan skipped, for the engine's statistics.
struct ScanSkips {
  uint64_t blocks = 0;      // whole blocks: no resource qualifies
  uint64_t row_groups = 0;  // by statistics
  uint64_t traces = 0;      // decoded but not built: no span qualifies
  uint64_t spans = 0;       // spans in all of the above
  // Spans whose columns the predicate was evaluated on (column-first, before building any
  // trace), and row groups ruled out that way without decoding their other columns.
  uint64_t evaluated_spans = 0;
  uint64_t row_groups_by_columns = 0;
};

}  // namespace th::store::block

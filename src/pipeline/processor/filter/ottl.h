// OTTL conditions for the `filter` processor: a real lexer, parser and evaluator for the subset
// of the OpenTelemetry Transformation Language that span and span-event filters use.
//
// Grammar (as pkg/ottl's): condition = term ("or" term)*; term = value ("and" value)*;
//   value = ["not"] (comparison | "true" | "false" | BoolConverter(...) | "(" condition ")");
//   comparison = operand (== | != | < | <= | > | >=) operand;
//   operand = path | "string" | int | float | 0xBYTES | true | false | nil | ENUM | Converter(...).
// Paths, span context: name, kind, status.code, status.message, trace_id.string,
//   span_id.string, parent_span_id.string, trace_id, span_id, parent_span_id, trace_state,
//   start_time_unix_nano, end_time_unix_nano, attributes, dropped_attributes_count,
//   dropped_events_count, dropped_links_count, resource.attributes,
//   resource.dropped_attributes_count, instrumentation_scope.{name,version,attributes}; span
//   fields may carry the `span.` prefix. Span-event context: name, time_unix_nano, attributes,
//   dropped_attributes_count (optionally `spanevent.`-prefixed), plus `span.<span path>`,
//   resource.* and instrumentation_scope.*. Map paths take keys: attributes["k"]["nested"][0].
// Enums: SPAN_KIND_*, STATUS_CODE_* (ints). Converters: IsMatch(target, "re2 pattern"),
//   IsString, IsInt, IsDouble, IsBool, IsMap, IsList (one argument each) and Len(target).
// Comparison follows pkg/ottl/compare.go: ints and doubles compare numerically, nil equals only
//   nil, values of different types are never equal (so != is true) and never ordered.
//
// Deliberate differences: a converter that does not return bool, used as a condition, is a parse
// error here (OTTL reports it per evaluation); arithmetic and editor functions are not supported
// and are parse errors.
//
// A Condition is immutable after Parse; Eval may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/span_batch.h"

namespace th::pipeline::ottl {

enum class Context { kSpan, kSpanEvent };

// What a condition is evaluated against: span `span` of `batch`, and for kSpanEvent the event at
// index `event` of batch.events (one of the span's events).
struct EvalTarget {
  const model::SpanBatch* batch = nullptr;
  uint32_t span = 0;
  uint32_t event = 0;
};

struct BoolNode;

class Condition {
 public:
  // Errors: InvalidArgument "column N: what is wrong" (N is 1-based, in `text`).
  static Result<Condition> Parse(std::string_view text, Context context);

  // True when the condition holds. Errors (the processor's error_mode decides what they mean):
  // Len of an unsupported type.
  // Requires: `target` indexes exist in its batch.
  Result<bool> Eval(const EvalTarget& target) const;

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::shared_ptr<const BoolNode> root_;
};

}  // namespace th::pipeline::ottl

// A literal attribute value written in the config (an action's `value`, a matcher's `value`),
// typed as the Collector's YAML decoder types it: true/false are bools, integers ints, other
// numbers doubles, anything else a string; a sequence of scalars is an array.
//
// Limitation: config::Node does not say whether a scalar was quoted, so `"200"` types as the int
// 200 here, where the Collector keeps a string. Matchers therefore also accept a string
// attribute equal to the text as written (see match_properties.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/config/node.h"
#include "common/status.h"
#include "model/span_batch.h"

namespace th::pipeline::processor {

struct ConfigValue {
  model::ValueType type = model::ValueType::kString;  // kString, kBool, kInt, kDouble or kArray
  std::string text;                                   // the scalar as written ("" for arrays)
  bool bool_value = false;
  int64_t int_value = 0;
  double double_value = 0;
  std::vector<ConfigValue> elements;  // kArray

  // True when `v` equals this value with the same type (arrays: never).
  bool EqualsTyped(const model::AnyValue& v) const;
};

// Types the scalar or sequence at `node`. Errors (naming the node): maps, nested sequences.
// Requires: the node is present and not null.
Result<ConfigValue> ParseConfigValue(const config::Node& node);

// Types one scalar text as above (no errors: anything else is a string).
ConfigValue TypeScalar(const std::string& text);

}  // namespace th::pipeline::processor

// The Collector's attribute action engine (contrib internal/coreinternal/attraction), shared by
// the `attributes` processor (span attributes) and the `resource` processor (resource
// attributes). An ordered list of actions:
//
//   insert / update / upsert  key + one of value | from_attribute | from_context. insert only when
//       the key is absent, update only when present, upsert either way. from_attribute reads the
//       attribute list as earlier actions left it; nothing happens when the source is absent.
//       from_context: only `metadata.x-scope-orgid` (the batch's tenant, when one was sent) is
//       known to a batch; other context keys are never found, so those actions do nothing.
//   delete   key and/or pattern (RE2 on keys).
//   hash     key and/or pattern: the value becomes the lower-case hex SHA-256 (the Collector's
//       default since v0.79, contrib #22831) of its bytes: strings as is, bool as one byte,
//       int and double as 8 little-endian bytes; other types become "". As in the Collector, a
//       key also matched by the pattern is hashed twice.
//   extract  key + pattern with named groups only: each group of the first match becomes a string
//       attribute (overwriting); only string values are read.
//   convert  key + converted_type int | double | string, as the Collector converts; values that
//       do not convert stay as they are.
//
// Editing model: a changed attribute list is written as a new contiguous slice at the end of
// `batch.key_values` and the owner's Range re-pointed; new strings go into the batch arena.
// The caller must MarkModified (batch_edit.h) the batch when Apply reported a change.
// AttributeActions is immutable after Parse and may be shared between threads; an
// AttributeEditor belongs to one batch and one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/config/node.h"
#include "common/status.h"
#include "model/span_batch.h"
#include "pipeline/processor/internal/config_value.h"

namespace re2 {
class RE2;
}

namespace th::pipeline::processor {

enum class ActionType { kInsert, kUpdate, kUpsert, kDelete, kHash, kExtract, kConvert };

struct AttributeAction {
  ActionType type = ActionType::kInsert;
  std::string key;
  std::optional<ConfigValue> value;
  std::string from_attribute;
  std::string from_context;
  std::shared_ptr<const re2::RE2> pattern;
  std::vector<std::string> group_names;  // extract: name of capture group i + 1
  model::ValueType converted_type = model::ValueType::kEmpty;
};

class AttributeActions {
 public:
  // Reads a list of actions (the node under `actions:` or the resource processor's
  // `attributes:`). Errors name the action's file:line:col: unknown keys or action, missing key,
  // value sources missing or doubled, bad or group-less patterns, bad converted_type.
  static Result<AttributeActions> Parse(const config::Node& list);

  const std::vector<AttributeAction>& actions() const { return actions_; }

 private:
  std::vector<AttributeAction> actions_;
};

class AttributeEditor {
 public:
  // `batch` must outlive the editor.
  explicit AttributeEditor(model::SpanBatch& batch) : batch_(batch) {}

  // Runs `actions` over the attribute slice `*attrs` of the batch. When the list changed,
  // points `*attrs` at a new slice and returns true.
  bool Apply(const AttributeActions& actions, model::Range* attrs);

 private:
  int Find(std::string_view key) const;
  std::string_view Intern(const std::string& s);
  model::AnyValue ValueFromConfig(const ConfigValue& v);
  std::optional<model::AnyValue> Source(const AttributeAction& a);
  void Put(const std::string& key, const model::AnyValue& v);
  void Hash(int index);
  void Convert(int index, model::ValueType to);
  void Extract(const AttributeAction& a);

  model::SpanBatch& batch_;
  std::vector<model::KeyValue> kvs_;
  bool changed_ = false;
  // Config strings and arrays already copied into this batch.
  std::unordered_map<const std::string*, std::string_view> strings_;
  std::unordered_map<const ConfigValue*, model::AnyValue> values_;
};

}  // namespace th::pipeline::processor

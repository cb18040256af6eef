// Attribute lists as a flattened value stream (docs/formats/block.md, "Attributes"):
// AttributeWriter collects the attribute lists of one holder kind (span, event, ...) of a row
// group into columns, routing each value to its key's value group; AttributeReader reads them
// back, holder by holder, into a SpanBatch's key_values / array_values pools.
// AttributeWriter keeps views into the batches it was given, which must outlive Write().
// Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/span_batch.h"
#include "store/block/internal/columns.h"

#include "absl/container/flat_hash_map.h"

namespace th::store::block::internal {

// Maps a dedicated key to its value group (1-based); other keys use group 0.
using DedicatedKeys = absl::flat_hash_map<std::string, uint32_t>;

class AttributeWriter {
 public:
  // `prefix` is the holder kind ("span", ...); `dedicated` may be null (everything in group 0)
  // and must outlive the writer.
  AttributeWriter(std::string prefix, const DedicatedKeys* dedicated, uint32_t group_count);

  // Appends one holder's attribute list `attributes` of `batch`.
  void Add(const model::SpanBatch& batch, model::Range attributes);
  Status Write(RowGroupBuilder* out) const;

 private:
  struct Group {
    std::vector<uint32_t> type, bools, counts;
    std::vector<std::string_view> str, bytes, keys;
    std::vector<int64_t> ints;
    std::string doubles;
  };
  void AddValue(const model::SpanBatch& batch, const model::AnyValue& v, Group* g);

  std::string prefix_;
  const DedicatedKeys* dedicated_;
  std::vector<uint32_t> counts_;
  std::vector<std::string_view> keys_;
  std::vector<Group> groups_;
};

class AttributeReader {
 public:
  // Loads the columns of `prefix` from `columns`. `dedicated` as for the writer (may be null).
  // Errors: DataLoss from the columns.
  Status Load(RowGroupColumns* columns, std::string_view prefix, const DedicatedKeys* dedicated,
              uint32_t group_count, size_t holders);

  // Reads the next holder's attribute list into `batch` (strings copied into its arena) and
  // returns its Range in batch->key_values. Errors: DataLoss when a column runs short, a type is
  // unknown or nesting is too deep. With `batch` null it reads past the holder, building nothing.
  Result<model::Range> Next(model::SpanBatch* batch);
  Status Skip() { return Next(nullptr).status(); }
  // Reads past the next `holders` holders at once: counts each group's values from the key codes
  // and, for groups without nested values, each type's from the type column, instead of walking
  // value by value. Errors: as Next.
  Status Skip(size_t holders);

 private:
  struct Group {
    std::vector<uint32_t> type, bools, counts;
    StrColumn str;
    std::vector<std::string_view> bytes, keys;
    std::vector<int64_t> ints;
    std::string_view doubles;
    size_t type_pos = 0, bool_pos = 0, count_pos = 0, str_pos = 0, bytes_pos = 0, key_pos = 0,
           int_pos = 0, double_pos = 0;
  };
  // Reads one value of group `g`; writes it into *out unless batch is null.
  Status ReadValue(Group* g, model::SpanBatch* batch, model::AnyValue* out, int depth);
  // Reads past the next `values` top-level values of `g`.
  Status SkipValues(Group* g, size_t values);
  Status Short(std::string_view what) const;

  std::string prefix_;
  std::vector<uint32_t> counts_;
  StrColumn keys_;
  // The value group of each key of keys_.dictionary: looked up in the dedicated keys once per
  // distinct key, not once per attribute.
  std::vector<uint32_t> group_of_key_;
  size_t holder_pos_ = 0, key_pos_ = 0;
  std::vector<Group> groups_;
  std::vector<size_t> skip_values_;  // scratch for Skip(holders)
};

}  // namespace th::store::block::internal

namespace th::store::block::internal {

// Deep-copies the attribute list `attributes` of `from` (nested values and strings included)
// into `to`, returning its range there.
model::Range CopyAttributes(const model::SpanBatch& from, model::Range attributes,
                            model::SpanBatch* to);

}  // namespace th::store::block::internal

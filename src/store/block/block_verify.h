// VerifyBlock: a full consistency check of one stored block (docs/formats/block.md), for
// `tracehouse block verify` and tests. Where a reader stops at the first error, verification
// goes on and reports every problem it finds, each with its location (object, row group,
// column, page), so one run shows the whole extent of a corruption.
//
// What is checked: the meta parses and names this block; each object exists and has the size
// the meta gives; every page of data, index and bloom has a valid envelope and checksum and
// decompresses; every row group and the resource/scope tables decode; span, trace and per row
// group counts and time ranges agree with the meta; row groups hold ascending, distinct trace
// ids within their recorded first/last ids; the trace-id index is sorted, complete, and each
// entry points at its trace's spans; the bloom filter contains every trace id.
//
// Reads every byte of the block (row group by row group, so memory stays about one row group).
// Thread-safe: a pure function of the backend's contents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/backend/backend.h"
#include "store/block/block_meta.h"

namespace th::store::block {

struct VerifyProblem {
  std::string object;    // "meta", "data", "index" or "bloom"
  std::string location;  // within the object: "row group 3, column span.name, page 1"; may be ""
  std::string message;   // what is wrong, lower case
};

struct VerifyReport {
  std::string tenant;
  std::string block_id;
  std::optional<BlockMeta> meta;  // when the meta object parsed
  // What was checked, for the summary line.
  uint64_t pages_checked = 0;
  uint64_t row_groups_decoded = 0;
  uint64_t traces_checked = 0;
  uint64_t spans_checked = 0;
  std::vector<VerifyProblem> problems;

  bool ok() const { return problems.empty(); }
};

// "object: location: message" (or "object: message" without a location).
std::string FormatProblem(const VerifyProblem& problem);

// Verifies the block "<tenant>/<block-id>/". A damaged block is not an error: its problems are
// in the report (a missing or unreadable meta among them, as long as some object of the block
// exists). Errors: NotFound when no object of the block exists; InvalidArgument for a tenant or
// block id that is not a valid key segment; the backend's errors other than NotFound and
// OutOfRange (Unavailable, Internal, ...), which leave the block unverified.
Result<VerifyReport> VerifyBlock(backend::Backend* backend, std::string_view tenant,
                                 std::string_view block_id);

}  // namespace th::store::block

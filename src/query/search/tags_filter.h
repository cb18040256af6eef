// TagsFilter: the legacy search of Tempo's `/api/search?tags=…` (logfmt `key=value` pairs, e.g.
// the seed's `tags=service.name%3Dcheckout`), with `minDuration`/`maxDuration`. As on Tempo's
// Parquet blocks, it means the TraceQL spanset filter `{ .k1 = "v1" && .k2 = "v2" }`: one span
// must satisfy every pair, each key looked up unscoped (span attributes, then the resource's),
// values compared exactly with the attribute rendered as text (so `http.status_code=500`
// matches the integer 500). Keys `name` and `status` match the span name and status
// (`ok`, `error`, `unset`) when no attribute has that name.
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "model/span_batch.h"

namespace th::query {

class TagsFilter {
 public:
  // Parses logfmt (`a=b c="d e"`). Errors: InvalidArgument naming the malformed part.
  static Result<TagsFilter> Parse(std::string_view logfmt);

  void set_min_duration_nanos(uint64_t v) { min_duration_nanos_ = v; }
  void set_max_duration_nanos(uint64_t v) { max_duration_nanos_ = v; }
  uint64_t min_duration_nanos() const { return min_duration_nanos_; }
  uint64_t max_duration_nanos() const { return max_duration_nanos_; }

  const std::vector<std::pair<std::string, std::string>>& tags() const { return tags_; }

  // The spans of `trace` that satisfy every tag (all spans when there are no tags).
  std::vector<uint32_t> MatchingSpans(const model::SpanBatch& trace) const;

 private:
  std::vector<std::pair<std::string, std::string>> tags_;
  uint64_t min_duration_nanos_ = 0;
  uint64_t max_duration_nanos_ = UINT64_MAX;
};

// An attribute value as text, as Tempo's search APIs print tag values.
std::string ValueText(const model::SpanBatch& batch, const model::AnyValue& v);

}  // namespace th::query

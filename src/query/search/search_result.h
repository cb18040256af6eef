// The result of a trace search (legacy tags or TraceQL) and its JSON in the shape of Tempo's
// SearchResponse (../shared/reference/tempo.md §b.2), which Grafana's Tempo data source parses.
// Results own their strings: they outlive the scanned batches. Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/span_batch.h"
#include "query/search/trace_summary.h"
#include "store/scan.h"

namespace th::query {

// An attribute shown with a span or spanset: key and its OTLP AnyValue as JSON
// (`{"stringValue":"x"}`, `{"intValue":"500"}`, …).
using ResultAttribute = std::pair<std::string, std::string>;

struct SpanResult {
  model::SpanId id;
  std::string name;
  uint64_t start_unix_nano = 0;
  uint64_t duration_nanos = 0;
  std::vector<ResultAttribute> attributes;
};

struct SpanSetResult {
  std::vector<SpanResult> spans;            // at most `spss`
  uint32_t matched = 0;                     // spans in the spanset before truncation
  std::vector<ResultAttribute> attributes;  // by() groups, aggregate values
};

struct TraceResult {
  TraceSummary summary;
  std::vector<SpanSetResult> span_sets;
};

struct SearchResult {
  std::vector<TraceResult> traces;
  store::ScanStats stats;
};

// Copies span `i` of `batch` into a SpanResult (attributes to be added by the caller).
SpanResult MakeSpanResult(const model::SpanBatch& batch, uint32_t i);

// An AnyValue as OTLP/JSON (`{"stringValue":…}`), for result attributes.
std::string AnyValueJson(const model::SpanBatch& batch, const model::AnyValue& v);

// Hex trace id as Tempo prints it in search results: leading zeros trimmed ("0" for all zero).
std::string TrimmedTraceIdHex(const model::TraceId& id);

// The whole response body.
std::string SearchResultJson(const SearchResult& result);

}  // namespace th::query

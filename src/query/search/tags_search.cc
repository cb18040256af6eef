#include "query/search/tags_search.h"

namespace th::query {
namespace {

// The attributes a tag search shows with a matched span: the tags it matched on.
std::vector<ResultAttribute> MatchedAttributes(const model::SpanBatch& b, uint32_t span,
                                               const TagsFilter& filter) {
  std::vector<ResultAttribute> out;
  const model::Range resource = b.resources[b.scopes[b.spans.scope[span]].resource].attributes;
  for (const auto& [key, value] : filter.tags()) {
    for (model::Range r : {b.spans.attributes[span], resource}) {
      bool found = false;
      for (uint32_t k = r.begin; k < r.end(); ++k) {
        if (b.key_values[k].key == key) {
          out.emplace_back(key, AnyValueJson(b, b.key_values[k].value));
          found = true;
          break;
        }
      }
      if (found) break;
    }
  }
  return out;
}

}  // namespace

Result<SearchResult> SearchByTags(const store::Store& store, const TagsSearchRequest& request) {
  SearchResult result;
  Status st = store.Scan(
      request.scan,
      [&](const model::TraceId& id, const model::SpanBatch& trace) {
        TraceSummary summary = SummarizeTrace(id, trace);
        uint64_t duration = summary.duration_nanos();
        if (duration < request.filter.min_duration_nanos() ||
            duration > request.filter.max_duration_nanos()) {
          return true;
        }
        std::vector<uint32_t> spans = request.filter.MatchingSpans(trace);
        if (spans.empty()) return true;
        TraceResult tr;
        tr.summary = std::move(summary);
        SpanSetResult set;
        set.matched = static_cast<uint32_t>(spans.size());
        for (size_t k = 0; k < spans.size() && k < request.spans_per_span_set; ++k) {
          SpanResult s = MakeSpanResult(trace, spans[k]);
          s.attributes = MatchedAttributes(trace, spans[k], request.filter);
          set.spans.push_back(std::move(s));
        }
        tr.span_sets.push_back(std::move(set));
        result.traces.push_back(std::move(tr));
        return result.traces.size() < request.limit;
      },
      &result.stats);
  RETURN_IF_ERROR(st);
  return result;
}

}  // namespace th::query

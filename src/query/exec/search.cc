#include "query/exec/search.h"

#include <algorithm>

#include "query/exec/exec.h"
#include "query/exec/pushdown.h"
#include "query/search/trace_summary.h"

namespace th::query::exec {

namespace {

constexpr uint32_t kDefaultSpansPerSpanSet = 3;

}  // namespace

Result<SearchResult> SearchTraceQL(const store::Store& store, const traceql::Query& query,
                                   const SearchOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Executor> executor, Executor::Compile(query));
  store::ScanRequest scan = options.scan;
  if (executor->most_recent()) scan.most_recent_first = true;
  scan.predicate = ExtractScanPredicate(query);
  const uint32_t spss =
      options.spans_per_span_set == 0 ? kDefaultSpansPerSpanSet : options.spans_per_span_set;

  SearchResult result;
  EvalState state;
  std::vector<Spanset> spansets;
  Status failure;
  Status st = store.Scan(
      scan,
      [&](const model::TraceId& id, const model::SpanBatch& trace) {
        TraceSummary summary = SummarizeTrace(id, trace);
        uint64_t duration = summary.duration_nanos();
        if (duration < options.min_duration_nanos ||
            (options.max_duration_nanos != 0 && duration > options.max_duration_nanos)) {
          return true;
        }
        failure = executor->Evaluate(trace, &state, &spansets);
        if (!failure.ok()) return false;
        if (spansets.empty()) return true;
        TraceResult tr;
        tr.summary = std::move(summary);
        for (const Spanset& ss : spansets) {
          SpanSetResult set;
          set.matched = static_cast<uint32_t>(ss.spans.size());
          const size_t shown = std::min<size_t>(ss.spans.size(), spss);
          for (size_t k = 0; k < shown; ++k) {
            SpanResult span = MakeSpanResult(trace, ss.spans[k]);
            span.attributes = executor->SpanAttributes(&state, ss.spans[k]);
            set.spans.push_back(std::move(span));
          }
          for (const SpansetAttribute& a : ss.attributes) {
            set.attributes.emplace_back(a.key, ValueJson(a.value));
          }
          tr.span_sets.push_back(std::move(set));
        }
        result.traces.push_back(std::move(tr));
        return options.limit == 0 || result.traces.size() < options.limit;
      },
      &result.stats);
  RETURN_IF_ERROR(failure);
  RETURN_IF_ERROR(st);
  return result;
}

}  // namespace th::query::exec

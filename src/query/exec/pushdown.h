// Push-down: the part of a TraceQL query the store can test without TraceQL (store/scan.h,
// ScanPredicate). Only what is certain is extracted: conditions every matching trace must meet
// on one of its spans. That holds for the comparisons AND-ed at the top of a pipeline's first
// stage when that stage is a single spanset filter `{ … }`, because every later stage (filters,
// aggregates, by, select, coalesce) only keeps or regroups spans that first filter matched, and
// a trace with no such span never reaches them. Extracted: `resource.<attr> = "string"`,
// `name = "…"`, `status = …`, `kind = …`, `duration` compared with a duration, and
// `span.<attr>`, `resource.<attr>` or unscoped `.<attr>` `=` a string, int, float or bool literal
// (store::AttributeEquals; unscoped means span, resource, event, link or instrumentation scope,
// and a block reader lets a span through whenever any of those may hold the value). Anything
// else (OR, negations, other operators, structural operators) is left to the engine.
#pragma once

#include "query/traceql/ast.h"
#include "store/scan.h"

namespace th::query::exec {

// The predicate for `pipeline` (empty when nothing can be pushed down).
store::ScanPredicate ExtractScanPredicate(const traceql::Pipeline& pipeline);

// The predicate for a whole query: its search pipeline, or the pipeline of a metrics query with
// a single leaf; empty otherwise.
store::ScanPredicate ExtractScanPredicate(const traceql::Query& query);

}  // namespace th::query::exec

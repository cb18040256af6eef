// Operations on finished series: the second stages (topk/bottomk per data point, comparison
// filters) and arithmetic between two metric expressions. Pure functions on values.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "query/metrics/metrics.h"
#include "query/traceql/ast.h"

namespace th::query::metrics::internal {

// A stable text key for a label set, for maps and ordering.
std::string LabelsKey(const std::vector<Label>& labels);

// Labels without `__name__`: what arithmetic matches on.
std::vector<Label> MatchLabels(const std::vector<Label>& labels);

// True when the series carries no by() labels (only `__name__`, or nothing).
bool IsUnlabelled(const Series& s);

// topk(n) / bottomk(n) as Tempo (and PromQL) evaluate them: at every interval keep the n
// largest (smallest) non-NaN points, ties broken by labels; other points become NaN. A
// comparison filter turns points that fail it into NaN. Series left without points are dropped.
void ApplySecondStage(const traceql::SecondStage& stage, std::vector<Series>* series);

// The threshold of a filter as a sample value: durations in seconds.
double ThresholdValue(const traceql::Value& v);

// `l op r` on samples: NaN when either is NaN, on division or modulo by zero.
double ApplyArith(traceql::ArithOp op, double l, double r);

// Arithmetic between two sets of series with `intervals` points each. A side holding one
// unlabelled series (or a number, given as a series with empty labels) is broadcast against
// every series of the other; otherwise series are paired by MatchLabels and unpaired ones
// dropped. Result labels come from the labelled side (the left when both are).
std::vector<Series> Combine(traceql::ArithOp op, const std::vector<Series>& lhs,
                            const std::vector<Series>& rhs, size_t intervals);

// Drops series without any non-NaN point (except compare()'s `__meta_error` markers) and
// sorts by LabelsKey.
void Normalize(std::vector<Series>* series);

}  // namespace th::query::metrics::internal

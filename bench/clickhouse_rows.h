// The ClickHouse rows of one span, as TabSeparated lines for the three tables of
// bench/clickhouse_peer.sh (ClickHouse 18.16):
//   * jaeger_spans: (timestamp, traceID, model) as the jaeger-clickhouse plugin writes them,
//     `model` being the plugin's default JSON encoding of Jaeger's model.Span, the OTLP span
//     translated as Jaeger's collector does: attributes to tags, resource to process (tags),
//     events to logs (an "event" field with the name, then the attributes), parent and links to
//     references (CHILD_OF, FOLLOWS_FROM), kind, scope and status to the span.kind,
//     otel.scope.name/version, otel.status_code/description and error tags.
//   * jaeger_index: (timestamp, traceID, service, operation, durationUs, tags.key, tags.value),
//     the plugin's search table; tags are the span's unique key=value pairs of span, process and
//     log tags, sorted.
//   * spans_columnar: one column per span field (trace_id FixedString(16), span and parent ids as
//     UInt64, service, name, kind, start_unix_nano, duration_ns, status) and attributes, resource
//     attributes, events and links as Nested arrays: a column store's own layout.
// Timestamps are UTC; the server must run with timezone UTC.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "model/span_batch.h"

namespace th::bench {

// Appends span `i` of `batch` as one line, without the newline, to each table's text.
// Requires: i < batch.span_count().
void AppendClickHouseRows(const model::SpanBatch& batch, uint32_t i, std::string* jaeger_span,
                          std::string* jaeger_index, std::string* columnar);

}  // namespace th::bench

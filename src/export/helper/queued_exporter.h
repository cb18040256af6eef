// The queued exporter: the Collector's exporterhelper around a Sender (export/helper/sender.h).
// Every exporter that forwards data (otlp, otlphttp, file, debug, jaeger) is one of these plus
// its Sender, so queueing, retries, persistence, shutdown and metrics behave the same everywhere.
// The same machinery (internal/queue_engine.h) carries traces (NewQueuedExporter, SpanBatch) and
// logs (NewQueuedLogsExporter, LogsBatch); below, "items" are spans or log records.
//
// Data flow: ConsumeTraces / ConsumeLogs puts the batch in a bounded queue and returns at once; a pool of
// `sending_queue.num_consumers` workers takes batches off it and calls Sender::Send, retrying
// retryable failures with exponential back-off (retry_on_failure) until max_elapsed_time.
//
// Acknowledgement (`done`), as the Collector answers:
//   queue on               OK once queued (for a persistent queue: once written and fsynced);
//                          Unavailable("sending queue is full") when full, which receivers turn
//                          into the retryable answer; the batch is dropped and counted.
//   queue off, or          the send's outcome: OK, InvalidArgument for a permanent failure,
//   wait_for_result        Unavailable when retries ran out. The send still runs on a worker:
//                          callers never block.
// Failures after queueing are logged and counted (otelcol_exporter_send_failed_spans /
// _log_records): permanent errors at once, retryable ones when retries run out.
//
// Persistent queue (`sending_queue.storage`): batches live as files under
// Host::data_dir/<exporter id>/ for traces and Host::data_dir/<exporter id>/logs/ for logs
// (internal/persistent_queue.h; the files also carry their signal) from acknowledgement until
// sent, and Start() queues the files a previous process left — of its own signal only, so the
// traces exporter of an id never replays the logs of the same id. Delivery is at-least-once.
// Memory holds only the batches being written and sent; the queue bound counts the files.
//
// Shutdown(deadline) refuses new batches, sends what is queued until `deadline`, then stops
// retrying: in-memory batches left are dropped (logged, counted), persisted ones stay on disk.
// An attempt in flight at the deadline ends by its own deadline (the earlier of `timeout` and the
// shutdown deadline, passed to the Sender).
//
// Metrics (label exporter=<id>): otelcol_exporter_sent_spans, otelcol_exporter_send_failed_spans,
// otelcol_exporter_enqueue_failed_spans (counters; for logs otelcol_exporter_sent_log_records,
// _send_failed_log_records, _enqueue_failed_log_records), otelcol_exporter_queue_size and
// otelcol_exporter_queue_capacity (gauges, in `sending_queue.sizer` units; a logs queue's gauges
// carry data_type=logs too, as the Collector's do, so they do not collide with the traces queue
// of the same exporter id).
//
// Thread-safety: as pipeline::Exporter — ConsumeTraces / ConsumeLogs from any thread, Start and
// Shutdown from one.
#pragma once

#include <memory>

#include "common/status.h"
#include "export/helper/sender.h"
#include "export/helper/settings.h"
#include "pipeline/component.h"

namespace th::exporter::helper {

// Builds the exporter; nothing starts before Start(). `create.host` supplies metrics and, for a
// persistent queue, data_dir (ParseHelperSettings has checked it is set).
// Requires: create.host != nullptr, sender != nullptr.
Result<std::unique_ptr<pipeline::Exporter>> NewQueuedExporter(
    const pipeline::CreateSettings& create, const HelperSettings& settings,
    std::unique_ptr<Sender> sender);

// The same for logs: a pipeline::LogsExporter around a LogsSender.
// Requires: create.host != nullptr, sender != nullptr.
Result<std::unique_ptr<pipeline::LogsExporter>> NewQueuedLogsExporter(
    const pipeline::CreateSettings& create, const HelperSettings& settings,
    std::unique_ptr<LogsSender> sender);

}  // namespace th::exporter::helper

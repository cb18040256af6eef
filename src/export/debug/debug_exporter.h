// The `debug` exporter (and `logging`, the Collector's removed name for it, kept as a migration
// alias): writes what reaches it, as the Collector's debug exporter does —
//
//   verbosity: basic      one line per batch: "Traces" with resource spans and spans counts
//   verbosity: normal     the summary plus one line per span (trace id, span id, name, attrs)
//   verbosity: detailed   every field of every resource, scope, span, event and link
//   sampling_initial: 2, sampling_thereafter: 1   per second, the first N batches are written,
//                                                 then every Mth (1: all of them)
//   use_internal_logger: true   write to stderr next to the process log; false writes to
//                               output_paths (stdout or stderr)
//
// Logs pipelines get the same verbosities: basic is one line "Logs" with resource_logs and
// log_records counts; normal adds one line per log record (body, severity, trace id, attributes);
// detailed prints every field (the batch is parsed with libprotobuf).
//
// Runs on the shared queued exporter with the queue off (the Collector's default for debug), so
// `done` reports after the batch is written; `sending_queue` can turn a queue on.
// Thread-safety: as pipeline::Exporter; each batch's text is written with one write(2).
#pragma once

#include <functional>
#include <string_view>

#include "pipeline/component.h"

namespace th::exporter::debug {

// Factory for the types `debug` and `logging`. `sink` receives each batch's text (tests);
// null writes to stderr or stdout as configured.
pipeline::ExporterFactory MakeDebugExporterFactory(
    std::function<void(std::string_view)> sink = nullptr);

// The same for `logs` pipelines (register under `debug` and `logging` too).
pipeline::LogsExporterFactory MakeDebugLogsExporterFactory(
    std::function<void(std::string_view)> sink = nullptr);

}  // namespace th::exporter::debug

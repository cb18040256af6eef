// The `file` exporter: appends every batch to a local file, as the Collector-contrib file
// exporter does —
//
//   path: /var/log/traces.jsonl          required
//   format: json                         json (default) | proto
//   compression: zstd                    optional, per message
//   rotation: {max_megabytes: 100, max_days: 0, max_backups: 100, localtime: false}
//                                        on only when the key is present; the file is renamed
//                                        <name>-<YYYY-MM-DDTHH-MM-SS.mmm><ext> when it would pass
//                                        max_megabytes, and old backups are pruned
//   flush_interval: 1s                   buffered bytes reach the file at least this often
//   append: false                        false truncates an existing file at start (rotation
//                                        always appends)
//
// Framing: JSON without compression is one OTLP/JSON ExportTraceServiceRequest (for logs
// pipelines ExportLogsServiceRequest, hex ids) per line. Proto, or anything compressed, is a
// 4-byte big-endian length followed by the (compressed) message.
//
// Traces and logs use the same config keys. An id used by a traces and a logs pipeline gets one
// exporter per signal (as in the Collector), each writing its own file: give them different
// `path`s (two writers on one path would interleave and rotate each other's file).
//
// Runs on the shared queued exporter with the queue off and one worker (order is kept), so
// `done` reports once the batch is in the write buffer; `sending_queue` can turn a queue on.
// Write errors (a full disk) are retryable.
// Thread-safety: as pipeline::Exporter.
#pragma once

#include "pipeline/component.h"

namespace th::exporter::file {

// Factory for the type `file`.
pipeline::ExporterFactory MakeFileExporterFactory();

// The same for `logs` pipelines.
pipeline::LogsExporterFactory MakeFileLogsExporterFactory();

}  // namespace th::exporter::file

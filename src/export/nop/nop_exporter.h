// The `nop` exporter, as the Collector's: accepts every batch and drops it. For benchmarks (a
// sink that costs nothing) and for pipelines whose only purpose is a processor's side effect.
// Counts what it "sends" (otelcol_exporter_sent_spans / otelcol_exporter_sent_log_records).
#pragma once

#include "pipeline/component.h"

namespace th::exporter {

pipeline::ExporterFactory MakeNopExporterFactory();

// The same for `logs` pipelines.
pipeline::LogsExporterFactory MakeNopLogsExporterFactory();

}  // namespace th::exporter

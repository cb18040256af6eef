// The `nop` exporter, as the Collector's: accepts every batch and drops it. For benchmarks (a
// sink that costs nothing) and for pipelines whose only purpose is a processor's side effect.
#pragma once

#include "pipeline/component.h"

namespace th::exporter {

pipeline::ExporterFactory MakeNopExporterFactory();

}  // namespace th::exporter

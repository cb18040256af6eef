// `tracehouse collector --config FILE`: the pipeline alone — receivers, processors, exporters and
// extensions from an OpenTelemetry Collector config — without a store or query API (an agent or
// a gateway in front of another backend). /metrics (the Collector's own metric names) is served
// on service.telemetry.metrics.address (default 0.0.0.0:8888). Runs until SIGTERM/SIGINT, then
// stops receivers first and drains exporters' queues for up to --shutdown-grace seconds.
//
// `tracehouse validate --config FILE [--collector]`: builds the whole graph without starting
// anything and reports the first problem with FILE:LINE:COL and the key (exit 1), or prints a
// summary (exit 0). Checks a `serve` config unless --collector.
#pragma once

#include <string>
#include <vector>

namespace th::app {

int RunCollector(const std::vector<std::string>& args);
int RunValidate(const std::vector<std::string>& args);

}  // namespace th::app

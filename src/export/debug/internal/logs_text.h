// The debug exporter's text for a logs batch (ExportLogsServiceRequest bytes, parsed with
// libprotobuf), in the Collector's debug exporter layout: counts for `basic`, one line per log
// record for `normal`, every field for `detailed`. Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace th::exporter::debug::internal {

enum class LogsDetail { kCounts, kPerRecord, kEverything };

struct LogsText {
  uint64_t resource_logs = 0;
  uint64_t log_records = 0;
  std::string text;  // empty for kCounts; otherwise newline-terminated lines
};

// Errors: InvalidArgument when `otlp` is not an ExportLogsServiceRequest.
Result<LogsText> RenderLogs(std::string_view otlp, LogsDetail detail);

// "2023-11-14 22:13:20.000000500 +0000 UTC", as Go prints a time.Time.
std::string Timestamp(uint64_t unix_nano);

}  // namespace th::exporter::debug::internal

// The WAL's series in the process-wide metrics registry (names in docs/formats/wal.md), looked
// up once. Shared by every Wal in the process. Thread-safe.
#pragma once

#include "common/metrics.h"

namespace th::store::wal::internal {

struct WalMetrics {
  metrics::Counter* bytes_written;
  metrics::Counter* records_written;
  metrics::Counter* fsyncs;
  metrics::Histogram* fsync_seconds;
  metrics::Histogram* group_commit_records;
  metrics::Gauge* segments;
  metrics::Counter* replay_corruptions;

  static const WalMetrics& Get();
};

}  // namespace th::store::wal::internal

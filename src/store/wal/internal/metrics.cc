#include "store/wal/internal/metrics.h"

namespace th::store::wal::internal {
namespace {

WalMetrics Lookup() {
  metrics::Registry& r = metrics::Registry::Default();
  WalMetrics m;
  m.bytes_written = r.GetCounter("tracehouse_wal_bytes_written_total",
                                 "Bytes written to WAL segments, headers included.");
  m.records_written = r.GetCounter("tracehouse_wal_records_written_total",
                                   "WAL records committed (written and synced).");
  m.fsyncs = r.GetCounter("tracehouse_wal_fsyncs_total",
                          "fdatasync/fsync calls on WAL segments and the WAL directory.");
  m.fsync_seconds =
      r.GetHistogram("tracehouse_wal_fsync_duration_seconds",
                     "Duration of WAL fdatasync/fsync calls.", metrics::LatencyBuckets());
  m.group_commit_records =
      r.GetHistogram("tracehouse_wal_group_commit_records", "Records per WAL group commit.",
                     {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096});
  m.segments = r.GetGauge("tracehouse_wal_segments", "WAL segment files in the WAL directory.");
  m.replay_corruptions =
      r.GetCounter("tracehouse_wal_replay_corruptions_total",
                   "WAL segments whose replay ended early at a torn or corrupt record.");
  return m;
}

}  // namespace

const WalMetrics& WalMetrics::Get() {
  static const WalMetrics metrics = Lookup();
  return metrics;
}

}  // namespace th::store::wal::internal

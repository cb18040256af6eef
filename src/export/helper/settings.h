// Settings every queued exporter shares, as the Collector's exporterhelper has them: `timeout`,
// `sending_queue` and `retry_on_failure`, with the Collector's defaults and key names. An exporter
// reads its own keys and hands the whole section to ParseHelperSettings for these three:
//
//   helper::HelperSettings helper;                      // or start from other defaults
//   RETURN_IF_ERROR(config.CheckKeys(helper::WithHelperKeys({"endpoint", "headers"})));
//   RETURN_IF_ERROR(helper::ParseHelperSettings(config, host.data_dir, &helper));
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/node.h"
#include "common/status.h"

namespace th::exporter::helper {

// What `sending_queue.queue_size` counts (the Collector's `sizer`).
enum class QueueSizer {
  kRequests,  // batches (the default)
  kItems,     // spans or log records
  kBytes,     // encoded OTLP bytes (persistent queue, logs) or in-memory size of the batch
};

struct QueueSettings {
  // Off: every batch is still sent on a worker (callers never block), and `done` reports the
  // outcome of the send instead of "queued".
  bool enabled = true;
  int num_consumers = 10;
  int64_t queue_size = 1000;
  QueueSizer sizer = QueueSizer::kRequests;
  // `done` reports the send outcome even with the queue on.
  bool wait_for_result = false;
  // Non-empty: a persistent queue. The value names the storage (the Collector names a
  // `file_storage` extension); batches are kept under Host::data_dir/<exporter id>/.
  std::string storage;
};

struct RetrySettings {
  bool enabled = true;
  std::chrono::nanoseconds initial_interval = std::chrono::seconds(5);
  double randomization_factor = 0.5;
  double multiplier = 1.5;
  std::chrono::nanoseconds max_interval = std::chrono::seconds(30);
  // 0: retry forever.
  std::chrono::nanoseconds max_elapsed_time = std::chrono::seconds(300);
};

struct HelperSettings {
  // Per attempt.
  std::chrono::nanoseconds timeout = std::chrono::seconds(5);
  QueueSettings queue;
  RetrySettings retry;
};

// The keys ParseHelperSettings reads.
inline constexpr std::string_view kHelperKeys[] = {"timeout", "sending_queue", "retry_on_failure"};

// `own` plus kHelperKeys, for Node::CheckKeys.
std::vector<std::string> WithHelperKeys(std::initializer_list<std::string_view> own);

// Reads `timeout`, `sending_queue` and `retry_on_failure` from the exporter's section `config`
// into *settings, keeping the values already there for absent keys. Other keys are the caller's.
// Errors (InvalidArgument, "FILE:LINE:COL: key: …"): unknown keys inside the two sections, bad
// types, out-of-range values, `sending_queue.storage` when `data_dir` is empty, and the
// Collector options we cannot honour (`block_on_overflow: true` would block the caller,
// `batch` belongs in the batch processor).
Status ParseHelperSettings(const config::Node& config, const std::string& data_dir,
                           HelperSettings* settings);

std::string_view QueueSizerName(QueueSizer sizer);

}  // namespace th::exporter::helper

#include "export/helper/settings.h"

#include "common/strings.h"

namespace th::exporter::helper {

std::vector<std::string> WithHelperKeys(std::initializer_list<std::string_view> own) {
  std::vector<std::string> keys(own.begin(), own.end());
  for (std::string_view k : kHelperKeys) keys.emplace_back(k);
  return keys;
}

std::string_view QueueSizerName(QueueSizer sizer) {
  switch (sizer) {
    case QueueSizer::kRequests:
      return "requests";
    case QueueSizer::kItems:
      return "items";
    case QueueSizer::kBytes:
      return "bytes";
  }
  return "requests";
}

namespace {

Status ParseQueue(const config::Node& q, const std::string& data_dir, QueueSettings* out) {
  RETURN_IF_ERROR(q.CheckKeys({"enabled", "num_consumers", "queue_size", "sizer", "storage",
                               "wait_for_result", "block_on_overflow", "blocking", "batch"}));
  RETURN_IF_ERROR(q.GetBool("enabled", &out->enabled));
  int64_t consumers = out->num_consumers;
  RETURN_IF_ERROR(q.GetInt("num_consumers", &consumers));
  if (consumers < 1 || consumers > 1024) {
    return q["num_consumers"].Error("must be between 1 and 1024");
  }
  out->num_consumers = static_cast<int>(consumers);
  RETURN_IF_ERROR(q.GetInt("queue_size", &out->queue_size));
  if (out->enabled && out->queue_size <= 0) {
    return q["queue_size"].Error("must be greater than 0 when the queue is enabled");
  }
  std::string sizer(QueueSizerName(out->sizer));
  RETURN_IF_ERROR(q.GetString("sizer", &sizer));
  if (sizer == "requests") {
    out->sizer = QueueSizer::kRequests;
  } else if (sizer == "items") {
    out->sizer = QueueSizer::kItems;
  } else if (sizer == "bytes") {
    out->sizer = QueueSizer::kBytes;
  } else {
    return q["sizer"].Error(
        th::StrCat("unknown sizer \"", sizer, "\" (known: requests, items, bytes)"));
  }
  RETURN_IF_ERROR(q.GetBool("wait_for_result", &out->wait_for_result));
  for (std::string_view key : {"block_on_overflow", "blocking"}) {
    bool blocking = false;
    RETURN_IF_ERROR(q.GetBool(key, &blocking));
    if (blocking) {
      return q[key].Error(
          "not supported: exporters never block their caller; a full queue answers "
          "\"retry later\" upstream");
    }
  }
  if (q["batch"].IsPresent()) {
    return q["batch"].Error("not supported: put a batch processor in the pipeline instead");
  }
  RETURN_IF_ERROR(q.GetString("storage", &out->storage));
  if (!out->storage.empty() && data_dir.empty()) {
    return q["storage"].Error(
        "a persistent queue needs a data directory, and this process has none configured");
  }
  if (!out->storage.empty() && !out->enabled) {
    return q["storage"].Error("a persistent queue needs sending_queue.enabled: true");
  }
  return absl::OkStatus();
}

Status ParseRetry(const config::Node& r, RetrySettings* out) {
  RETURN_IF_ERROR(r.CheckKeys({"enabled", "initial_interval", "randomization_factor",
                               "multiplier", "max_interval", "max_elapsed_time"}));
  RETURN_IF_ERROR(r.GetBool("enabled", &out->enabled));
  RETURN_IF_ERROR(r.GetDuration("initial_interval", &out->initial_interval));
  RETURN_IF_ERROR(r.GetDouble("randomization_factor", &out->randomization_factor));
  RETURN_IF_ERROR(r.GetDouble("multiplier", &out->multiplier));
  RETURN_IF_ERROR(r.GetDuration("max_interval", &out->max_interval));
  RETURN_IF_ERROR(r.GetDuration("max_elapsed_time", &out->max_elapsed_time));
  if (!out->enabled) return absl::OkStatus();
  if (out->initial_interval.count() <= 0) {
    return r["initial_interval"].Error("must be greater than 0");
  }
  if (out->max_interval < out->initial_interval) {
    return r["max_interval"].Error("must not be less than initial_interval");
  }
  if (out->randomization_factor < 0 || out->randomization_factor > 1) {
    return r["randomization_factor"].Error("must be between 0 and 1");
  }
  if (out->multiplier < 1) return r["multiplier"].Error("must be at least 1");
  return absl::OkStatus();
}

}  // namespace

Status ParseHelperSettings(const config::Node& config, const std::string& data_dir,
                           HelperSettings* settings) {
  RETURN_IF_ERROR(config.GetDuration("timeout", &settings->timeout));
  if (config["timeout"].IsPresent() && !config["timeout"].IsNull() &&
      settings->timeout.count() == 0) {
    return config["timeout"].Error("must be greater than 0");
  }
  config::Node queue = config["sending_queue"];
  if (queue.IsPresent()) RETURN_IF_ERROR(ParseQueue(queue, data_dir, &settings->queue));
  config::Node retry = config["retry_on_failure"];
  if (retry.IsPresent()) RETURN_IF_ERROR(ParseRetry(retry, &settings->retry));
  return absl::OkStatus();
}

}  // namespace th::exporter::helper

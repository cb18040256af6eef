#include "export/jaeger/internal/exporter_config.h"

#include "common/config/node.h"
#include "common/strings.h"

namespace th::exporter::jaeger {
namespace {

Status ParseTls(const config::Node& n, TlsSettings* tls) {
  RETURN_IF_ERROR(n.CheckKeys({"insecure", "insecure_skip_verify", "ca_file", "cert_file",
                               "key_file", "server_name_override"}));
  RETURN_IF_ERROR(n.GetBool("insecure", &tls->insecure));
  RETURN_IF_ERROR(n.GetBool("insecure_skip_verify", &tls->insecure_skip_verify));
  RETURN_IF_ERROR(n.GetString("ca_file", &tls->ca_file));
  RETURN_IF_ERROR(n.GetString("cert_file", &tls->cert_file));
  RETURN_IF_ERROR(n.GetString("key_file", &tls->key_file));
  RETURN_IF_ERROR(n.GetString("server_name_override", &tls->server_name_override));
  if (tls->cert_file.empty() != tls->key_file.empty()) {
    return n.Error("cert_file and key_file must be set together");
  }
  return absl::OkStatus();
}

Status ParseQueue(const config::Node& n, QueueSettings* q) {
  RETURN_IF_ERROR(n.CheckKeys({"enabled", "num_consumers", "queue_size"}));
  RETURN_IF_ERROR(n.GetBool("enabled", &q->enabled));
  int64_t v = q->num_consumers;
  RETURN_IF_ERROR(n.GetInt("num_consumers", &v));
  if (v < 1 || v > 256) return n["num_consumers"].Error("must be between 1 and 256");
  q->num_consumers = static_cast<int>(v);
  v = q->queue_size;
  RETURN_IF_ERROR(n.GetInt("queue_size", &v));
  if (q->enabled && (v < 1 || v > 1000000)) {
    return n["queue_size"].Error("must be between 1 and 1000000 when the queue is enabled");
  }
  q->queue_size = static_cast<int>(v);
  return absl::OkStatus();
}

Status ParseRetry(const config::Node& n, RetrySettings* r) {
  RETURN_IF_ERROR(n.CheckKeys({"enabled", "initial_interval", "max_interval", "max_elapsed_time",
                               "multiplier", "randomization_factor"}));
  RETURN_IF_ERROR(n.GetBool("enabled", &r->enabled));
  RETURN_IF_ERROR(n.GetDuration("initial_interval", &r->initial_interval));
  RETURN_IF_ERROR(n.GetDuration("max_interval", &r->max_interval));
  RETURN_IF_ERROR(n.GetDuration("max_elapsed_time", &r->max_elapsed_time));
  RETURN_IF_ERROR(n.GetDouble("multiplier", &r->multiplier));
  RETURN_IF_ERROR(n.GetDouble("randomization_factor", &r->randomization_factor));
  if (r->enabled) {
    if (r->initial_interval.count() <= 0) return n["initial_interval"].Error("must be positive");
    if (r->max_interval < r->initial_interval) {
      return n["max_interval"].Error("must not be less than initial_interval");
    }
    if (r->multiplier < 1) return n["multiplier"].Error("must be at least 1");
    if (r->randomization_factor < 0 || r->randomization_factor > 1) {
      return n["randomization_factor"].Error("must be between 0 and 1");
    }
  }
  return absl::OkStatus();
}

}  // namespace

Result<ExporterConfig> ParseExporterConfig(const config::Node& node) {
  ExporterConfig c;
  RETURN_IF_ERROR(node.CheckKeys({"endpoint", "tls", "headers", "compression", "timeout",
                                  "sending_queue", "retry_on_failure", "balancer_name",
                                  "keepalive", "wait_for_ready", "write_buffer_size",
                                  "read_buffer_size"}));
  RETURN_IF_ERROR(node.GetString("endpoint", &c.endpoint));
  if (c.endpoint.empty()) {
    return (node["endpoint"].IsPresent() ? node["endpoint"] : node)
        .Error("endpoint is required (host:port of a Jaeger collector's gRPC port, e.g. "
               "jaeger-collector:14250)");
  }
  bool https = false;
  if (c.endpoint.rfind("https://", 0) == 0) {
    https = true;
    c.endpoint = c.endpoint.substr(8);
  } else if (c.endpoint.rfind("http://", 0) == 0) {
    c.endpoint = c.endpoint.substr(7);
  }
  size_t colon = c.endpoint.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == c.endpoint.size()) {
    return node["endpoint"].Error(th::StrCat("endpoint \"", c.endpoint, "\" must be host:port"));
  }
  if (node["tls"].IsPresent()) RETURN_IF_ERROR(ParseTls(node["tls"], &c.tls));
  if (https && c.tls.insecure) {
    return node["tls"]["insecure"].Error("an https:// endpoint cannot be insecure");
  }
  RETURN_IF_ERROR(node.GetStringMap("headers", &c.headers));
  std::string compression = "none";
  RETURN_IF_ERROR(node.GetString("compression", &compression));
  if (compression == "gzip") {
    c.gzip = true;
  } else if (compression != "none" && !compression.empty()) {
    return node["compression"].Error(
        th::StrCat("unsupported compression \"", compression, "\" (supported: gzip, none)"));
  }
  RETURN_IF_ERROR(node.GetDuration("timeout", &c.timeout));
  if (c.timeout.count() == 0) c.timeout = std::chrono::seconds(5);
  if (node["sending_queue"].IsPresent()) {
    RETURN_IF_ERROR(ParseQueue(node["sending_queue"], &c.queue));
  }
  if (node["retry_on_failure"].IsPresent()) {
    RETURN_IF_ERROR(ParseRetry(node["retry_on_failure"], &c.retry));
  }
  return c;
}

}  // namespace th::exporter::jaeger

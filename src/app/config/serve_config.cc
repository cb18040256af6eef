// Tracehouse's own sections of a serve config (server, storage), read through config::Node, which
// turns every problem into "FILE:LINE:COL: key: what".
#include "app/config/serve_config.h"

#include <chrono>

#include "common/config/node.h"
#include "common/strings.h"

namespace th::app {
namespace {

using config::Node;

// Reads a duration into any std::chrono duration type.
template <typename D>
Status GetDuration(const Node& n, std::string_view key, D* out) {
  std::chrono::nanoseconds d = std::chrono::duration_cast<std::chrono::nanoseconds>(*out);
  RETURN_IF_ERROR(n.GetDuration(key, &d));
  *out = std::chrono::duration_cast<D>(d);
  return absl::OkStatus();
}

Status ReadServer(const Node& n, ServeConfig* c) {
  RETURN_IF_ERROR(n.CheckKeys({"http_listen_address"}));
  return n.GetString("http_listen_address", &c->http_listen_address);
}

Status ReadS3(const Node& n, ServeConfig* c) {
  RETURN_IF_ERROR(n.CheckKeys({"endpoint", "bucket", "region", "access_key", "secret_key",
                               "prefix", "forcepathstyle", "insecure", "part_size_mib"}));
  store::backend::s3::S3Options& s3 = c->s3;
  std::string endpoint;
  bool insecure = false;
  RETURN_IF_ERROR(n.GetString("endpoint", &endpoint));
  RETURN_IF_ERROR(n.GetBool("insecure", &insecure));
  if (!endpoint.empty() && endpoint.find("://") == std::string::npos) {
    endpoint = th::StrCat(insecure ? "http://" : "https://", endpoint);
  }
  s3.endpoint = endpoint;
  RETURN_IF_ERROR(n.GetString("bucket", &s3.bucket));
  RETURN_IF_ERROR(n.GetString("region", &s3.region));
  RETURN_IF_ERROR(n.GetString("access_key", &s3.access_key));
  RETURN_IF_ERROR(n.GetString("secret_key", &s3.secret_key));
  RETURN_IF_ERROR(n.GetString("prefix", &s3.prefix));
  RETURN_IF_ERROR(n.GetBool("forcepathstyle", &s3.path_style));
  uint64_t part_mib = s3.part_size >> 20;
  RETURN_IF_ERROR(n.GetUint("part_size_mib", &part_mib));
  s3.part_size = part_mib << 20;
  Status valid = s3.Validate();
  if (!valid.ok()) return n.Error(th::Message(valid));
  return absl::OkStatus();
}

Status ReadBlock(const Node& n, ServeConfig* c) {
  RETURN_IF_ERROR(n.CheckKeys({"max_block_bytes_mib", "max_block_duration", "row_group_spans"}));
  uint64_t mib = c->max_block_bytes >> 20, rows = c->row_group_spans;
  RETURN_IF_ERROR(n.GetUint("max_block_bytes_mib", &mib));
  RETURN_IF_ERROR(GetDuration(n, "max_block_duration", &c->max_block_duration));
  RETURN_IF_ERROR(n.GetUint("row_group_spans", &rows));
  if (mib == 0) return n["max_block_bytes_mib"].Error("max_block_bytes_mib must be positive");
  if (rows == 0 || rows > 65536) return n["row_group_spans"].Error("must be 1 to 65536");
  if (c->max_block_duration.count() == 0) {
    return n["max_block_duration"].Error("must be positive");
  }
  c->max_block_bytes = mib << 20;
  c->row_group_spans = static_cast<uint32_t>(rows);
  return absl::OkStatus();
}

Status ReadCompaction(const Node& n, ServeConfig* c) {
  RETURN_IF_ERROR(n.CheckKeys({"compaction_cycle", "compaction_window", "max_block_spans",
                               "max_inputs", "cpu_budget", "zstd_level", "block_retention",
                               "compacted_block_retention"}));
  store::CompactorOptions& o = c->compaction;
  uint64_t spans = o.max_output_spans, inputs = o.max_inputs;
  uint64_t zstd_level = static_cast<uint64_t>(o.zstd_level);
  RETURN_IF_ERROR(GetDuration(n, "compaction_cycle", &o.interval));
  RETURN_IF_ERROR(GetDuration(n, "compaction_window", &o.window));
  RETURN_IF_ERROR(n.GetUint("max_block_spans", &spans));
  RETURN_IF_ERROR(n.GetUint("max_inputs", &inputs));
  RETURN_IF_ERROR(n.GetDouble("cpu_budget", &o.cpu_budget));
  RETURN_IF_ERROR(n.GetUint("zstd_level", &zstd_level));
  if (zstd_level < 1 || zstd_level > 19) return n["zstd_level"].Error("must be 1 to 19");
  o.zstd_level = static_cast<int>(zstd_level);
  RETURN_IF_ERROR(GetDuration(n, "block_retention", &o.retention));
  RETURN_IF_ERROR(GetDuration(n, "compacted_block_retention", &c->compacted_block_retention));
  if (o.interval.count() == 0) return n["compaction_cycle"].Error("must be positive");
  if (o.window.count() == 0) return n["compaction_window"].Error("must be positive");
  if (inputs < 2 || inputs > 64) return n["max_inputs"].Error("must be 2 to 64");
  if (!(o.cpu_budget > 0 && o.cpu_budget <= 1)) return n["cpu_budget"].Error("must be in (0, 1]");
  o.max_output_spans = spans;
  o.max_inputs = static_cast<uint32_t>(inputs);
  return absl::OkStatus();
}

Status ReadOverrides(const Node& n, ServeConfig* c) {
  if (!n.IsMap()) return n.Error("expected a mapping of tenants");
  for (const auto& [tenant, settings] : n.Entries()) {
    RETURN_IF_ERROR(settings.CheckKeys({"block_retention"}));
    std::chrono::seconds retention{0};
    RETURN_IF_ERROR(GetDuration(settings, "block_retention", &retention));
    c->compaction.tenant_retention[tenant] = retention;
  }
  return absl::OkStatus();
}

Status ReadWal(const Node& n, ServeConfig* c) {
  RETURN_IF_ERROR(n.CheckKeys({"segment_size_mib", "max_pending_mib"}));
  uint64_t segment_mib = c->wal_segment_bytes >> 20, pending_mib = c->wal_max_pending_bytes >> 20;
  RETURN_IF_ERROR(n.GetUint("segment_size_mib", &segment_mib));
  RETURN_IF_ERROR(n.GetUint("max_pending_mib", &pending_mib));
  if (segment_mib == 0 || segment_mib > 4096) {
    return n["segment_size_mib"].Error("must be 1 to 4096");
  }
  if (pending_mib == 0) return n["max_pending_mib"].Error("must be positive");
  c->wal_segment_bytes = segment_mib << 20;
  c->wal_max_pending_bytes = pending_mib << 20;
  return absl::OkStatus();
}

Status ReadCache(const Node& n, ServeConfig* c) {
  RETURN_IF_ERROR(n.CheckKeys({"page_cache_mib", "column_cache_mib"}));
  uint64_t page_mib = c->page_cache_bytes >> 20, column_mib = c->column_cache_bytes >> 20;
  RETURN_IF_ERROR(n.GetUint("page_cache_mib", &page_mib));
  RETURN_IF_ERROR(n.GetUint("column_cache_mib", &column_mib));
  // 0 is allowed (nothing cached); past 1 TiB is surely a unit mistake.
  constexpr uint64_t kMaxMib = 1ull << 20;
  if (page_mib > kMaxMib) return n["page_cache_mib"].Error("must be at most 1048576 (1 TiB)");
  if (column_mib > kMaxMib) return n["column_cache_mib"].Error("must be at most 1048576 (1 TiB)");
  c->page_cache_bytes = page_mib << 20;
  c->column_cache_bytes = column_mib << 20;
  return absl::OkStatus();
}

Status ReadStorage(const Node& n, ServeConfig* c) {
  RETURN_IF_ERROR(
      n.CheckKeys({"path", "wal", "backend", "s3", "block", "compaction", "overrides", "cache"}));
  RETURN_IF_ERROR(n.GetString("path", &c->data_dir));
  RETURN_IF_ERROR(n.GetString("backend", &c->backend));
  if (c->backend != "local" && c->backend != "s3") {
    return n["backend"].Error("unknown backend (known: local, s3)");
  }
  if (c->backend == "s3" && !n["s3"].IsPresent()) {
    return n["backend"].Error("backend s3 needs a storage.s3 section");
  }
  if (n["s3"].IsPresent()) RETURN_IF_ERROR(ReadS3(n["s3"], c));
  if (n["block"].IsPresent()) RETURN_IF_ERROR(ReadBlock(n["block"], c));
  if (n["compaction"].IsPresent()) RETURN_IF_ERROR(ReadCompaction(n["compaction"], c));
  if (n["overrides"].IsPresent()) RETURN_IF_ERROR(ReadOverrides(n["overrides"], c));
  if (n["wal"].IsPresent()) RETURN_IF_ERROR(ReadWal(n["wal"], c));
  if (n["cache"].IsPresent()) RETURN_IF_ERROR(ReadCache(n["cache"], c));
  return absl::OkStatus();
}

}  // namespace

Result<ServeConfig> ReadServeConfig(const config::Node& root) {
  ServeConfig config;
  if (root.IsNull()) return config;  // an empty file: all defaults
  // The Collector's sections are read and checked by pipeline::Service.
  RETURN_IF_ERROR(root.CheckKeys({"server", "storage", "receivers", "processors", "exporters",
                                  "extensions", "connectors", "service"}));
  if (root["server"].IsPresent()) RETURN_IF_ERROR(ReadServer(root["server"], &config));
  if (root["storage"].IsPresent()) RETURN_IF_ERROR(ReadStorage(root["storage"], &config));
  return config;
}

Result<ServeConfig> ParseServeConfig(std::string_view text, const std::string& name) {
  ASSIGN_OR_RETURN(config::Node root, config::Node::Parse(text, name));
  return ReadServeConfig(root);
}

Result<ServeConfig> LoadServeConfig(const std::string& path) {
  ASSIGN_OR_RETURN(config::Node root, config::Node::Load(path));
  return ReadServeConfig(root);
}

}  // namespace th::app

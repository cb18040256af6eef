// yaml-cpp reports errors by throwing; every call into it is wrapped here and turned into a
// Status that points at the file, line and column (STYLE.md §5).
#include "app/config/serve_config.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "common/config/env_expand.h"
#include "common/strings.h"

#include "absl/time/time.h"

#include <yaml-cpp/yaml.h>

namespace th::app {
using config::ExpandEnv;
namespace {

class ConfigReader {
 public:
  explicit ConfigReader(std::string name) : name_(std::move(name)) {}

  Status Error(const YAML::Node& at, std::string_view key, std::string_view message) const {
    YAML::Mark m = at.Mark();
    return absl::InvalidArgumentError(
        th::StrCat(name_, ":", m.line + 1, ":", m.column + 1, ": ", key, ": ", message));
  }

  // Fails on the first key of `map` that is not in `known`.
  Status CheckKeys(const YAML::Node& map, std::string_view path,
                   std::initializer_list<std::string_view> known) const {
    if (!map.IsMap()) return Error(map, path, "expected a mapping");
    for (const auto& kv : map) {
      std::string key = kv.first.Scalar();
      bool ok = false;
      for (std::string_view k : known) ok = ok || k == key;
      if (!ok) {
        std::string list;
        for (std::string_view k : known) th::StrAppend(&list, list.empty() ? "" : ", ", k);
        return Error(kv.first, Join(path, key), th::StrCat("unknown key (known: ", list, ")"));
      }
    }
    return absl::OkStatus();
  }

  Status String(const YAML::Node& map, std::string_view path, const char* key,
                std::string* out) const {
    YAML::Node n = map[key];
    if (!n) return absl::OkStatus();
    if (!n.IsScalar()) return Error(n, Join(path, key), "expected a string");
    *out = n.Scalar();
    return absl::OkStatus();
  }

  Status Uint(const YAML::Node& map, std::string_view path, const char* key, uint64_t* out) const {
    YAML::Node n = map[key];
    if (!n) return absl::OkStatus();
    uint64_t v = 0;
    bool ok = n.IsScalar();
    if (ok) {
      const std::string& s = n.Scalar();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      ok = ec == std::errc() && p == s.data() + s.size();
    }
    if (!ok) return Error(n, Join(path, key), "expected a non-negative integer");
    *out = v;
    return absl::OkStatus();
  }

  // A Go-style duration ("5m", "336h", "1.5s") into *out.
  template <typename D>
  Status Duration(const YAML::Node& map, std::string_view path, const char* key, D* out) const {
    YAML::Node n = map[key];
    if (!n) return absl::OkStatus();
    absl::Duration d;
    if (!n.IsScalar() || !absl::ParseDuration(n.Scalar(), &d) || d < absl::ZeroDuration()) {
      return Error(n, Join(path, key), "expected a duration such as 30s, 5m or 336h");
    }
    *out = std::chrono::duration_cast<D>(absl::ToChronoNanoseconds(d));
    return absl::OkStatus();
  }
  Status Bool(const YAML::Node& map, std::string_view path, const char* key, bool* out) const {
    YAML::Node n = map[key];
    if (!n) return absl::OkStatus();
    const std::string& s = n.IsScalar() ? n.Scalar() : std::string();
    if (s == "true") {
      *out = true;
    } else if (s == "false") {
      *out = false;
    } else {
      return Error(n, Join(path, key), "expected true or false");
    }
    return absl::OkStatus();
  }
  Status Double(const YAML::Node& map, std::string_view path, const char* key, double* out) const {
    YAML::Node n = map[key];
    if (!n) return absl::OkStatus();
    char* end = nullptr;
    std::string s = n.IsScalar() ? n.Scalar() : std::string();
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return Error(n, Join(path, key), "expected a number");
    *out = v;
    return absl::OkStatus();
  }

  static std::string Join(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : th::StrCat(path, ".", key);
  }

 private:
  std::string name_;
};

Status ReadServer(const ConfigReader& r, const YAML::Node& n, ServeConfig* c) {
  RETURN_IF_ERROR(r.CheckKeys(n, "server", {"http_listen_address"}));
  return r.String(n, "server", "http_listen_address", &c->http_listen_address);
}

Status ReadS3(const ConfigReader& r, const YAML::Node& n, ServeConfig* c) {
  constexpr std::string_view p = "storage.s3";
  RETURN_IF_ERROR(r.CheckKeys(n, p,
                              {"endpoint", "bucket", "region", "access_key", "secret_key", "prefix",
                               "forcepathstyle", "insecure", "part_size_mib"}));
  store::backend::s3::S3Options& s3 = c->s3;
  std::string endpoint;
  bool insecure = false;
  RETURN_IF_ERROR(r.String(n, p, "endpoint", &endpoint));
  RETURN_IF_ERROR(r.Bool(n, p, "insecure", &insecure));
  if (!endpoint.empty() && endpoint.find("://") == std::string::npos) {
    endpoint = th::StrCat(insecure ? "http://" : "https://", endpoint);
  }
  s3.endpoint = endpoint;
  RETURN_IF_ERROR(r.String(n, p, "bucket", &s3.bucket));
  RETURN_IF_ERROR(r.String(n, p, "region", &s3.region));
  RETURN_IF_ERROR(r.String(n, p, "access_key", &s3.access_key));
  RETURN_IF_ERROR(r.String(n, p, "secret_key", &s3.secret_key));
  RETURN_IF_ERROR(r.String(n, p, "prefix", &s3.prefix));
  RETURN_IF_ERROR(r.Bool(n, p, "forcepathstyle", &s3.path_style));
  uint64_t part_mib = s3.part_size >> 20;
  RETURN_IF_ERROR(r.Uint(n, p, "part_size_mib", &part_mib));
  s3.part_size = part_mib << 20;
  Status valid = s3.Validate();
  if (!valid.ok()) return r.Error(n, p, th::Message(valid));
  return absl::OkStatus();
}

Status ReadBlock(const ConfigReader& r, const YAML::Node& n, ServeConfig* c) {
  constexpr std::string_view p = "storage.block";
  RETURN_IF_ERROR(
      r.CheckKeys(n, p, {"max_block_bytes_mib", "max_block_duration", "row_group_spans"}));
  uint64_t mib = c->max_block_bytes >> 20, rows = c->row_group_spans;
  RETURN_IF_ERROR(r.Uint(n, p, "max_block_bytes_mib", &mib));
  RETURN_IF_ERROR(r.Duration(n, p, "max_block_duration", &c->max_block_duration));
  RETURN_IF_ERROR(r.Uint(n, p, "row_group_spans", &rows));
  if (mib == 0) return r.Error(n["max_block_bytes_mib"], p, "max_block_bytes_mib must be positive");
  if (rows == 0 || rows > 65536) {
    return r.Error(n["row_group_spans"], th::StrCat(p, ".row_group_spans"), "must be 1 to 65536");
  }
  if (c->max_block_duration.count() == 0) {
    return r.Error(n["max_block_duration"], th::StrCat(p, ".max_block_duration"),
                   "must be positive");
  }
  c->max_block_bytes = mib << 20;
  c->row_group_spans = static_cast<uint32_t>(rows);
  return absl::OkStatus();
}

Status ReadCompaction(const ConfigReader& r, const YAML::Node& n, ServeConfig* c) {
  constexpr std::string_view p = "storage.compaction";
  RETURN_IF_ERROR(r.CheckKeys(n, p,
                              {"compaction_cycle", "compaction_window", "max_block_spans",
                               "max_inputs", "cpu_budget", "zstd_level", "block_retention",
                               "compacted_block_retention"}));
  store::CompactorOptions& o = c->compaction;
  uint64_t spans = o.max_output_spans, inputs = o.max_inputs;
  uint64_t zstd_level = static_cast<uint64_t>(o.zstd_level);
  RETURN_IF_ERROR(r.Duration(n, p, "compaction_cycle", &o.interval));
  RETURN_IF_ERROR(r.Duration(n, p, "compaction_window", &o.window));
  RETURN_IF_ERROR(r.Uint(n, p, "max_block_spans", &spans));
  RETURN_IF_ERROR(r.Uint(n, p, "max_inputs", &inputs));
  RETURN_IF_ERROR(r.Double(n, p, "cpu_budget", &o.cpu_budget));
  RETURN_IF_ERROR(r.Uint(n, p, "zstd_level", &zstd_level));
  if (zstd_level < 1 || zstd_level > 19) {
    return r.Error(n["zstd_level"], th::StrCat(p, ".zstd_level"), "must be 1 to 19");
  }
  o.zstd_level = static_cast<int>(zstd_level);
  RETURN_IF_ERROR(r.Duration(n, p, "block_retention", &o.retention));
  RETURN_IF_ERROR(r.Duration(n, p, "compacted_block_retention", &c->compacted_block_retention));
  if (o.interval.count() == 0) {
    return r.Error(n["compaction_cycle"], th::StrCat(p, ".compaction_cycle"), "must be positive");
  }
  if (o.window.count() == 0) {
    return r.Error(n["compaction_window"], th::StrCat(p, ".compaction_window"), "must be positive");
  }
  if (inputs < 2 || inputs > 64) {
    return r.Error(n["max_inputs"], th::StrCat(p, ".max_inputs"), "must be 2 to 64");
  }
  if (!(o.cpu_budget > 0 && o.cpu_budget <= 1)) {
    return r.Error(n["cpu_budget"], th::StrCat(p, ".cpu_budget"), "must be in (0, 1]");
  }
  o.max_output_spans = spans;
  o.max_inputs = static_cast<uint32_t>(inputs);
  return absl::OkStatus();
}

Status ReadOverrides(const ConfigReader& r, const YAML::Node& n, ServeConfig* c) {
  if (!n.IsMap()) return r.Error(n, "storage.overrides", "expected a mapping of tenants");
  for (const auto& kv : n) {
    std::string tenant = kv.first.Scalar();
    std::string p = th::StrCat("storage.overrides.", tenant);
    RETURN_IF_ERROR(r.CheckKeys(kv.second, p, {"block_retention"}));
    std::chrono::seconds retention{0};
    RETURN_IF_ERROR(r.Duration(kv.second, p, "block_retention", &retention));
    c->compaction.tenant_retention[tenant] = retention;
  }
  return absl::OkStatus();
}

Status ReadStorage(const ConfigReader& r, const YAML::Node& n, ServeConfig* c) {
  RETURN_IF_ERROR(r.CheckKeys(
      n, "storage", {"path", "wal", "backend", "s3", "block", "compaction", "overrides"}));
  RETURN_IF_ERROR(r.String(n, "storage", "path", &c->data_dir));
  RETURN_IF_ERROR(r.String(n, "storage", "backend", &c->backend));
  if (c->backend != "local" && c->backend != "s3") {
    return r.Error(n["backend"], "storage.backend", "unknown backend (known: local, s3)");
  }
  if (c->backend == "s3" && !n["s3"]) {
    return r.Error(n["backend"], "storage.backend", "backend s3 needs a storage.s3 section");
  }
  if (YAML::Node s3 = n["s3"]) RETURN_IF_ERROR(ReadS3(r, s3, c));
  if (YAML::Node block = n["block"]) RETURN_IF_ERROR(ReadBlock(r, block, c));
  if (YAML::Node compaction = n["compaction"]) RETURN_IF_ERROR(ReadCompaction(r, compaction, c));
  if (YAML::Node overrides = n["overrides"]) RETURN_IF_ERROR(ReadOverrides(r, overrides, c));
  if (YAML::Node wal = n["wal"]) {
    RETURN_IF_ERROR(r.CheckKeys(wal, "storage.wal", {"segment_size_mib", "max_pending_mib"}));
    uint64_t segment_mib = c->wal_segment_bytes >> 20, pending_mib = c->wal_max_pending_bytes >> 20;
    RETURN_IF_ERROR(r.Uint(wal, "storage.wal", "segment_size_mib", &segment_mib));
    RETURN_IF_ERROR(r.Uint(wal, "storage.wal", "max_pending_mib", &pending_mib));
    if (segment_mib == 0 || segment_mib > 4096) {
      return r.Error(wal["segment_size_mib"], "storage.wal.segment_size_mib", "must be 1 to 4096");
    }
    if (pending_mib == 0) {
      return r.Error(wal["max_pending_mib"], "storage.wal.max_pending_mib", "must be positive");
    }
    c->wal_segment_bytes = segment_mib << 20;
    c->wal_max_pending_bytes = pending_mib << 20;
  }
  return absl::OkStatus();
}


Status ReadRoot(const ConfigReader& r, const YAML::Node& root, ServeConfig* c) {
  if (root.IsNull()) return absl::OkStatus();  // an empty file: all defaults
  if (!root.IsMap()) return r.Error(root, "(top level)", "expected a mapping");
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (key == "server") {
      RETURN_IF_ERROR(ReadServer(r, kv.second, c));
    } else if (key == "storage") {
      RETURN_IF_ERROR(ReadStorage(r, kv.second, c));
    } else if (key == "receivers" || key == "processors" || key == "exporters" ||
               key == "connectors" || key == "extensions" || key == "service") {
      continue;  // the Collector's sections: pipeline::Service reads and checks them
    } else {
      return r.Error(kv.first, key,
                     "unknown key (known: server, storage, receivers, processors, exporters, "
                     "extensions, connectors, service)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

Result<ServeConfig> ParseServeConfig(std::string_view text, const std::string& name) {
  Result<std::string> expanded = ExpandEnv(text);
  if (!expanded.ok()) {
    return absl::InvalidArgumentError(th::StrCat(name, ": ", Message(expanded.status())));
  }
  ServeConfig config;
  ConfigReader reader(name);
  try {
    YAML::Node root = YAML::Load(*expanded);
    RETURN_IF_ERROR(ReadRoot(reader, root, &config));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        th::StrCat(name, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  return config;
}

Result<ServeConfig> LoadServeConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(th::StrCat(path, ": cannot read the config file"));
  std::stringstream text;
  text << in.rdbuf();
  return ParseServeConfig(text.str(), path);
}

}  // namespace th::app

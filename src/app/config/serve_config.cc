// yaml-cpp reports errors by throwing; every call into it is wrapped here and turned into a
// Status that points at the file, line and column (STYLE.md §5).
#include "app/config/serve_config.h"

#include <fstream>
#include <initializer_list>
#include <sstream>

#include "app/config/env_expand.h"
#include "common/strings.h"

#include <yaml-cpp/yaml.h>

namespace th::app {
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

Status ReadStorage(const ConfigReader& r, const YAML::Node& n, ServeConfig* c) {
  RETURN_IF_ERROR(r.CheckKeys(n, "storage", {"path", "wal"}));
  RETURN_IF_ERROR(r.String(n, "storage", "path", &c->data_dir));
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

Status ReadReceivers(const ConfigReader& r, const YAML::Node& n, ServeConfig* c) {
  if (!n.IsMap()) return r.Error(n, "receivers", "expected a mapping");
  for (const auto& kv : n) {
    std::string id = kv.first.Scalar();
    std::string type = id.substr(0, id.find('/'));
    if (type != "otlp") {
      return r.Error(kv.first, th::StrCat("receivers.", id),
                     th::StrCat("receiver type \"", type,
                                "\" is not supported by this version (known: otlp)"));
    }
  }
  YAML::Node otlp = n["otlp"];
  if (!otlp) return absl::OkStatus();
  // `otlp:` with no body is the Collector's way of saying "defaults".
  if (otlp.IsNull()) return absl::OkStatus();
  RETURN_IF_ERROR(r.CheckKeys(otlp, "receivers.otlp", {"protocols"}));
  YAML::Node protocols = otlp["protocols"];
  if (!protocols) return absl::OkStatus();
  RETURN_IF_ERROR(r.CheckKeys(protocols, "receivers.otlp.protocols", {"grpc", "http"}));
  // A protocol left out is not served, as in the Collector.
  if (!protocols["grpc"]) c->otlp.grpc_endpoint.clear();
  if (!protocols["http"]) c->otlp.http_endpoint.clear();
  if (YAML::Node grpc = protocols["grpc"]; grpc && !grpc.IsNull()) {
    const char* path = "receivers.otlp.protocols.grpc";
    RETURN_IF_ERROR(r.CheckKeys(grpc, path, {"endpoint", "max_recv_msg_size_mib"}));
    RETURN_IF_ERROR(r.String(grpc, path, "endpoint", &c->otlp.grpc_endpoint));
    uint64_t mib = static_cast<uint64_t>(c->otlp.max_recv_msg_size_mib);
    RETURN_IF_ERROR(r.Uint(grpc, path, "max_recv_msg_size_mib", &mib));
    if (mib == 0 || mib > 1024) {
      return r.Error(grpc["max_recv_msg_size_mib"], th::StrCat(path, ".max_recv_msg_size_mib"),
                     "must be 1 to 1024");
    }
    c->otlp.max_recv_msg_size_mib = static_cast<int>(mib);
  }
  if (YAML::Node http = protocols["http"]; http && !http.IsNull()) {
    const char* path = "receivers.otlp.protocols.http";
    RETURN_IF_ERROR(r.CheckKeys(http, path, {"endpoint"}));
    RETURN_IF_ERROR(r.String(http, path, "endpoint", &c->otlp.http_endpoint));
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
    } else if (key == "receivers") {
      RETURN_IF_ERROR(ReadReceivers(r, kv.second, c));
    } else if (key == "processors" || key == "exporters" || key == "connectors" ||
               key == "extensions" || key == "service") {
      return r.Error(kv.first, key,
                     "collector pipelines are not supported by this version yet; serve runs "
                     "otlp → store (remove this section)");
    } else {
      return r.Error(kv.first, key, "unknown key (known: server, storage, receivers)");
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

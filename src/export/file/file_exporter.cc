#include "export/file/file_exporter.h"

#include <zstd.h>

#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "common/strings.h"
#include "export/file/internal/rotating_file.h"
#include "export/helper/logs_json.h"
#include "export/helper/queued_exporter.h"
#include "export/helper/sender.h"
#include "model/otlp_encode.h"
#include "model/otlp_json_encode.h"

namespace th::exporter::file {
namespace {

struct FileConfig {
  std::string path;
  bool json = true;
  bool zstd = false;
  internal::RotationSettings rotation;
  std::chrono::nanoseconds flush_interval = std::chrono::seconds(1);
  bool append = false;
  helper::HelperSettings helper;
};

Result<FileConfig> ParseConfig(const config::Node& node, const std::string& data_dir) {
  RETURN_IF_ERROR(node.CheckKeys(helper::WithHelperKeys(
      {"path", "format", "compression", "rotation", "flush_interval", "append", "group_by",
       "encoding"})));
  FileConfig c;
  c.helper.queue.enabled = false;
  c.helper.queue.num_consumers = 1;  // one writer keeps batches in order
  c.helper.retry.enabled = false;
  RETURN_IF_ERROR(node.GetString("path", &c.path));
  if (c.path.empty()) {
    return node["path"].IsPresent() ? node["path"].Error("must not be empty")
                                    : node.Error("path is required");
  }
  std::string format = "json";
  RETURN_IF_ERROR(node.GetString("format", &format));
  if (format == "json") {
    c.json = true;
  } else if (format == "proto") {
    c.json = false;
  } else {
    return node["format"].Error(th::StrCat("unknown format \"", format, "\" (known: json, proto)"));
  }
  std::string compression;
  RETURN_IF_ERROR(node.GetString("compression", &compression));
  if (compression == "zstd") {
    c.zstd = true;
  } else if (!compression.empty() && compression != "none") {
    return node["compression"].Error(
        th::StrCat("unknown compression \"", compression, "\" (known: zstd)"));
  }
  config::Node rotation = node["rotation"];
  if (rotation.IsPresent()) {
    RETURN_IF_ERROR(rotation.CheckKeys({"max_megabytes", "max_days", "max_backups", "localtime"}));
    c.rotation.enabled = true;
    RETURN_IF_ERROR(rotation.GetInt("max_megabytes", &c.rotation.max_megabytes));
    RETURN_IF_ERROR(rotation.GetInt("max_days", &c.rotation.max_days));
    RETURN_IF_ERROR(rotation.GetInt("max_backups", &c.rotation.max_backups));
    RETURN_IF_ERROR(rotation.GetBool("localtime", &c.rotation.localtime));
    if (c.rotation.max_megabytes <= 0) {
      return rotation["max_megabytes"].Error("must be greater than 0");
    }
    if (c.rotation.max_days < 0) return rotation["max_days"].Error("must not be negative");
    if (c.rotation.max_backups < 0) return rotation["max_backups"].Error("must not be negative");
  }
  config::Node flush = node["flush_interval"];
  if (flush.IsPresent() && !flush.IsNull()) {
    // A bare number is nanoseconds (Go's time.Duration decoding).
    int64_t ns = 0;
    if (flush.AsInt(&ns).ok()) {
      c.flush_interval = std::chrono::nanoseconds(ns);
    } else {
      RETURN_IF_ERROR(node.GetDuration("flush_interval", &c.flush_interval));
    }
    if (c.flush_interval.count() <= 0) return flush.Error("must be greater than 0");
  }
  RETURN_IF_ERROR(node.GetBool("append", &c.append));
  if (c.append && c.zstd) {
    return node["append"].Error("append cannot be combined with compression");
  }
  config::Node group_by = node["group_by"];
  if (group_by.IsPresent() && !group_by.IsNull()) {
    bool enabled = false;
    if (group_by.IsMap()) RETURN_IF_ERROR(group_by.GetBool("enabled", &enabled));
    if (enabled) return group_by.Error("not supported yet");
  }
  RETURN_IF_ERROR(helper::ParseHelperSettings(node, data_dir, &c.helper));
  return c;
}

void PutBigEndian32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

// One message for each signal: OTLP/JSON or the OTLP protobuf request.
Status EncodeMessage(const model::SpanBatch& batch, bool json, std::string* out) {
  if (json) {
    model::EncodeOtlpTracesJson(batch, out);
  } else if (!batch.otlp_encoding.empty()) {
    out->assign(batch.otlp_encoding);
  } else {
    model::EncodeOtlpTraces(batch, out);
  }
  return absl::OkStatus();
}

Status EncodeMessage(const model::LogsBatch& batch, bool json, std::string* out) {
  if (!json) {
    out->assign(batch.otlp);
    return absl::OkStatus();
  }
  return helper::Permanent(helper::EncodeOtlpLogsJson(batch.otlp, out));
}

template <typename Batch>
class FileSender final : public helper::BasicSender<Batch> {
 public:
  FileSender(std::string id, FileConfig config)
      : id_(std::move(id)),
        config_(std::move(config)),
        file_(config_.path, config_.rotation, config_.append) {}

  ~FileSender() override { Shutdown(); }

  Status Start() override {
    {
      absl::MutexLock lock(&mu_);
      Status s = file_.Open();
      if (!s.ok()) {
        return absl::Status(s.code(), th::StrCat("file exporter ", id_, ": ", Message(s)));
      }
      open_ = true;
    }
    flusher_ = std::thread([this] { FlushLoop(); });
    return absl::OkStatus();
  }

  void Shutdown() override {
    {
      absl::MutexLock lock(&mu_);
      if (!open_) return;
      open_ = false;
    }
    if (flusher_.joinable()) flusher_.join();
    absl::MutexLock lock(&mu_);
    Status s = file_.Close();
    if (!s.ok()) {
      log::Error("file exporter: closing the file failed", "exporter=", id_, " error=\"",
                 Message(s), "\"");
    }
  }

  Status Send(const Batch& batch, helper::SendContext& context) override {
    std::string message;
    RETURN_IF_ERROR(EncodeMessage(batch, config_.json, &message));
    std::string record;
    if (config_.zstd) {
      std::string compressed(ZSTD_compressBound(message.size()), '\0');
      size_t n = ZSTD_compress(compressed.data(), compressed.size(), message.data(),
                               message.size(), 3);
      if (ZSTD_isError(n)) {
        return helper::Permanent(
            absl::InternalError(th::StrCat("zstd compression failed: ", ZSTD_getErrorName(n))));
      }
      compressed.resize(n);
      PutBigEndian32(&record, static_cast<uint32_t>(n));
      record += compressed;
    } else if (config_.json) {
      record = std::move(message);
      record.push_back('\n');
    } else {
      PutBigEndian32(&record, static_cast<uint32_t>(message.size()));
      record += message;
    }
    absl::MutexLock lock(&mu_);
    return file_.Append(record);
  }

 private:
  void FlushLoop() {
    absl::MutexLock lock(&mu_);
    for (;;) {
      auto closed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !open_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&closed),
                               absl::FromChrono(config_.flush_interval))) {
        return;
      }
      Status s = file_.Flush();
      if (!s.ok()) {
        log::Error("file exporter: flush failed", "exporter=", id_, " error=\"", Message(s), "\"");
      }
    }
  }

  const std::string id_;
  const FileConfig config_;
  absl::Mutex mu_;
  internal::RotatingFile file_ ABSL_GUARDED_BY(mu_);
  bool open_ ABSL_GUARDED_BY(mu_) = false;
  std::thread flusher_;
};

}  // namespace

pipeline::ExporterFactory MakeFileExporterFactory() {
  return [](const pipeline::CreateSettings& create,
            const config::Node& node) -> Result<std::unique_ptr<pipeline::Exporter>> {
    const std::string data_dir = create.host != nullptr ? create.host->data_dir : "";
    ASSIGN_OR_RETURN(FileConfig config, ParseConfig(node, data_dir));
    helper::HelperSettings helper = config.helper;
    return helper::NewQueuedExporter(
        create, helper,
        std::make_unique<FileSender<model::SpanBatch>>(create.id.ToString(), std::move(config)));
  };
}

pipeline::LogsExporterFactory MakeFileLogsExporterFactory() {
  return [](const pipeline::CreateSettings& create,
            const config::Node& node) -> Result<std::unique_ptr<pipeline::LogsExporter>> {
    const std::string data_dir = create.host != nullptr ? create.host->data_dir : "";
    ASSIGN_OR_RETURN(FileConfig config, ParseConfig(node, data_dir));
    helper::HelperSettings helper = config.helper;
    return helper::NewQueuedLogsExporter(
        create, helper,
        std::make_unique<FileSender<model::LogsBatch>>(create.id.ToString(), std::move(config)));
  };
}

}  // namespace th::exporter::file

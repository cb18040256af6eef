#include "export/otlphttp/otlphttp_exporter.h"

#include <curl/curl.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/gzip.h"
#include "common/log.h"
#include "common/strings.h"
#include "export/helper/logs_json.h"
#include "export/helper/queued_exporter.h"
#include "export/helper/sender.h"
#include "export/otlphttp/config.h"
#include "export/otlphttp/internal/response.h"
#include "model/otlp_encode.h"
#include "model/otlp_json_encode.h"

namespace th::exporter::otlphttp {
namespace {

constexpr size_t kMaxResponseBytes = 1 << 20;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

struct Exchange {
  std::string body;
  std::string retry_after;
  std::string content_type;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t len = size * n;
  size_t room = kMaxResponseBytes - std::min(kMaxResponseBytes, ex->body.size());
  ex->body.append(data, std::min(len, room));
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  std::string_view line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.remove_suffix(1);
    if (IEquals(name, "retry-after")) ex->retry_after = std::string(value);
    if (IEquals(name, "content-type")) ex->content_type = std::string(value);
  } else if (line.substr(0, 5) == "HTTP/") {
    *ex = Exchange{};  // a new response (after 100-continue or a redirect): start over
  }
  return size * n;
}

// The request body for each signal in the configured encoding; `scratch` holds it when it is
// not the batch's own bytes.
Result<std::string_view> Payload(const model::SpanBatch& batch, Encoding encoding,
                                 std::string* scratch) {
  if (encoding == Encoding::kJson) {
    model::EncodeOtlpTracesJson(batch, scratch);
    return std::string_view(*scratch);
  }
  if (!batch.otlp_encoding.empty()) return std::string_view(batch.otlp_encoding);
  model::EncodeOtlpTraces(batch, scratch);
  return std::string_view(*scratch);
}

Result<std::string_view> Payload(const model::LogsBatch& batch, Encoding encoding,
                                 std::string* scratch) {
  if (encoding == Encoding::kProto) return std::string_view(batch.otlp);
  Status s = helper::EncodeOtlpLogsJson(batch.otlp, scratch);
  if (!s.ok()) return helper::Permanent(s);  // bad bytes stay bad
  return std::string_view(*scratch);
}

constexpr std::string_view ItemsName(const model::SpanBatch*) { return "spans"; }
constexpr std::string_view ItemsName(const model::LogsBatch*) { return "log_records"; }

template <typename Batch>
class OtlpHttpSender final : public helper::BasicSender<Batch> {
 public:
  OtlpHttpSender(std::string id, OtlpHttpConfig config)
      : id_(std::move(id)), config_(std::move(config)) {}

  ~OtlpHttpSender() override { Shutdown(); }

  Status Start() override {
    GlobalInit();
    log::Info("otlphttp exporter ready", "exporter=", id_, " url=", config_.url, " encoding=",
              config_.encoding == Encoding::kJson ? "json" : "proto");
    return absl::OkStatus();
  }

  void Shutdown() override {
    absl::MutexLock lock(&mu_);
    for (CURL* h : idle_) curl_easy_cleanup(h);
    idle_.clear();
  }

  Status Send(const Batch& batch, helper::SendContext& context) override {
    std::string encoded;
    ASSIGN_OR_RETURN(std::string_view payload, Payload(batch, config_.encoding, &encoded));
    std::string compressed;
    const char* content_encoding = nullptr;
    if (config_.compression == Compression::kGzip) {
      compressed = Gzip(payload);
      payload = compressed;
      content_encoding = "gzip";
    } else if (config_.compression == Compression::kZstd) {
      compressed.resize(ZSTD_compressBound(payload.size()));
      size_t n = ZSTD_compress(compressed.data(), compressed.size(), payload.data(),
                               payload.size(), 1);
      if (ZSTD_isError(n)) {
        return helper::Permanent(absl::InternalError(
            th::StrCat("zstd compression failed: ", ZSTD_getErrorName(n))));
      }
      compressed.resize(n);
      payload = compressed;
      content_encoding = "zstd";
    }

    curl_slist* headers = nullptr;
    auto add = [&headers](const std::string& h) { headers = curl_slist_append(headers, h.c_str()); };
    add(config_.encoding == Encoding::kJson ? "Content-Type: application/json"
                                            : "Content-Type: application/x-protobuf");
    if (content_encoding != nullptr) add(th::StrCat("Content-Encoding: ", content_encoding));
    add("Expect:");  // no 100-continue round trip
    bool tenant = !batch.tenant.empty() && batch.tenant != model::kDefaultTenant;
    for (const auto& [k, v] : config_.headers) {
      if (tenant && IEquals(k, "x-scope-orgid")) continue;
      add(th::StrCat(k, ": ", v));
    }
    if (tenant) add(th::StrCat("X-Scope-OrgID: ", batch.tenant));

    CURL* h = Acquire();
    if (h == nullptr) {
      curl_slist_free_all(headers);
      return absl::ResourceExhaustedError("cannot create a curl handle");
    }
    Exchange ex;
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
                         context.deadline - std::chrono::steady_clock::now())
                         .count();
    long timeout_ms = static_cast<long>(std::max<int64_t>(1, remaining));
    curl_easy_setopt(h, CURLOPT_URL, config_.url.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "tracehouse-otlphttp-exporter");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);
    if (!config_.proxy_url.empty()) curl_easy_setopt(h, CURLOPT_PROXY, config_.proxy_url.c_str());
    if (!config_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, config_.ca_file.c_str());
    if (!config_.cert_file.empty()) {
      curl_easy_setopt(h, CURLOPT_SSLCERT, config_.cert_file.c_str());
      curl_easy_setopt(h, CURLOPT_SSLKEY, config_.key_file.c_str());
    }
    if (config_.insecure_skip_verify) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    Release(h, rc == CURLE_OK);

    if (rc != CURLE_OK) {
      // Connection refused, DNS, TLS handshake, timeout: the Collector retries all of them.
      return absl::UnavailableError(
          th::StrCat("export to ", config_.url, " failed: ", curl_easy_strerror(rc)));
    }
    bool json_body = ex.content_type.find("json") != std::string::npos;
    if (status >= 200 && status < 300) {
      Result<internal::PartialSuccess> partial = internal::ParseExportResponse(ex.body, json_body);
      if (!partial.ok()) {
        return helper::Permanent(absl::InternalError(
            th::StrCat("export to ", config_.url, ": HTTP ", status, " with an unreadable body: ",
                       Message(partial.status()))));
      }
      if (partial->rejected_items > 0 || !partial->error_message.empty()) {
        log::Warn("Partial success response", "exporter=", id_, " message=\"",
                  partial->error_message, "\" dropped_", ItemsName(&batch), "=",
                  partial->rejected_items);
        context.rejected_items = partial->rejected_items;
      }
      return absl::OkStatus();
    }
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    return internal::OutcomeOfHttpStatus(static_cast<int>(status), ex.body, json_body,
                                         internal::ParseRetryAfter(ex.retry_after, now),
                                         config_.url);
  }

 private:
  // Handles keep their connections; one per concurrent send, reused afterwards.
  CURL* Acquire() {
    {
      absl::MutexLock lock(&mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void Release(CURL* h, bool healthy) {
    if (!healthy) {
      curl_easy_cleanup(h);  // do not keep a connection in an unknown state
      return;
    }
    absl::MutexLock lock(&mu_);
    idle_.push_back(h);
  }

  const std::string id_;
  const OtlpHttpConfig config_;
  absl::Mutex mu_;
  std::vector<CURL*> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

pipeline::ExporterFactory MakeOtlpHttpExporterFactory() {
  return [](const pipeline::CreateSettings& create,
            const config::Node& node) -> Result<std::unique_ptr<pipeline::Exporter>> {
    const std::string data_dir = create.host != nullptr ? create.host->data_dir : "";
    ASSIGN_OR_RETURN(OtlpHttpConfig config, ParseOtlpHttpConfig(node, data_dir));
    helper::HelperSettings helper = config.helper;
    return helper::NewQueuedExporter(
        create, helper,
        std::make_unique<OtlpHttpSender<model::SpanBatch>>(create.id.ToString(),
                                                           std::move(config)));
  };
}

pipeline::LogsExporterFactory MakeOtlpHttpLogsExporterFactory() {
  return [](const pipeline::CreateSettings& create,
            const config::Node& node) -> Result<std::unique_ptr<pipeline::LogsExporter>> {
    const std::string data_dir = create.host != nullptr ? create.host->data_dir : "";
    ASSIGN_OR_RETURN(OtlpHttpConfig config, ParseOtlpHttpConfig(node, data_dir, Signal::kLogs));
    helper::HelperSettings helper = config.helper;
    return helper::NewQueuedLogsExporter(
        create, helper,
        std::make_unique<OtlpHttpSender<model::LogsBatch>>(create.id.ToString(),
                                                           std::move(config)));
  };
}

}  // namespace th::exporter::otlphttp

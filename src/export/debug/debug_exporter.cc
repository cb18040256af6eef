#include "export/debug/debug_exporter.h"

#include <unistd.h>

#include <atomic>
#include <ctime>

#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "common/strings.h"
#include "export/debug/internal/logs_text.h"
#include "export/helper/queued_exporter.h"
#include "export/helper/sender.h"
#include "model/ids.h"

namespace th::exporter::debug {
namespace {

enum class Verbosity { kBasic, kNormal, kDetailed };

struct DebugConfig {
  Verbosity verbosity = Verbosity::kBasic;
  int64_t sampling_initial = 2;
  int64_t sampling_thereafter = 1;
  bool use_internal_logger = true;
  int fd = STDERR_FILENO;
  helper::HelperSettings helper;
};

Result<DebugConfig> ParseConfig(const config::Node& node, const std::string& data_dir) {
  RETURN_IF_ERROR(node.CheckKeys(helper::WithHelperKeys(
      {"verbosity", "sampling_initial", "sampling_thereafter", "use_internal_logger",
       "output_paths", "loglevel"})));
  DebugConfig c;
  c.helper.queue.enabled = false;
  c.helper.queue.num_consumers = 1;  // batches come out in the order they came in
  c.helper.retry.enabled = false;
  std::string verbosity = "basic";
  RETURN_IF_ERROR(node.GetString("verbosity", &verbosity));
  if (verbosity == "basic") {
    c.verbosity = Verbosity::kBasic;
  } else if (verbosity == "normal") {
    c.verbosity = Verbosity::kNormal;
  } else if (verbosity == "detailed") {
    c.verbosity = Verbosity::kDetailed;
  } else {
    return node["verbosity"].Error(
        th::StrCat("unknown verbosity \"", verbosity, "\" (known: basic, normal, detailed)"));
  }
  if (node["loglevel"].IsPresent()) {
    return node["loglevel"].Error("removed by the Collector; use verbosity");
  }
  RETURN_IF_ERROR(node.GetInt("sampling_initial", &c.sampling_initial));
  RETURN_IF_ERROR(node.GetInt("sampling_thereafter", &c.sampling_thereafter));
  if (c.sampling_initial < 0) return node["sampling_initial"].Error("must not be negative");
  if (c.sampling_thereafter < 1) return node["sampling_thereafter"].Error("must be at least 1");
  RETURN_IF_ERROR(node.GetBool("use_internal_logger", &c.use_internal_logger));
  std::vector<std::string> paths;
  RETURN_IF_ERROR(node.GetStringList("output_paths", &paths));
  if (!paths.empty()) {
    if (c.use_internal_logger) {
      return node["output_paths"].Error("needs use_internal_logger: false");
    }
    if (paths.size() != 1 || (paths[0] != "stdout" && paths[0] != "stderr")) {
      return node["output_paths"].Error("only [stdout] or [stderr] is supported");
    }
    c.fd = paths[0] == "stdout" ? STDOUT_FILENO : STDERR_FILENO;
  } else if (!c.use_internal_logger) {
    c.fd = STDOUT_FILENO;  // the Collector's default output_paths
  }
  RETURN_IF_ERROR(helper::ParseHelperSettings(node, data_dir, &c.helper));
  return c;
}

const char* KindName(int32_t kind) {
  switch (kind) {
    case model::kSpanKindInternal:
      return "Internal";
    case model::kSpanKindServer:
      return "Server";
    case model::kSpanKindClient:
      return "Client";
    case model::kSpanKindProducer:
      return "Producer";
    case model::kSpanKindConsumer:
      return "Consumer";
    default:
      return "Unspecified";
  }
}

const char* StatusName(int32_t code) {
  switch (code) {
    case model::kStatusOk:
      return "Ok";
    case model::kStatusError:
      return "Error";
    default:
      return "Unset";
  }
}

using internal::Timestamp;

void AppendValue(const model::SpanBatch& b, const model::AnyValue& v, std::string* out);

void AppendKvList(const model::SpanBatch& b, model::Range r, std::string* out) {
  out->append("{");
  for (uint32_t i = r.begin; i < r.end() && i < b.key_values.size(); ++i) {
    if (i != r.begin) out->append(",");
    th::StrAppend(out, "\"", b.key_values[i].key, "\":");
    AppendValue(b, b.key_values[i].value, out);
  }
  out->append("}");
}

void AppendValue(const model::SpanBatch& b, const model::AnyValue& v, std::string* out) {
  switch (v.type) {
    case model::ValueType::kEmpty:
      out->append("Empty()");
      break;
    case model::ValueType::kString:
      th::StrAppend(out, "Str(", v.bytes, ")");
      break;
    case model::ValueType::kBool:
      th::StrAppend(out, "Bool(", v.bool_value, ")");
      break;
    case model::ValueType::kInt:
      th::StrAppend(out, "Int(", v.int_value, ")");
      break;
    case model::ValueType::kDouble:
      th::StrAppend(out, "Double(", v.double_value, ")");
      break;
    case model::ValueType::kBytes:
      th::StrAppend(out, "Bytes(", model::ToHex(v.bytes), ")");
      break;
    case model::ValueType::kArray:
      out->append("Slice([");
      for (uint32_t i = v.range.begin; i < v.range.end() && i < b.array_values.size(); ++i) {
        if (i != v.range.begin) out->append(",");
        AppendValue(b, b.array_values[i], out);
      }
      out->append("])");
      break;
    case model::ValueType::kKvList:
      out->append("Map(");
      AppendKvList(b, v.range, out);
      out->append(")");
      break;
  }
}

// "     -> key: Str(value)" lines, as the Collector's detailed output has them.
void AppendAttributes(const model::SpanBatch& b, model::Range r, std::string* out,
                      std::string_view indent = "     ") {
  for (uint32_t i = r.begin; i < r.end() && i < b.key_values.size(); ++i) {
    th::StrAppend(out, indent, "-> ", b.key_values[i].key, ": ");
    AppendValue(b, b.key_values[i].value, out);
    out->append("\n");
  }
}

// Normal verbosity: attributes on one line, "k=v k2=v2".
void AppendAttributesInline(const model::SpanBatch& b, model::Range r, std::string* out) {
  for (uint32_t i = r.begin; i < r.end() && i < b.key_values.size(); ++i) {
    th::StrAppend(out, " ", b.key_values[i].key, "=");
    const model::AnyValue& v = b.key_values[i].value;
    if (v.type == model::ValueType::kString) {
      out->append(v.bytes);
    } else {
      AppendValue(b, v, out);
    }
  }
}

size_t CountResourceSpans(const model::SpanBatch& b) {
  size_t n = 0;
  int64_t last = -1;
  for (size_t i = 0; i < b.span_count(); ++i) {
    uint32_t scope = b.spans.scope[i];
    int64_t resource = scope < b.scopes.size() ? b.scopes[scope].resource : -1;
    if (resource != last) ++n;
    last = resource;
  }
  return n;
}

std::string Render(const model::SpanBatch& b, Verbosity verbosity) {
  std::string out;
  if (verbosity == Verbosity::kNormal) {
    int64_t last_resource = -1, last_scope = -1;
    size_t resource_index = 0, scope_index = 0;
    for (uint32_t i = 0; i < b.span_count(); ++i) {
      uint32_t scope = b.spans.scope[i];
      if (scope >= b.scopes.size()) continue;
      const model::Scope& s = b.scopes[scope];
      if (static_cast<int64_t>(s.resource) != last_resource) {
        th::StrAppend(&out, "ResourceTraces #", resource_index++);
        if (s.resource < b.resources.size()) {
          AppendAttributesInline(b, b.resources[s.resource].attributes, &out);
        }
        out.append("\n");
        last_resource = s.resource;
        last_scope = -1;
        scope_index = 0;
      }
      if (static_cast<int64_t>(scope) != last_scope) {
        th::StrAppend(&out, "ScopeTraces #", scope_index++, " ", s.name);
        if (!s.version.empty()) th::StrAppend(&out, "@", s.version);
        out.append("\n");
        last_scope = scope;
      }
      th::StrAppend(&out, b.spans.name[i], " ", model::ToHex(b.spans.trace_id[i].View()), " ",
                    model::ToHex(b.spans.span_id[i].View()));
      AppendAttributesInline(b, b.spans.attributes[i], &out);
      out.append("\n");
    }
    return out;
  }
  // Detailed.
  int64_t last_resource = -1, last_scope = -1;
  size_t resource_index = 0, scope_index = 0, span_index = 0;
  for (uint32_t i = 0; i < b.span_count(); ++i) {
    uint32_t scope = b.spans.scope[i];
    if (scope >= b.scopes.size()) continue;
    const model::Scope& s = b.scopes[scope];
    if (static_cast<int64_t>(s.resource) != last_resource) {
      th::StrAppend(&out, "ResourceSpans #", resource_index++, "\n");
      if (s.resource < b.resources.size()) {
        const model::Resource& r = b.resources[s.resource];
        th::StrAppend(&out, "Resource SchemaURL: ", r.schema_url, "\nResource attributes:\n");
        AppendAttributes(b, r.attributes, &out);
      }
      last_resource = s.resource;
      last_scope = -1;
      scope_index = 0;
    }
    if (static_cast<int64_t>(scope) != last_scope) {
      th::StrAppend(&out, "ScopeSpans #", scope_index++, "\nScopeSpans SchemaURL: ", s.schema_url,
                    "\nInstrumentationScope ", s.name, " ", s.version, "\n");
      if (s.attributes.count > 0) {
        out.append("InstrumentationScope attributes:\n");
        AppendAttributes(b, s.attributes, &out);
      }
      last_scope = scope;
      span_index = 0;
    }
    const model::SpanId& parent = b.spans.parent_span_id[i];
    bool root = parent.IsZero();
    th::StrAppend(&out, "Span #", span_index++, "\n");
    th::StrAppend(&out, "    Trace ID       : ", model::ToHex(b.spans.trace_id[i].View()), "\n");
    th::StrAppend(&out, "    Parent ID      : ", root ? "" : model::ToHex(parent.View()), "\n");
    th::StrAppend(&out, "    ID             : ", model::ToHex(b.spans.span_id[i].View()), "\n");
    th::StrAppend(&out, "    Name           : ", b.spans.name[i], "\n");
    th::StrAppend(&out, "    Kind           : ", KindName(b.spans.kind[i]), "\n");
    th::StrAppend(&out, "    Start time     : ", Timestamp(b.spans.start_time_unix_nano[i]), "\n");
    th::StrAppend(&out, "    End time       : ", Timestamp(b.spans.end_time_unix_nano[i]), "\n");
    th::StrAppend(&out, "    Status code    : ", StatusName(b.spans.status_code[i]), "\n");
    th::StrAppend(&out, "    Status message : ", b.spans.status_message[i], "\n");
    if (!b.spans.trace_state[i].empty()) {
      th::StrAppend(&out, "    TraceState     : ", b.spans.trace_state[i], "\n");
    }
    if (b.spans.attributes[i].count > 0) {
      out.append("Attributes:\n");
      AppendAttributes(b, b.spans.attributes[i], &out);
    }
    model::Range events = b.spans.events[i];
    if (events.count > 0) out.append("Events:\n");
    for (uint32_t e = events.begin; e < events.end() && e < b.events.size(); ++e) {
      const model::Event& ev = b.events[e];
      th::StrAppend(&out, "SpanEvent #", e - events.begin, "\n     -> Name: ", ev.name,
                    "\n     -> Timestamp: ", Timestamp(ev.time_unix_nano),
                    "\n     -> DroppedAttributesCount: ", ev.dropped_attributes_count, "\n");
      if (ev.attributes.count > 0) {
        out.append("     -> Attributes::\n");
        AppendAttributes(b, ev.attributes, &out, "          ");
      }
    }
    model::Range links = b.spans.links[i];
    if (links.count > 0) out.append("Links:\n");
    for (uint32_t l = links.begin; l < links.end() && l < b.links.size(); ++l) {
      const model::Link& link = b.links[l];
      th::StrAppend(&out, "SpanLink #", l - links.begin, "\n     -> Trace ID: ",
                    model::ToHex(link.trace_id.View()), "\n     -> ID: ",
                    model::ToHex(link.span_id.View()), "\n     -> TraceState: ", link.trace_state,
                    "\n     -> DroppedAttributesCount: ", link.dropped_attributes_count, "\n");
      if (link.attributes.count > 0) {
        out.append("     -> Attributes::\n");
        AppendAttributes(b, link.attributes, &out, "          ");
      }
    }
  }
  return out;
}

void WriteFd(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report it
    }
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// What the debug output says about a batch: the summary's title and counts, and the lines
// that follow it at normal and detailed verbosity.
struct Described {
  std::string_view title;
  std::string counts;
  std::string detail;
};

Described Describe(const model::SpanBatch& batch, Verbosity verbosity) {
  Described d{"Traces",
              th::StrCat("resource_spans=", CountResourceSpans(batch),
                         " spans=", batch.span_count()),
              ""};
  if (verbosity != Verbosity::kBasic) d.detail = Render(batch, verbosity);
  return d;
}

Described Describe(const model::LogsBatch& batch, Verbosity verbosity) {
  internal::LogsDetail detail = verbosity == Verbosity::kBasic    ? internal::LogsDetail::kCounts
                                : verbosity == Verbosity::kNormal ? internal::LogsDetail::kPerRecord
                                                                  : internal::LogsDetail::kEverything;
  Result<internal::LogsText> text = internal::RenderLogs(batch.otlp, detail);
  if (!text.ok()) {
    // Say so instead of failing the batch: the debug exporter is where one looks at bad data.
    return Described{"Logs",
                     th::StrCat("log_records=", batch.record_count, " error=\"",
                                Message(text.status()), "\""),
                     ""};
  }
  return Described{"Logs",
                   th::StrCat("resource_logs=", text->resource_logs,
                              " log_records=", text->log_records),
                   std::move(text->text)};
}

template <typename Batch>
class DebugSender final : public helper::BasicSender<Batch> {
 public:
  DebugSender(std::string id, DebugConfig config, std::function<void(std::string_view)> sink)
      : id_(std::move(id)), config_(std::move(config)), sink_(std::move(sink)) {}

  Status Send(const Batch& batch, helper::SendContext& context) override {
    if (!Sampled()) return absl::OkStatus();
    Described d = Describe(batch, config_.verbosity);
    std::string text;
    if (config_.use_internal_logger) {
      // The summary is a regular log line; the detail follows it as plain text, as zap prints
      // the Collector's multi-line output.
      th::StrAppend(&text, "ts=", Now(), " level=info msg=\"", d.title, "\" exporter=", id_, " ",
                    d.counts, "\n");
    } else {
      th::StrAppend(&text, d.title, " ", d.counts, "\n");
    }
    text += d.detail;
    if (sink_) {
      sink_(text);
    } else {
      WriteFd(config_.fd, text);
    }
    return absl::OkStatus();
  }

 private:
  // zap's sampler: per one-second tick, the first `initial` pass, then every `thereafter`th.
  bool Sampled() {
    absl::MutexLock lock(&mu_);
    auto now = std::chrono::steady_clock::now();
    if (now - window_start_ >= std::chrono::seconds(1)) {
      window_start_ = now;
      count_ = 0;
    }
    ++count_;
    if (count_ <= config_.sampling_initial) return true;
    return (count_ - config_.sampling_initial) % config_.sampling_thereafter == 0;
  }

  static std::string Now() {
    auto now = std::chrono::system_clock::now();
    uint64_t ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
    time_t secs = static_cast<time_t>(ns / 1'000'000'000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    char ms[8];
    snprintf(ms, sizeof(ms), ".%03dZ", static_cast<int>((ns / 1'000'000) % 1000));
    return th::StrCat(std::string_view(buf, n), ms);
  }

  const std::string id_;
  const DebugConfig config_;
  const std::function<void(std::string_view)> sink_;
  absl::Mutex mu_;
  std::chrono::steady_clock::time_point window_start_ ABSL_GUARDED_BY(mu_);
  int64_t count_ ABSL_GUARDED_BY(mu_) = 0;
};

Result<DebugConfig> ConfigFor(const pipeline::CreateSettings& create, const config::Node& node) {
  const std::string data_dir = create.host != nullptr ? create.host->data_dir : "";
  ASSIGN_OR_RETURN(DebugConfig config, ParseConfig(node, data_dir));
  if (create.id.type == "logging") {
    log::Warn("the logging exporter was removed from the Collector in v0.111.0; use debug",
              "exporter=", create.id.ToString());
  }
  return config;
}

}  // namespace

pipeline::ExporterFactory MakeDebugExporterFactory(std::function<void(std::string_view)> sink) {
  return [sink](const pipeline::CreateSettings& create,
                const config::Node& node) -> Result<std::unique_ptr<pipeline::Exporter>> {
    ASSIGN_OR_RETURN(DebugConfig config, ConfigFor(create, node));
    helper::HelperSettings helper = config.helper;
    return helper::NewQueuedExporter(
        create, helper,
        std::make_unique<DebugSender<model::SpanBatch>>(create.id.ToString(), std::move(config),
                                                        sink));
  };
}

pipeline::LogsExporterFactory MakeDebugLogsExporterFactory(
    std::function<void(std::string_view)> sink) {
  return [sink](const pipeline::CreateSettings& create,
                const config::Node& node) -> Result<std::unique_ptr<pipeline::LogsExporter>> {
    ASSIGN_OR_RETURN(DebugConfig config, ConfigFor(create, node));
    helper::HelperSettings helper = config.helper;
    return helper::NewQueuedLogsExporter(
        create, helper,
        std::make_unique<DebugSender<model::LogsBatch>>(create.id.ToString(), std::move(config),
                                                        sink));
  };
}

}  // namespace th::exporter::debug

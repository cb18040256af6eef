#include "ingest/otlp/internal/http_receiver.h"

#include <string>

#include "common/gzip.h"
#include "common/http/headers.h"
#include "common/status_codes.h"
#include "common/strings.h"
#include "ingest/otlp/internal/export_handler.h"

namespace th::ingest::otlp {
namespace {

constexpr int kGrpcInvalidArgument = 3;

const char* ContentTypeOf(Encoding e) {
  return e == Encoding::kJson ? "application/json" : "application/x-protobuf";
}

http::Response ErrorResponse(int http_status, Encoding encoding, int grpc_code,
                             std::string_view message) {
  http::Response r;
  r.status = http_status;
  r.headers.emplace_back("Content-Type", ContentTypeOf(encoding));
  r.body = EncodeRpcStatus(encoding, grpc_code, message);
  return r;
}

}  // namespace

http::Handler MakeOtlpHttpHandler(pipeline::TracesConsumer* traces, pipeline::LogsConsumer* logs,
                                  size_t max_body_bytes, std::string traces_path,
                                  std::string logs_path) {
  return [traces, logs, max_body_bytes, traces_path, logs_path](http::Request&& req,
                                                                http::Responder respond) {
    const bool is_traces = traces != nullptr && req.path == traces_path;
    const bool is_logs = logs != nullptr && req.path == logs_path;
    if (!is_traces && !is_logs) {
      respond(http::Response::Text(404, th::StrCat("404 page not found: ", req.path)));
      return;
    }
    if (req.method != "POST") {
      http::Response r = http::Response::Text(
          405, th::StrCat("method ", req.method, " not allowed, supported: [POST]"));
      r.headers.emplace_back("Allow", "POST");
      respond(std::move(r));
      return;
    }
    std::string media = http::MediaType(req.Header("content-type"));
    Encoding encoding;
    if (media == "application/x-protobuf" || media == "application/protobuf") {
      encoding = Encoding::kProto;
    } else if (media == "application/json") {
      encoding = Encoding::kJson;
    } else {
      respond(http::Response::Text(
          415, th::StrCat("unsupported content type \"", req.Header("content-type"),
                          "\", supported: [application/json, application/x-protobuf]")));
      return;
    }
    Result<std::string> body =
        DecodeContentEncoding(req.Header("content-encoding"), std::move(req.body), max_body_bytes);
    if (!body.ok()) {
      const int status = absl::IsResourceExhausted(body.status()) ? 413 : 400;
      respond(ErrorResponse(status, encoding, kGrpcInvalidArgument, Message(body.status())));
      return;
    }
    std::string tenant(req.Header("x-scope-orgid"));
    auto answer = [encoding, respond = std::move(respond)](ExportOutcome&& outcome) {
                        if (!outcome.status.ok()) {
                          http::Response r =
                              ErrorResponse(HttpStatusFor(outcome.status), encoding,
                                            GrpcCodeFor(outcome.status), Message(outcome.status));
                          if (IsRetryable(outcome.status))
                            r.headers.emplace_back("Retry-After", "1");
                          respond(std::move(r));
                          return;
                        }
                        http::Response r;
                        r.status = 200;
                        r.headers.emplace_back("Content-Type", ContentTypeOf(encoding));
                        r.body = EncodeExportResponse(encoding, outcome);
                        respond(std::move(r));
    };
    if (is_logs) {
      HandleLogsExport(std::move(*body), encoding, tenant, "http", logs, std::move(answer));
    } else {
      HandleTraceExport(std::move(*body), encoding, tenant, "http", traces, std::move(answer));
    }
  };
}

http::Handler WithCors(http::Handler inner, std::vector<std::string> allowed_origins,
                       std::vector<std::string> allowed_headers, int max_age_seconds) {
  return [inner = std::move(inner), origins = std::move(allowed_origins),
          headers = std::move(allowed_headers),
          max_age_seconds](http::Request&& req, http::Responder respond) {
    std::string origin(req.Header("origin"));
    bool allowed = !origin.empty() && http::OriginAllowed(origin, origins);
    if (req.method == "OPTIONS" && !req.Header("access-control-request-method").empty()) {
      if (!allowed) {
        respond(http::Response::Text(403, th::StrCat("origin ", origin, " is not allowed")));
        return;
      }
      http::Response r;
      r.status = 204;
      r.headers.push_back({"Access-Control-Allow-Origin", origin});
      r.headers.push_back({"Access-Control-Allow-Methods", "POST"});
      // Content-Type and the tenant header are always allowed, as browsers send them.
      std::string allow = "Content-Type, Content-Encoding, X-Scope-OrgID";
      for (const std::string& h : headers) th::StrAppend(&allow, ", ", h);
      r.headers.push_back({"Access-Control-Allow-Headers", allow});
      if (max_age_seconds > 0) {
        r.headers.push_back({"Access-Control-Max-Age", std::to_string(max_age_seconds)});
      }
      r.headers.push_back({"Vary", "Origin"});
      respond(std::move(r));
      return;
    }
    if (!allowed) {
      inner(std::move(req), std::move(respond));
      return;
    }
    inner(std::move(req), [origin, respond = std::move(respond)](http::Response&& r) {
      r.headers.push_back({"Access-Control-Allow-Origin", origin});
      r.headers.push_back({"Vary", "Origin"});
      respond(std::move(r));
    });
  };
}

}  // namespace th::ingest::otlp

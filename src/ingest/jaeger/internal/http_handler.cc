#include "ingest/jaeger/internal/http_handler.h"

#include <string>

#include "common/gzip.h"
#include "common/http/headers.h"
#include "common/status_codes.h"
#include "common/strings.h"

namespace th::ingest::jaeger {

http::Handler MakeThriftHttpHandler(pipeline::TracesConsumer* consumer,
                                    const pipeline::ReceiverCounters& metrics,
                                    std::shared_ptr<InFlight> in_flight, size_t max_body_bytes) {
  return [consumer, metrics, in_flight, max_body_bytes](http::Request&& req,
                                                        http::Responder respond) {
    if (req.path != "/api/traces") {
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
    if (media != "application/x-thrift" && media != "application/vnd.apache.thrift.binary") {
      respond(http::Response::Text(
          400, th::StrCat("unsupported content type: \"", req.Header("content-type"),
                          "\" (supported: application/x-thrift, "
                          "application/vnd.apache.thrift.binary)")));
      return;
    }
    Result<std::string> body =
        DecodeContentEncoding(req.Header("content-encoding"), std::move(req.body), max_body_bytes);
    if (!body.ok()) {
      const int status = absl::IsResourceExhausted(body.status()) ? 413 : 400;
      respond(http::Response::Text(status, std::string(Message(body.status()))));
      return;
    }
    std::string tenant(req.Header("x-scope-orgid"));
    Submit(DecodeThriftBatch(std::move(*body), ThriftProtocol::kBinary, tenant), metrics, consumer,
           in_flight, [respond = std::move(respond)](const Status& s) {
             if (s.ok()) {
               respond(http::Response::Text(202, ""));
               return;
             }
             http::Response r = http::Response::Text(
                 HttpStatusFor(s), s.code() == absl::StatusCode::kInvalidArgument
                                       ? th::StrCat("unable to process request body: ",
                                                    Message(s))
                                       : std::string(Message(s)));
             if (IsRetryable(s)) r.headers.emplace_back("Retry-After", "1");
             respond(std::move(r));
           });
  };
}

}  // namespace th::ingest::jaeger

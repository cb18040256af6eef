#include "tools/loadgen/otlp_sender.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/rpc_method.h>

#include "common/protobuf_wire.h"
#include "common/strings.h"

namespace th::tools {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;

// Reads rejected_spans out of an ExportTraceServiceResponse.
int64_t RejectedSpans(std::string_view response) {
  wire::Reader r(response);
  uint32_t field, wt;
  while (!r.done() && r.ReadTag(&field, &wt)) {
    std::string_view partial;
    if (field == 1 && wt == wire::kLen && r.ReadLen(&partial)) {
      wire::Reader p(partial);
      while (!p.done() && p.ReadTag(&field, &wt)) {
        uint64_t v;
        if (field == 1 && wt == wire::kVarint && p.ReadVarint(&v)) return static_cast<int64_t>(v);
        if (!p.Skip(wt)) return 0;
      }
      return 0;
    }
    if (!r.Skip(wt)) return 0;
  }
  return 0;
}

class GrpcSender final : public OtlpSender {
 public:
  GrpcSender(const std::string& endpoint, std::string tenant) : tenant_(std::move(tenant)) {
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(64 << 20);
    channel_ = grpc::CreateCustomChannel(endpoint, grpc::InsecureChannelCredentials(), args);
  }

  SendResult Send(const std::string& body) override {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!tenant_.empty()) ctx.AddMetadata("x-scope-orgid", tenant_);
    grpc::Slice slice(body);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    // The generated stub would parse and re-serialize a libprotobuf message; a raw method call
    // sends the bytes we already have.
    static const char* kMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    grpc::internal::RpcMethod method(kMethod, grpc::internal::RpcMethod::NORMAL_RPC, channel_);
    grpc::Status s = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        channel_.get(), method, &ctx, request, &response);
    if (!s.ok()) {
      return {absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message())};
    }
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (response.Dump(&slices).ok()) {
      for (const auto& sl : slices)
        bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
    }
    return {absl::OkStatus(), RejectedSpans(bytes)};
  }

 private:
  std::string tenant_;
  std::shared_ptr<grpc::Channel> channel_;
};

class HttpSender final : public OtlpSender {
 public:
  HttpSender(const std::string& endpoint, std::string tenant, bool json)
      : tenant_(std::move(tenant)), json_(json) {
    size_t colon = endpoint.rfind(':');
    host_ = endpoint.substr(0, colon);
    port_ = colon == std::string::npos ? "4318" : endpoint.substr(colon + 1);
  }

  SendResult Send(const std::string& body) override {
    beast::error_code ec;
    if (!stream_) {
      stream_ = std::make_unique<beast::tcp_stream>(io_);
      asio::ip::tcp::resolver resolver(io_);
      auto results = resolver.resolve(host_, port_, ec);
      if (!ec) stream_->connect(results, ec);
      if (ec) {
        stream_.reset();
        return {
            absl::UnavailableError(th::StrCat("connect ", host_, ":", port_, ": ", ec.message()))};
      }
    }
    beast::http::request<beast::http::string_body> req{beast::http::verb::post, "/v1/traces", 11};
    req.set(beast::http::field::host, host_);
    req.set(beast::http::field::content_type,
            json_ ? "application/json" : "application/x-protobuf");
    if (!tenant_.empty()) req.set("X-Scope-OrgID", tenant_);
    req.body() = body;
    req.prepare_payload();
    stream_->expires_after(std::chrono::seconds(30));
    beast::http::write(*stream_, req, ec);
    beast::http::response<beast::http::string_body> res;
    if (!ec) beast::http::read(*stream_, buffer_, res, ec);
    if (ec) {
      stream_.reset();
      return {absl::UnavailableError(th::StrCat("http: ", ec.message()))};
    }
    if (!res.keep_alive()) stream_.reset();
    if (res.result_int() != 200) {
      return {absl::UnavailableError(th::StrCat("http ", res.result_int(), ": ", res.body()))};
    }
    int64_t rejected = 0;
    if (json_) {
      // {"partialSuccess":{"rejectedSpans":"N",…}}
      size_t at = res.body().find("\"rejectedSpans\":");
      if (at != std::string::npos) {
        rejected = std::atoll(res.body().c_str() + at + 16 + (res.body()[at + 16] == '"' ? 1 : 0));
      }
    } else {
      rejected = RejectedSpans(res.body());
    }
    return {absl::OkStatus(), rejected};
  }

 private:
  std::string tenant_;
  bool json_;
  std::string host_, port_;
  asio::io_context io_;
  std::unique_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

}  // namespace

std::unique_ptr<OtlpSender> OtlpSender::Create(OtlpProtocol protocol, const std::string& endpoint,
                                               const std::string& tenant) {
  if (protocol == OtlpProtocol::kGrpc) return std::make_unique<GrpcSender>(endpoint, tenant);
  return std::make_unique<HttpSender>(endpoint, tenant, protocol == OtlpProtocol::kHttpJson);
}

}  // namespace th::tools

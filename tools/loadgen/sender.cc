#include "tools/loadgen/sender.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
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

class GrpcSender final : public Sender {
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

// Where and how an HTTP protocol posts, and what counts as success.
struct HttpRoute {
  const char* path;
  const char* content_type;
  const char* default_port;
  bool otlp;  // 200 only, and the body may report a partial success; otherwise any 2xx
  bool json;
};

HttpRoute RouteFor(Protocol protocol) {
  switch (protocol) {
    case Protocol::kOtlpHttpJson:
      return {"/v1/traces", "application/json", "4318", true, true};
    case Protocol::kJaegerThriftHttp:
      return {"/api/traces", "application/x-thrift", "14268", false, false};
    case Protocol::kZipkinJson:
      return {"/api/v2/spans", "application/json", "9411", false, true};
    default:
      return {"/v1/traces", "application/x-protobuf", "4318", true, false};
  }
}

class HttpSender final : public Sender {
 public:
  HttpSender(const std::string& endpoint, std::string tenant, HttpRoute route)
      : tenant_(std::move(tenant)), route_(route) {
    size_t colon = endpoint.rfind(':');
    host_ = endpoint.substr(0, colon);
    port_ = colon == std::string::npos ? route.default_port : endpoint.substr(colon + 1);
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
    beast::http::request<beast::http::string_body> req{beast::http::verb::post, route_.path, 11};
    req.set(beast::http::field::host, host_);
    req.set(beast::http::field::content_type, route_.content_type);
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
    unsigned status = res.result_int();
    bool ok = route_.otlp ? status == 200 : status / 100 == 2;
    if (!ok) return {absl::UnavailableError(th::StrCat("http ", status, ": ", res.body()))};
    if (!route_.otlp) return {absl::OkStatus(), 0};
    int64_t rejected = 0;
    if (route_.json) {
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
  HttpRoute route_;
  std::string host_, port_;
  asio::io_context io_;
  std::unique_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

// One connected UDP socket; each body is one datagram. A connected socket lets the kernel report
// an ICMP "port unreachable" as an error on a later send, the only failure UDP can show.
class UdpSender final : public Sender {
 public:
  explicit UdpSender(const std::string& endpoint) : socket_(io_) {
    size_t colon = endpoint.rfind(':');
    host_ = endpoint.substr(0, colon);
    port_ = colon == std::string::npos ? "6831" : endpoint.substr(colon + 1);
  }

  SendResult Send(const std::string& body) override {
    beast::error_code ec;
    if (!socket_.is_open()) {
      asio::ip::udp::resolver resolver(io_);
      auto results = resolver.resolve(host_, port_, ec);
      if (!ec && results.empty()) ec = asio::error::host_not_found;
      if (!ec) socket_.open(results.begin()->endpoint().protocol(), ec);
      if (!ec) socket_.connect(results.begin()->endpoint(), ec);
      if (ec) {
        socket_.close(ec);
        return {absl::UnavailableError(
            th::StrCat("udp connect ", host_, ":", port_, ": ", ec.message()))};
      }
    }
    socket_.send(asio::buffer(body), 0, ec);
    if (ec) return {absl::UnavailableError(th::StrCat("udp send: ", ec.message()))};
    return {absl::OkStatus(), 0};
  }

 private:
  std::string host_, port_;
  asio::io_context io_;
  asio::ip::udp::socket socket_;
};

}  // namespace

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kOtlpGrpc:
      return "grpc";
    case Protocol::kOtlpHttpProtobuf:
      return "http/protobuf";
    case Protocol::kOtlpHttpJson:
      return "http/json";
    case Protocol::kJaegerThriftHttp:
      return "jaeger_thrift_http";
    case Protocol::kJaegerThriftCompactUdp:
      return "jaeger_thrift_compact_udp";
    case Protocol::kZipkinJson:
      return "zipkin_json";
  }
  return "";
}

std::optional<Protocol> ParseProtocol(std::string_view name) {
  for (Protocol p :
       {Protocol::kOtlpGrpc, Protocol::kOtlpHttpProtobuf, Protocol::kOtlpHttpJson,
        Protocol::kJaegerThriftHttp, Protocol::kJaegerThriftCompactUdp, Protocol::kZipkinJson}) {
    if (ProtocolName(p) == name) return p;
  }
  return std::nullopt;
}

std::string_view DefaultEndpoint(Protocol protocol) {
  switch (protocol) {
    case Protocol::kJaegerThriftHttp:
      return "127.0.0.1:14268";
    case Protocol::kJaegerThriftCompactUdp:
      return "127.0.0.1:6831";
    case Protocol::kZipkinJson:
      return "127.0.0.1:9411";
    default:
      return "127.0.0.1:4317";
  }
}

bool HasAcknowledgements(Protocol protocol) {
  return protocol != Protocol::kJaegerThriftCompactUdp;
}

std::unique_ptr<Sender> Sender::Create(Protocol protocol, const std::string& endpoint,
                                       const std::string& tenant) {
  switch (protocol) {
    case Protocol::kOtlpGrpc:
      return std::make_unique<GrpcSender>(endpoint, tenant);
    case Protocol::kJaegerThriftCompactUdp:
      return std::make_unique<UdpSender>(endpoint);
    default:
      return std::make_unique<HttpSender>(endpoint, tenant, RouteFor(protocol));
  }
}

}  // namespace th::tools

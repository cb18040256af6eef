// The OTLP/gRPC receiver over TLS: a client that trusts the CA is served, a plaintext client is
// not, and with client_ca_file a client must present a certificate.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/testing/test_certs.h"
#include "ingest/otlp/otlp_receiver.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "pipeline/testing/test_consumer.h"

namespace th::ingest::otlp {
namespace {

namespace collector = opentelemetry::proto::collector::trace::v1;

collector::ExportTraceServiceRequest OneSpan() {
  collector::ExportTraceServiceRequest req;
  auto* span = req.add_resource_spans()->add_scope_spans()->add_spans();
  span->set_trace_id(std::string(16, '\x01'));
  span->set_span_id(std::string(8, '\x02'));
  span->set_name("GET /cart");
  return req;
}

grpc::StatusCode Export(const std::shared_ptr<grpc::ChannelCredentials>& creds, int port) {
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), creds, args);
  auto stub = collector::TraceService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  collector::ExportTraceServiceResponse resp;
  return stub->Export(&ctx, OneSpan(), &resp).error_code();
}

TEST(OtlpReceiverTls, ServesClientsThatTrustTheCaAndRequiresClientCertsWhenAsked) {
  testing::TestCerts certs = testing::TestCerts::Make();
  ASSERT_TRUE(certs.ok) << "openssl failed to make test certificates";
  pipeline::testing::RecordingConsumer next;
  OtlpReceiverOptions options;
  options.grpc_endpoint = "127.0.0.1:0";
  options.http_endpoint.clear();
  options.grpc_tls.cert_file = certs.server_cert;
  options.grpc_tls.key_file = certs.server_key;
  auto receiver = OtlpReceiver::Start(options, &next);
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  grpc::SslCredentialsOptions trust;
  trust.pem_root_certs = testing::TestCerts::Read(certs.ca_cert);
  EXPECT_EQ(Export(grpc::SslCredentials(trust), (*receiver)->grpc_port()), grpc::StatusCode::OK);
  EXPECT_NE(Export(grpc::InsecureChannelCredentials(), (*receiver)->grpc_port()),
            grpc::StatusCode::OK);
  EXPECT_EQ(next.spans(), 1u);
  (*receiver)->Shutdown(1000);

  // mTLS: the same server certificate, clients verified against the CA.
  options.grpc_tls.client_ca_file = certs.ca_cert;
  auto mtls = OtlpReceiver::Start(options, &next);
  ASSERT_TRUE(mtls.ok()) << mtls.status();
  EXPECT_NE(Export(grpc::SslCredentials(trust), (*mtls)->grpc_port()), grpc::StatusCode::OK)
      << "a client without a certificate must be refused";
  grpc::SslCredentialsOptions with_cert = trust;
  with_cert.pem_cert_chain = testing::TestCerts::Read(certs.client_cert);
  with_cert.pem_private_key = testing::TestCerts::Read(certs.client_key);
  EXPECT_EQ(Export(grpc::SslCredentials(with_cert), (*mtls)->grpc_port()), grpc::StatusCode::OK);
  EXPECT_EQ(next.spans(), 2u);
  (*mtls)->Shutdown(1000);
}

TEST(OtlpReceiverTls, AMissingCertificateFileIsAClearStartError) {
  pipeline::testing::RecordingConsumer next;
  OtlpReceiverOptions options;
  options.grpc_endpoint = "127.0.0.1:0";
  options.http_endpoint.clear();
  options.grpc_tls.cert_file = "/nonexistent/server.crt";
  options.grpc_tls.key_file = "/nonexistent/server.key";
  auto receiver = OtlpReceiver::Start(options, &next);
  ASSERT_FALSE(receiver.ok());
  EXPECT_NE(std::string(Message(receiver.status())).find("/nonexistent/server.key"),
            std::string::npos)
      << receiver.status();
}

}  // namespace
}  // namespace th::ingest::otlp

#include "common/grpc/server_credentials.h"

#include <fstream>
#include <sstream>

#include <grpcpp/security/server_credentials.h>

#include "common/strings.h"

namespace th::grpc_util {
namespace {

Result<std::string> ReadPem(const std::string& key, const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(th::StrCat("tls: cannot read ", key, " ", path));
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(th::StrCat("tls: ", key, " ", path, " is not PEM"));
  }
  return text.str();
}

}  // namespace

Result<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const http::TlsOptions& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.private_key, ReadPem("key_file", tls.key_file));
  ASSIGN_OR_RETURN(pair.cert_chain, ReadPem("cert_file", tls.cert_file));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!tls.client_ca_file.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem("client_ca_file", tls.client_ca_file));
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

}  // namespace th::grpc_util

// gRPC server credentials from http::TlsOptions: insecure when TLS is off, else the certificate
// and key (and, with client_ca_file, required and verified client certificates). gRPC's headers
// stay in the .cc file.
#pragma once

#include <memory>

#include "common/http/server.h"
#include "common/status.h"

namespace grpc {
class ServerCredentials;
}

namespace th::grpc_util {

// Errors: a file that cannot be read (named in the message).
Result<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const http::TlsOptions& tls);

}  // namespace th::grpc_util

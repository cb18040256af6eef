// Helpers for the raw callback gRPC services our receivers implement (the request arrives as a
// grpc::ByteBuffer so the hand-written decoders are the only parse). Include only from .cc files
// that already use gRPC: this header pulls gRPC in.
#pragma once

#include <string>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

namespace th::grpc_util {

// The request's bytes in one string (empty if the buffer cannot be read).
std::string Flatten(const grpc::ByteBuffer& buffer);

// The `x-scope-orgid` metadata (Tempo's and Loki's tenant header), or "".
std::string TenantOf(const grpc::CallbackServerContext* context);

}  // namespace th::grpc_util

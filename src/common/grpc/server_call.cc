#include "common/grpc/server_call.h"

#include <vector>

namespace th::grpc_util {

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

std::string TenantOf(const grpc::CallbackServerContext* context) {
  const auto& md = context->client_metadata();
  auto it = md.find("x-scope-orgid");
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace th::grpc_util

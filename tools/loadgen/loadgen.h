// `tracehouse loadgen`: sends realistic synthetic traces over OTLP (gRPC, HTTP/protobuf or
// HTTP/JSON), Jaeger Thrift (HTTP, or compact over UDP) or Zipkin v2 JSON at a set rate or flat
// out, for a set span count or time, and prints what was acknowledged and refused (over UDP,
// which has no acknowledgements, only what was sent). With --ack-log it records every
// acknowledged trace (id and span count) before counting it, which is what the crash-recovery
// test checks against.
#pragma once

#include <string>
#include <vector>

namespace th::tools {

// Runs the subcommand; returns the process exit code.
int RunLoadgen(const std::vector<std::string>& args);

}  // namespace th::tools

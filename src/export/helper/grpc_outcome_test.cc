// The gRPC answer table shared by the otlp and jaeger exporters.
#include "export/helper/grpc_outcome.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "export/helper/sender.h"

namespace th::exporter::helper {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(GrpcOutcome, FollowsTheCollectorsRetryTable) {
  for (int code : {1, 4, 10, 11, 14, 15}) {
    Status s = OutcomeOfGrpcStatus(code, "m", "", "x:1");
    EXPECT_FALSE(s.ok());
    EXPECT_FALSE(IsPermanent(s)) << code;
  }
  for (int code : {2, 3, 5, 7, 9, 12, 13, 16}) {
    EXPECT_TRUE(IsPermanent(OutcomeOfGrpcStatus(code, "m", "", "x:1"))) << code;
  }
  EXPECT_TRUE(IsPermanent(OutcomeOfGrpcStatus(8, "m", "", "x:1")));
  EXPECT_TRUE(OutcomeOfGrpcStatus(0, "", "", "x:1").ok());
  EXPECT_THAT(std::string(Message(OutcomeOfGrpcStatus(14, "connection refused", "", "x:1"))),
              HasSubstr("UNAVAILABLE: connection refused"));
}

TEST(GrpcOutcome, ResourceExhaustedWithRetryInfoIsThrottled) {
  // google.rpc.Status{code: 8, details: [Any{RetryInfo{retry_delay: {seconds: 2, nanos: 5}}}]}
  std::string duration = std::string("\x08\x02\x10\x05", 4);
  std::string retry_info = "\x0a" + std::string(1, static_cast<char>(duration.size())) + duration;
  std::string type = "type.googleapis.com/google.rpc.RetryInfo";
  std::string any = "\x0a" + std::string(1, static_cast<char>(type.size())) + type + "\x12" +
                    std::string(1, static_cast<char>(retry_info.size())) + retry_info;
  std::string status = std::string("\x08\x08", 2) + "\x1a" +
                       std::string(1, static_cast<char>(any.size())) + any;
  EXPECT_EQ(RetryDelayFromGrpcDetails(status), 2s + 5ns);
  Status s = OutcomeOfGrpcStatus(8, "slow down", status, "x:1");
  EXPECT_FALSE(IsPermanent(s));
  EXPECT_EQ(RetryAfterOf(s), 2s + 5ns);
  EXPECT_EQ(RetryDelayFromGrpcDetails("\xff"), std::nullopt);
}

}  // namespace
}  // namespace th::exporter::helper

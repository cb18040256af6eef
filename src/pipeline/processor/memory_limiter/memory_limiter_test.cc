#include "pipeline/processor/memory_limiter/memory_limiter.h"

#include <atomic>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/node.h"
#include "pipeline/testing/test_consumer.h"

namespace th::pipeline {
namespace {

using ::testing::HasSubstr;

class MemoryLimiterTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Processor>> Make(const std::string& yaml) {
    auto root = config::Node::Parse(yaml, "c.yaml");
    if (!root.ok()) return root.status();
    host_.metrics = &metrics_;
    CreateSettings s;
    s.id = {"memory_limiter", ""};
    s.host = &host_;
    return MakeMemoryLimiterFactory([this] { return used_.load(); })(s, (*root)["memory_limiter"],
                                                                     &next_);
  }

  Status Send(Processor* p) {
    Status answer = absl::UnknownError("not answered");
    p->ConsumeTraces(testing::MakeBatch(2), [&](const Status& s) { answer = s; });
    return answer;
  }

  std::atomic<uint64_t> used_{0};
  metrics::Registry metrics_;
  Host host_;
  testing::RecordingConsumer next_;
};

TEST_F(MemoryLimiterTest, RefusesAboveTheSoftLimitAndAcceptsAgainBelowIt) {
  auto p = Make("memory_limiter: {check_interval: 10ms, limit_mib: 100, spike_limit_mib: 20}\n");
  ASSERT_TRUE(p.ok()) << p.status();
  used_ = 50ull << 20;
  ASSERT_TRUE((*p)->Start().ok());
  EXPECT_TRUE(Send(p->get()).ok());
  used_ = 90ull << 20;  // above 100 - 20
  Status refused;
  for (int i = 0; i < 500 && refused.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    refused = Send(p->get());
  }
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Message(refused), HasSubstr("soft limit of 80 MiB"));
  used_ = 10ull << 20;
  Status accepted = refused;
  for (int i = 0; i < 500 && !accepted.ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    accepted = Send(p->get());
  }
  EXPECT_TRUE(accepted.ok());
  EXPECT_GE(metrics_.GetCounter("otelcol_processor_refused_spans", "",
                                {{"processor", "memory_limiter"}})
                ->Value(),
            2u);
  (*p)->Shutdown(std::chrono::steady_clock::now());
}

TEST_F(MemoryLimiterTest, ConfigNeedsAnIntervalAndALimit) {
  EXPECT_THAT(Message(Make("memory_limiter: {limit_mib: 10}\n").status()),
              HasSubstr("check_interval must be greater than zero"));
  EXPECT_THAT(Message(Make("memory_limiter: {check_interval: 1s}\n").status()),
              HasSubstr("set limit_mib or limit_percentage"));
  EXPECT_THAT(
      Message(Make("memory_limiter: {check_interval: 1s, limit_mib: 10, spike_limit_mib: 10}\n")
                  .status()),
      HasSubstr("spike limit must be smaller"));
  EXPECT_TRUE(Make("memory_limiter: {check_interval: 1s, limit_percentage: 80, "
                   "spike_limit_percentage: 20}\n")
                  .ok());
  EXPECT_GT(AvailableMemoryBytes(), 0u);
}

}  // namespace
}  // namespace th::pipeline

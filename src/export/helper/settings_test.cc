#include "export/helper/settings.h"

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "export/helper/internal/backoff.h"

namespace th::exporter::helper {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

config::Node MustParse(std::string_view text) {
  Result<config::Node> n = config::Node::Parse(text, "c.yaml");
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *n : config::Node();
}

TEST(HelperSettings, DefaultsAreTheCollectors) {
  HelperSettings s;
  ASSERT_TRUE(ParseHelperSettings(MustParse("otlp:\n  endpoint: x\n")["otlp"], "", &s).ok());
  EXPECT_EQ(s.timeout, 5s);
  EXPECT_TRUE(s.queue.enabled);
  EXPECT_EQ(s.queue.num_consumers, 10);
  EXPECT_EQ(s.queue.queue_size, 1000);
  EXPECT_EQ(s.queue.sizer, QueueSizer::kRequests);
  EXPECT_TRUE(s.retry.enabled);
  EXPECT_EQ(s.retry.initial_interval, 5s);
  EXPECT_EQ(s.retry.randomization_factor, 0.5);
  EXPECT_EQ(s.retry.multiplier, 1.5);
  EXPECT_EQ(s.retry.max_interval, 30s);
  EXPECT_EQ(s.retry.max_elapsed_time, 300s);
}

TEST(HelperSettings, ReadsEveryKey) {
  config::Node n = MustParse(
      "e:\n"
      "  timeout: 2s\n"
      "  sending_queue:\n"
      "    enabled: true\n"
      "    num_consumers: 3\n"
      "    queue_size: 50\n"
      "    sizer: items\n"
      "    storage: file_storage\n"
      "    wait_for_result: true\n"
      "  retry_on_failure:\n"
      "    initial_interval: 10ms\n"
      "    randomization_factor: 0\n"
      "    multiplier: 2\n"
      "    max_interval: 1s\n"
      "    max_elapsed_time: 0\n")["e"];
  HelperSettings s;
  ASSERT_TRUE(ParseHelperSettings(n, "/var/lib/th", &s).ok());
  EXPECT_EQ(s.timeout, 2s);
  EXPECT_EQ(s.queue.num_consumers, 3);
  EXPECT_EQ(s.queue.queue_size, 50);
  EXPECT_EQ(s.queue.sizer, QueueSizer::kItems);
  EXPECT_EQ(s.queue.storage, "file_storage");
  EXPECT_TRUE(s.queue.wait_for_result);
  EXPECT_EQ(s.retry.initial_interval, 10ms);
  EXPECT_EQ(s.retry.multiplier, 2);
  EXPECT_EQ(s.retry.max_elapsed_time, 0s);
}

TEST(HelperSettings, ErrorsNameFileLineColumnAndKey) {
  HelperSettings s;
  Status st = ParseHelperSettings(
      MustParse("e:\n  sending_queue:\n    queue_sise: 3\n")["e"], "", &s);
  EXPECT_THAT(std::string(Message(st)),
              HasSubstr("c.yaml:3:5: e.sending_queue.queue_sise: unknown key"));

  st = ParseHelperSettings(MustParse("e:\n  retry_on_failure:\n    multiplier: 0.5\n")["e"], "",
                           &s);
  EXPECT_THAT(std::string(Message(st)),
              HasSubstr("c.yaml:3:17: e.retry_on_failure.multiplier: must be at least 1"));

  st = ParseHelperSettings(MustParse("e:\n  timeout: soon\n")["e"], "", &s);
  EXPECT_THAT(std::string(Message(st)), HasSubstr("c.yaml:2:12: e.timeout"));
}

TEST(HelperSettings, PersistentQueueNeedsADataDirectory) {
  HelperSettings s;
  Status st = ParseHelperSettings(
      MustParse("e:\n  sending_queue:\n    storage: file_storage\n")["e"], "", &s);
  EXPECT_THAT(std::string(Message(st)),
              HasSubstr("c.yaml:3:14: e.sending_queue.storage: a persistent queue needs a data "
                        "directory"));
}

TEST(HelperSettings, RefusesOptionsThatWouldBlockOrBatch) {
  HelperSettings s;
  Status st = ParseHelperSettings(
      MustParse("e:\n  sending_queue:\n    block_on_overflow: true\n")["e"], "", &s);
  EXPECT_THAT(std::string(Message(st)), HasSubstr("block_on_overflow: not supported"));
  st = ParseHelperSettings(MustParse("e:\n  sending_queue:\n    batch: {}\n")["e"], "", &s);
  EXPECT_THAT(std::string(Message(st)), HasSubstr("sending_queue.batch: not supported"));
}

TEST(BackOff, GrowsByMultiplierUpToMaxAndStopsAtMaxElapsedTime) {
  RetrySettings r;
  r.initial_interval = 100ms;
  r.randomization_factor = 0;
  r.multiplier = 2;
  r.max_interval = 300ms;
  r.max_elapsed_time = 1s;
  std::mt19937_64 rng(1);
  internal::BackOff b(r, &rng);
  EXPECT_EQ(b.Next(0ms), 100ms);
  EXPECT_EQ(b.Next(100ms), 200ms);
  EXPECT_EQ(b.Next(300ms), 300ms);
  EXPECT_EQ(b.Next(600ms), 300ms);
  EXPECT_EQ(b.Next(900ms), std::nullopt);  // 900ms + 300ms > 1s
}

TEST(BackOff, RandomisesWithinTheFactorAndHonoursRetryAfter) {
  RetrySettings r;
  r.initial_interval = 1s;
  r.randomization_factor = 0.5;
  r.multiplier = 1;
  r.max_elapsed_time = 0s;  // forever
  std::mt19937_64 rng(7);
  internal::BackOff b(r, &rng);
  for (int i = 0; i < 100; ++i) {
    auto w = b.Next(std::chrono::hours(i));
    ASSERT_TRUE(w.has_value());
    EXPECT_GE(*w, 500ms);
    EXPECT_LE(*w, 1500ms);
  }
  EXPECT_EQ(b.Next(0s, 10s), 10s);
}

}  // namespace
}  // namespace th::exporter::helper

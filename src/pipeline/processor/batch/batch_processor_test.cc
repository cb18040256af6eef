#include "pipeline/processor/batch/batch_processor.h"

#include <future>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config/node.h"
#include "pipeline/testing/test_consumer.h"

namespace th::pipeline {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class BatchProcessorTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Processor>> Make(const std::string& yaml) {
    auto root = config::Node::Parse(yaml, "c.yaml");
    if (!root.ok()) return root.status();
    host_.metrics = &metrics_;
    CreateSettings s;
    s.id = {"batch", ""};
    s.host = &host_;
    return MakeBatchProcessorFactory()(s, (*root)["batch"], &next_);
  }

  metrics::Registry metrics_;
  Host host_;
  testing::RecordingConsumer next_;
};

TEST_F(BatchProcessorTest, SendsAtOnceWhenSendBatchSizeIsReachedAndAnswersAfterDownstream) {
  auto p = Make("batch: {timeout: 1h, send_batch_size: 10}\n");
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_TRUE((*p)->Start().ok());
  next_.set_hold(true);
  int answered = 0;
  (*p)->ConsumeTraces(testing::MakeBatch(6, "single-tenant", "svc", 0),
                      [&](const Status& s) { answered += s.ok(); });
  EXPECT_EQ(next_.batch_count(), 0u);
  (*p)->ConsumeTraces(testing::MakeBatch(6, "single-tenant", "svc", 6),
                      [&](const Status& s) { answered += s.ok(); });
  ASSERT_EQ(next_.batch_count(), 1u);
  EXPECT_EQ(answered, 0) << "senders are answered only once downstream has accepted the batch";
  next_.Release();
  EXPECT_EQ(answered, 2);
  auto batches = next_.TakeBatches();
  ASSERT_EQ(batches[0]->span_count(), 12u);
  EXPECT_EQ(batches[0]->spans.name[11], "op-11");
  (*p)->Shutdown(std::chrono::steady_clock::now());
}

TEST_F(BatchProcessorTest, SendsWhatWaitedForTheTimeout) {
  auto p = Make("batch: {timeout: 50ms}\n");
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->Start().ok());
  std::promise<Status> answer;
  (*p)->ConsumeTraces(testing::MakeBatch(3), [&](const Status& s) { answer.set_value(s); });
  std::future<Status> answered = answer.get_future();
  ASSERT_EQ(answered.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(answered.get().ok());
  EXPECT_EQ(next_.spans(), 3u);
  EXPECT_EQ(metrics_.GetCounter("otelcol_processor_batch_timeout_trigger_send", "",
                                {{"processor", "batch"}})
                ->Value(),
            1u);
  (*p)->Shutdown(std::chrono::steady_clock::now());
}

TEST_F(BatchProcessorTest, KeepsTenantsApartAndCutsAtTheMaxSize) {
  auto p = Make("batch: {timeout: 1h, send_batch_size: 4, send_batch_max_size: 4}\n");
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->Start().ok());
  int answered = 0;
  (*p)->ConsumeTraces(testing::MakeBatch(3, "a"), [&](const Status&) { ++answered; });
  (*p)->ConsumeTraces(testing::MakeBatch(3, "b"), [&](const Status&) { ++answered; });
  EXPECT_EQ(next_.batch_count(), 0u);
  (*p)->ConsumeTraces(testing::MakeBatch(7, "a", "svc", 3), [&](const Status&) { ++answered; });
  auto batches = next_.TakeBatches();
  ASSERT_EQ(batches.size(), 3u);  // 10 spans of tenant a: 4 + 4 + 2
  EXPECT_EQ(batches[0]->span_count(), 4u);
  EXPECT_EQ(batches[2]->span_count(), 2u);
  for (auto& b : batches) EXPECT_EQ(b->tenant, "a");
  EXPECT_EQ(batches[2]->spans.name[1], "op-9");
  EXPECT_EQ(answered, 2);
  // Shutdown hands on what waits (tenant b) and answers its sender.
  (*p)->Shutdown(std::chrono::steady_clock::now());
  EXPECT_EQ(answered, 3);
  auto rest = next_.TakeBatches();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0]->tenant, "b");
}

TEST_F(BatchProcessorTest, ADownstreamErrorReachesEverySenderOfTheBatch) {
  auto p = Make("batch: {timeout: 1h, send_batch_size: 2}\n");
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->Start().ok());
  next_.set_answer(absl::UnavailableError("sending queue is full"));
  std::vector<Status> answers;
  (*p)->ConsumeTraces(testing::MakeBatch(1), [&](const Status& s) { answers.push_back(s); });
  (*p)->ConsumeTraces(testing::MakeBatch(1), [&](const Status& s) { answers.push_back(s); });
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(answers[1].code(), absl::StatusCode::kUnavailable);
  (*p)->Shutdown(std::chrono::steady_clock::now());
}

TEST_F(BatchProcessorTest, DrainSendsWhatWaitsAndEverythingAfterAtOnce) {
  auto p = Make("batch: {timeout: 1h, send_batch_size: 1000}\n");
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->Start().ok());
  int answered = 0;
  (*p)->ConsumeTraces(testing::MakeBatch(2), [&](const Status& s) { answered += s.ok(); });
  EXPECT_EQ(answered, 0);
  (*p)->Drain();
  EXPECT_EQ(answered, 1);
  (*p)->ConsumeTraces(testing::MakeBatch(2), [&](const Status& s) { answered += s.ok(); });
  EXPECT_EQ(answered, 2) << "after Drain nothing waits for the timeout";
  (*p)->Shutdown(std::chrono::steady_clock::now());
  EXPECT_EQ(next_.spans(), 4u);
}

TEST_F(BatchProcessorTest, LogsAreJoinedByConcatenationAndCutBetweenRequests) {
  auto root = config::Node::Parse("batch: {timeout: 1h, send_batch_size: 5, send_batch_max_size: 5}\n",
                                  "c.yaml");
  ASSERT_TRUE(root.ok());
  host_.metrics = &metrics_;
  CreateSettings s;
  s.id = {"batch", ""};
  s.host = &host_;
  struct Recorder : LogsConsumer {
    std::vector<std::unique_ptr<model::LogsBatch>> got;
    void ConsumeLogs(std::unique_ptr<model::LogsBatch>&& b, Done done) override {
      got.push_back(std::move(b));
      done(absl::OkStatus());
    }
  } next;
  auto p = MakeBatchLogsProcessorFactory()(s, (*root)["batch"], &next);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_TRUE((*p)->Start().ok());
  auto logs = [](std::string bytes, uint64_t n) {
    auto b = std::make_unique<model::LogsBatch>();
    b->tenant = "t";
    b->otlp = std::move(bytes);
    b->record_count = n;
    return b;
  };
  int answered = 0;
  (*p)->ConsumeLogs(logs("aa", 2), [&](const Status&) { ++answered; });
  (*p)->ConsumeLogs(logs("bbb", 2), [&](const Status&) { ++answered; });
  EXPECT_TRUE(next.got.empty());
  (*p)->ConsumeLogs(logs("cc", 2), [&](const Status&) { ++answered; });
  ASSERT_EQ(next.got.size(), 2u);  // 2 + 2 fit under 5; the third request starts a new piece
  EXPECT_EQ(next.got[0]->otlp, "aabbb");
  EXPECT_EQ(next.got[0]->record_count, 4u);
  EXPECT_EQ(next.got[1]->otlp, "cc");
  EXPECT_EQ(answered, 3);
  (*p)->Shutdown(std::chrono::steady_clock::now());
}

TEST_F(BatchProcessorTest, ConfigErrorsNameTheKey) {
  auto bad = Make("batch:\n  send_batch_size: 100\n  send_batch_max_size: 10\n");
  EXPECT_THAT(Message(bad.status()), HasSubstr("c.yaml:3:24: batch.send_batch_max_size"));
  auto unknown = Make("batch:\n  size: 1\n");
  EXPECT_THAT(Message(unknown.status()), HasSubstr("batch.size: unknown key"));
  auto meta = Make("batch:\n  metadata_keys: [x-team]\n");
  EXPECT_THAT(Message(meta.status()), HasSubstr("only x-scope-orgid"));
  EXPECT_TRUE(Make("batch:\n  metadata_keys: [X-Scope-OrgID]\n").ok());
  EXPECT_TRUE(Make("batch:\n").ok());
}

}  // namespace
}  // namespace th::pipeline

// The queued exporter against a scripted Sender: acknowledgement, queue bounds, retries,
// permanent errors, a sender's progress across retries, shutdown and metrics.
#include "export/helper/queued_exporter.h"

#include <filesystem>
#include <future>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "export/helper/testing/logs_test_util.h"
#include "export/helper/testing/test_util.h"

namespace th::exporter::helper {
namespace {

using namespace std::chrono_literals;
using testing::Outcomes;
using testing::MakeBatch;
using testing::WaitFor;

// Answers each Send with the next scripted status (then `otherwise`), optionally holding every
// send until Release(), and records what it sent.
class ScriptedSender : public Sender {
 public:
  Status Send(const model::SpanBatch& batch, SendContext& context) override {
    absl::MutexLock lock(&mu_);
    ++attempts_;
    mu_.Await(absl::Condition(&open_));
    Status s = otherwise_;
    if (!script_.empty()) {
      s = script_.front();
      script_.erase(script_.begin());
    }
    context.rejected_items = rejected_;
    if (s.ok()) {
      spans_ += batch.span_count();
      tenants_.push_back(batch.tenant);
      for (size_t i = 0; i < batch.span_count(); ++i) names_.emplace_back(batch.spans.name[i]);
    }
    return s;
  }
  void Script(std::vector<Status> s, Status otherwise = absl::OkStatus()) {
    absl::MutexLock lock(&mu_);
    script_ = std::move(s);
    otherwise_ = std::move(otherwise);
  }
  void Hold() {
    absl::MutexLock lock(&mu_);
    open_ = false;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  void SetRejected(int64_t n) {
    absl::MutexLock lock(&mu_);
    rejected_ = n;
  }
  int attempts() const {
    absl::MutexLock lock(&mu_);
    return attempts_;
  }
  size_t spans() const {
    absl::MutexLock lock(&mu_);
    return spans_;
  }
  std::vector<std::string> names() const {
    absl::MutexLock lock(&mu_);
    return names_;
  }
  std::vector<std::string> tenants() const {
    absl::MutexLock lock(&mu_);
    return tenants_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Status> script_;
  Status otherwise_;
  bool open_ = true;
  int attempts_ = 0;
  int64_t rejected_ = 0;
  size_t spans_ = 0;
  std::vector<std::string> names_;
  std::vector<std::string> tenants_;
};

// The logs counterpart of ScriptedSender: answers with the next scripted status (then `otherwise`)
// and records the batches it delivered.
class ScriptedLogsSender : public LogsSender {
 public:
  Status Send(const model::LogsBatch& batch, SendContext& context) override {
    absl::MutexLock lock(&mu_);
    ++attempts_;
    mu_.Await(absl::Condition(&open_));
    Status s = otherwise_;
    if (!script_.empty()) {
      s = script_.front();
      script_.erase(script_.begin());
    }
    context.rejected_items = rejected_;
    if (s.ok()) sent_.push_back(batch);
    return s;
  }
  void Script(std::vector<Status> s, Status otherwise = absl::OkStatus()) {
    absl::MutexLock lock(&mu_);
    script_ = std::move(s);
    otherwise_ = std::move(otherwise);
  }
  void Hold() {
    absl::MutexLock lock(&mu_);
    open_ = false;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  void SetRejected(int64_t n) {
    absl::MutexLock lock(&mu_);
    rejected_ = n;
  }
  int attempts() const {
    absl::MutexLock lock(&mu_);
    return attempts_;
  }
  std::vector<model::LogsBatch> sent() const {
    absl::MutexLock lock(&mu_);
    return sent_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Status> script_;
  Status otherwise_;
  bool open_ = true;
  int attempts_ = 0;
  int64_t rejected_ = 0;
  std::vector<model::LogsBatch> sent_;
};

// Collects `done` outcomes.
class QueuedExporterTest : public ::testing::Test {
 protected:
  QueuedExporterTest() {
    settings_.retry.initial_interval = 2ms;
    settings_.retry.max_interval = 10ms;
    settings_.retry.max_elapsed_time = 5s;
    settings_.queue.num_consumers = 2;
    dir_ = std::filesystem::temp_directory_path() /
           ("th_queued_exporter_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    host_.metrics = &metrics_;
  }
  ~QueuedExporterTest() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<pipeline::Exporter> Make(ScriptedSender** sender_out,
                                           const std::string& id = "otlp/test") {
    auto sender = std::make_unique<ScriptedSender>();
    *sender_out = sender.get();
    pipeline::CreateSettings create;
    create.id = pipeline::ComponentId{id.substr(0, id.find('/')),
                                      id.find('/') == std::string::npos ? "" : id.substr(id.find('/') + 1)};
    create.host = &host_;
    auto e = NewQueuedExporter(create, settings_, std::move(sender));
    EXPECT_TRUE(e.ok()) << e.status();
    return std::move(e).value();
  }

  std::unique_ptr<pipeline::LogsExporter> MakeLogs(ScriptedLogsSender** sender_out,
                                                   const std::string& id = "otlp/test") {
    auto sender = std::make_unique<ScriptedLogsSender>();
    *sender_out = sender.get();
    pipeline::CreateSettings create;
    create.id = pipeline::ComponentId{id.substr(0, id.find('/')),
                                      id.find('/') == std::string::npos ? "" : id.substr(id.find('/') + 1)};
    create.host = &host_;
    auto e = NewQueuedLogsExporter(create, settings_, std::move(sender));
    EXPECT_TRUE(e.ok()) << e.status();
    return std::move(e).value();
  }

  uint64_t Counter(const std::string& name, const std::string& id = "otlp/test") {
    return metrics_.GetCounter(name, "", {{"exporter", id}})->Value();
  }
  double Gauge(const std::string& name, const std::string& id = "otlp/test") {
    return metrics_.GetGauge(name, "", {{"exporter", id}})->Value();
  }
  double LogsGauge(const std::string& name, const std::string& id = "otlp/test") {
    return metrics_.GetGauge(name, "", {{"exporter", id}, {"data_type", "logs"}})->Value();
  }

  HelperSettings settings_;
  metrics::Registry metrics_;
  pipeline::Host host_;
  std::filesystem::path dir_;
};

TEST_F(QueuedExporterTest, AcknowledgesWhenQueuedAndSendsInTheBackground) {
  ScriptedSender* sender;
  auto e = Make(&sender);
  ASSERT_TRUE(e->Start().ok());
  EXPECT_FALSE(e->AcknowledgesDurably());
  sender->Hold();
  Outcomes done;
  for (int i = 0; i < 5; ++i) e->ConsumeTraces(MakeBatch("svc", 3, "acme", i * 10), done.Callback());
  // Acknowledged while every send is still held.
  ASSERT_EQ(done.size(), 5u);
  for (const Status& s : done.Get()) EXPECT_TRUE(s.ok()) << s;
  sender->Release();
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_spans") == 15; }));
  EXPECT_EQ(sender->spans(), 15u);
  EXPECT_THAT(sender->tenants(), ::testing::Each("acme"));
  EXPECT_EQ(Gauge("otelcol_exporter_queue_capacity"), 1000);
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(Gauge("otelcol_exporter_queue_size"), 0);
}

TEST_F(QueuedExporterTest, RetriesOfOneBatchKeepTheSendersProgress) {
  // Delivers one request per attempt and fails until three are done, like a sender that splits
  // a batch into several calls; records the progress each attempt starts from.
  class ProgressSender : public Sender {
   public:
    Status Send(const model::SpanBatch&, SendContext& context) override {
      absl::MutexLock lock(&mu_);
      starts_.push_back(context.requests_done);
      if (++context.requests_done < 3) return absl::UnavailableError("more to send");
      return absl::OkStatus();
    }
    std::vector<size_t> starts() const {
      absl::MutexLock lock(&mu_);
      return starts_;
    }

   private:
    mutable absl::Mutex mu_;
    std::vector<size_t> starts_;
  };
  settings_.queue.num_consumers = 1;
  auto owned = std::make_unique<ProgressSender>();
  ProgressSender* sender = owned.get();
  pipeline::CreateSettings create;
  create.id = pipeline::ComponentId{"otlp", "test"};
  create.host = &host_;
  auto e = NewQueuedExporter(create, settings_, std::move(owned));
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE((*e)->Start().ok());
  Outcomes done;
  (*e)->ConsumeTraces(MakeBatch("svc", 2), done.Callback());
  (*e)->ConsumeTraces(MakeBatch("svc", 2), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_spans") == 4; }));
  EXPECT_THAT(sender->starts(), ::testing::ElementsAre(0, 1, 2, 0, 1, 2));
  (*e)->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(QueuedExporterTest, FullQueueAnswersUnavailableAndCounts) {
  settings_.queue.num_consumers = 1;
  settings_.queue.queue_size = 2;
  ScriptedSender* sender;
  auto e = Make(&sender);
  ASSERT_TRUE(e->Start().ok());
  sender->Hold();
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 1), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return sender->attempts() == 1; }));  // the worker holds it
  e->ConsumeTraces(MakeBatch("svc", 2), done.Callback());
  e->ConsumeTraces(MakeBatch("svc", 3), done.Callback());
  EXPECT_EQ(Gauge("otelcol_exporter_queue_size"), 2);
  e->ConsumeTraces(MakeBatch("svc", 4), done.Callback());
  std::vector<Status> got = done.Get();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_TRUE(got[2].ok());
  EXPECT_EQ(got[3].code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Message(got[3]), "sending queue is full");
  EXPECT_EQ(Counter("otelcol_exporter_enqueue_failed_spans"), 4u);
  sender->Release();
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_spans") == 6; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(QueuedExporterTest, ItemsSizerCountsSpans) {
  settings_.queue.num_consumers = 1;
  settings_.queue.queue_size = 5;
  settings_.queue.sizer = QueueSizer::kItems;
  ScriptedSender* sender;
  auto e = Make(&sender);
  ASSERT_TRUE(e->Start().ok());
  sender->Hold();
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 1), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return sender->attempts() == 1; }));
  e->ConsumeTraces(MakeBatch("svc", 4), done.Callback());
  e->ConsumeTraces(MakeBatch("svc", 2), done.Callback());  // 4 + 2 > 5
  std::vector<Status> got = done.Get();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[1].ok());
  EXPECT_EQ(got[2].code(), absl::StatusCode::kUnavailable);
  sender->Release();
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 5u);
}

TEST_F(QueuedExporterTest, RetriesRetryableErrorsUntilDelivered) {
  ScriptedSender* sender;
  auto e = Make(&sender);
  sender->Script({absl::UnavailableError("down"), absl::DeadlineExceededError("slow"),
                  WithRetryAfter(absl::UnavailableError("throttled"), 5ms)});
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 2), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_spans") == 2; }));
  EXPECT_EQ(sender->attempts(), 4);
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_spans"), 0u);
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(QueuedExporterTest, PermanentErrorsAreNotRetried) {
  ScriptedSender* sender;
  auto e = Make(&sender);
  sender->Script({Permanent(absl::InvalidArgumentError("bad span"))});
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 3), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_send_failed_spans") == 3; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(sender->attempts(), 1);
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 0u);
}

TEST_F(QueuedExporterTest, DropsAndCountsWhenRetriesRunOut) {
  settings_.retry.max_elapsed_time = 30ms;
  ScriptedSender* sender;
  auto e = Make(&sender);
  sender->Script({}, absl::UnavailableError("connection refused"));
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 4), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_send_failed_spans") == 4; }));
  EXPECT_GT(sender->attempts(), 2);
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(QueuedExporterTest, PartialSuccessCountsRejectedSpansAsFailed) {
  ScriptedSender* sender;
  auto e = Make(&sender);
  sender->SetRejected(1);
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 3), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_spans") == 2; }));
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_spans"), 1u);
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(QueuedExporterTest, WithoutQueueDoneReportsTheOutcomeWithoutBlockingTheCaller) {
  settings_.queue.enabled = false;
  ScriptedSender* sender;
  auto e = Make(&sender);
  EXPECT_TRUE(e->AcknowledgesDurably());
  ASSERT_TRUE(e->Start().ok());
  sender->Hold();
  sender->Script({absl::OkStatus(), Permanent(absl::InvalidArgumentError("bad data"))});
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 1), done.Callback());  // returns although the send is held
  EXPECT_EQ(done.size(), 0u);
  sender->Release();
  ASSERT_TRUE(WaitFor([&] { return done.size() == 1; }));
  EXPECT_TRUE(done.Get()[0].ok());
  e->ConsumeTraces(MakeBatch("svc", 1), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return done.size() == 2; }));
  EXPECT_EQ(done.Get()[1].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(done.Get()[1]), "bad data");
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(QueuedExporterTest, ShutdownDrainsTheQueue) {
  settings_.queue.num_consumers = 1;
  ScriptedSender* sender;
  auto e = Make(&sender);
  ASSERT_TRUE(e->Start().ok());
  sender->Hold();
  Outcomes done;
  for (int i = 0; i < 20; ++i) e->ConsumeTraces(MakeBatch("svc", 1, "t", i), done.Callback());
  std::thread release([&] {
    std::this_thread::sleep_for(20ms);
    sender->Release();
  });
  e->Shutdown(std::chrono::steady_clock::now() + 5s);
  release.join();
  EXPECT_EQ(sender->spans(), 20u);
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 20u);
  // After shutdown, batches are refused (retryably).
  e->ConsumeTraces(MakeBatch("svc", 1), done.Callback());
  EXPECT_EQ(done.Get().back().code(), absl::StatusCode::kUnavailable);
}

TEST_F(QueuedExporterTest, ShutdownDeadlineStopsRetryingAndCountsWhatIsDropped) {
  settings_.retry.initial_interval = 1s;
  settings_.retry.max_interval = 1s;
  ScriptedSender* sender;
  auto e = Make(&sender);
  sender->Script({}, absl::UnavailableError("down"));
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  for (int i = 0; i < 5; ++i) e->ConsumeTraces(MakeBatch("svc", 2, "t", i * 10), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return sender->attempts() >= 2; }));
  auto start = std::chrono::steady_clock::now();
  e->Shutdown(start + 50ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_spans"), 10u);
  EXPECT_EQ(Gauge("otelcol_exporter_queue_size"), 0);
}

TEST_F(QueuedExporterTest, PersistentQueueSurvivesARestart) {
  host_.data_dir = dir_.string();
  settings_.queue.storage = "file_storage";
  settings_.retry.initial_interval = 1s;
  settings_.retry.max_interval = 1s;
  std::vector<std::string> expected;
  {
    ScriptedSender* sender;
    auto e = Make(&sender);
    EXPECT_TRUE(e->AcknowledgesDurably());
    sender->Script({}, absl::UnavailableError("downstream is down"));
    ASSERT_TRUE(e->Start().ok());
    Outcomes done;
    for (int i = 0; i < 3; ++i) {
      auto b = MakeBatch("svc" + std::to_string(i), 2, "tenant-" + std::to_string(i), i * 10);
      for (size_t j = 0; j < b->span_count(); ++j) expected.emplace_back(b->spans.name[j]);
      e->ConsumeTraces(std::move(b), done.Callback());
    }
    ASSERT_TRUE(WaitFor([&] { return done.size() == 3; }));
    for (const Status& s : done.Get()) EXPECT_TRUE(s.ok()) << s;
    e->Shutdown(std::chrono::steady_clock::now() + 20ms);
    EXPECT_EQ(Counter("otelcol_exporter_send_failed_spans"), 0u);  // kept, not dropped
  }
  size_t files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir_ / "otlp%2Ftest")) {
    files += f.path().extension() == ".batch";
  }
  EXPECT_EQ(files, 3u);
  {
    ScriptedSender* sender;
    auto e = Make(&sender);
    ASSERT_TRUE(e->Start().ok());
    ASSERT_TRUE(WaitFor([&] { return sender->spans() == 6; }));
    e->Shutdown(std::chrono::steady_clock::now() + 1s);
    EXPECT_THAT(sender->names(), ::testing::UnorderedElementsAreArray(expected));
    EXPECT_THAT(sender->tenants(),
                ::testing::UnorderedElementsAre("tenant-0", "tenant-1", "tenant-2"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "otlp%2Ftest"));
}

TEST_F(QueuedExporterTest, PersistentQueueCountsReplayedBatchesAgainstCapacity) {
  host_.data_dir = dir_.string();
  settings_.queue.storage = "file_storage";
  settings_.queue.queue_size = 2;
  settings_.queue.num_consumers = 1;
  {
    ScriptedSender* sender;
    auto e = Make(&sender);
    sender->Hold();
    ASSERT_TRUE(e->Start().ok());
    Outcomes done;
    e->ConsumeTraces(MakeBatch("svc", 1), done.Callback());
    ASSERT_TRUE(WaitFor([&] { return sender->attempts() == 1; }));
    e->ConsumeTraces(MakeBatch("svc", 1, "t", 5), done.Callback());
    e->ConsumeTraces(MakeBatch("svc", 1, "t", 6), done.Callback());
    ASSERT_TRUE(WaitFor([&] { return done.size() == 3; }));
    e->ConsumeTraces(MakeBatch("svc", 1, "t", 7), done.Callback());
    EXPECT_EQ(done.Get().back().code(), absl::StatusCode::kUnavailable);
    sender->Script({}, absl::UnavailableError("down"));
    sender->Release();
    e->Shutdown(std::chrono::steady_clock::now() + 10ms);
  }
  ScriptedSender* sender;
  auto e = Make(&sender);
  sender->Hold();
  ASSERT_TRUE(e->Start().ok());
  // Three batches on disk (the one in flight at shutdown too), over the capacity of two.
  EXPECT_GE(Gauge("otelcol_exporter_queue_size"), 2);
  Outcomes done;
  e->ConsumeTraces(MakeBatch("svc", 1, "t", 8), done.Callback());
  EXPECT_EQ(done.Get().back().code(), absl::StatusCode::kUnavailable);
  sender->Release();
  ASSERT_TRUE(WaitFor([&] { return sender->spans() == 3; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(QueuedExporterTest, LogsQueueRetriesAndCountsLogRecords) {
  ScriptedLogsSender* sender;
  auto e = MakeLogs(&sender);
  sender->Script({absl::UnavailableError("down"), absl::OkStatus()});
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  auto batch = testing::MakeLogsBatch("svc", 3, "acme");
  std::string want = batch->otlp;
  e->ConsumeLogs(std::move(batch), done.Callback());
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(done.Get()[0].ok());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_log_records") == 3; }));
  EXPECT_EQ(sender->attempts(), 2);
  ASSERT_EQ(sender->sent().size(), 1u);
  EXPECT_EQ(sender->sent()[0].otlp, want);
  EXPECT_EQ(sender->sent()[0].tenant, "acme");
  EXPECT_EQ(sender->sent()[0].record_count, 3u);

  sender->SetRejected(2);  // partial success
  e->ConsumeLogs(testing::MakeLogsBatch("svc", 5), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_log_records") == 6; }));
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_log_records"), 2u);
  sender->SetRejected(0);
  sender->Script({Permanent(absl::InvalidArgumentError("bad record"))});
  e->ConsumeLogs(testing::MakeLogsBatch("svc", 4), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_send_failed_log_records") == 6; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  // Nothing of it shows as spans.
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 0u);
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_spans"), 0u);
}

TEST_F(QueuedExporterTest, LogsFullQueueCountsEnqueueFailedLogRecordsOnItsOwnGauges) {
  settings_.queue.num_consumers = 1;
  settings_.queue.queue_size = 1;
  ScriptedSender* traces_sender;
  auto traces = Make(&traces_sender);  // the same id in a traces pipeline
  ScriptedLogsSender* sender;
  auto e = MakeLogs(&sender);
  ASSERT_TRUE(traces->Start().ok());
  ASSERT_TRUE(e->Start().ok());
  sender->Hold();
  Outcomes done;
  e->ConsumeLogs(testing::MakeLogsBatch("svc", 1), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return sender->attempts() == 1; }));
  e->ConsumeLogs(testing::MakeLogsBatch("svc", 2), done.Callback());
  e->ConsumeLogs(testing::MakeLogsBatch("svc", 7), done.Callback());
  std::vector<Status> got = done.Get();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(got[1].ok());
  EXPECT_EQ(got[2].code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Counter("otelcol_exporter_enqueue_failed_log_records"), 7u);
  EXPECT_EQ(Counter("otelcol_exporter_enqueue_failed_spans"), 0u);
  EXPECT_EQ(LogsGauge("otelcol_exporter_queue_size"), 1);
  EXPECT_EQ(LogsGauge("otelcol_exporter_queue_capacity"), 1);
  EXPECT_EQ(Gauge("otelcol_exporter_queue_size"), 0);  // the traces queue's, unchanged
  sender->Release();
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_log_records") == 3; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  traces->Shutdown(std::chrono::steady_clock::now() + 1s);
}

TEST_F(QueuedExporterTest, LogsPersistentQueueSurvivesARestartAndIsNotReplayedAsTraces) {
  host_.data_dir = dir_.string();
  settings_.queue.storage = "file_storage";
  settings_.retry.initial_interval = 1s;
  settings_.retry.max_interval = 1s;
  std::vector<std::string> expected;
  {
    ScriptedLogsSender* sender;
    auto e = MakeLogs(&sender);
    sender->Script({}, absl::UnavailableError("downstream is down"));
    ASSERT_TRUE(e->Start().ok());
    Outcomes done;
    for (int i = 0; i < 3; ++i) {
      auto b = testing::MakeLogsBatch("svc" + std::to_string(i), 2, "tenant-" + std::to_string(i),
                                      i * 10);
      expected.push_back(b->otlp);
      e->ConsumeLogs(std::move(b), done.Callback());
    }
    ASSERT_TRUE(WaitFor([&] { return done.size() == 3; }));
    for (const Status& s : done.Get()) EXPECT_TRUE(s.ok()) << s;
    e->Shutdown(std::chrono::steady_clock::now() + 20ms);
    EXPECT_EQ(Counter("otelcol_exporter_send_failed_log_records"), 0u);  // kept, not dropped
  }
  size_t files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir_ / "otlp%2Ftest" / "logs")) {
    files += f.path().extension() == ".batch";
  }
  EXPECT_EQ(files, 3u);
  {
    // The traces exporter of the same id starts on its own directory and finds nothing to send.
    ScriptedSender* sender;
    auto e = Make(&sender);
    ASSERT_TRUE(e->Start().ok());
    Outcomes done;
    e->ConsumeTraces(MakeBatch("svc", 1), done.Callback());
    ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_spans") == 1; }));
    e->Shutdown(std::chrono::steady_clock::now() + 1s);
    EXPECT_EQ(sender->attempts(), 1);
    EXPECT_EQ(sender->spans(), 1u);
  }
  {
    ScriptedLogsSender* sender;
    auto e = MakeLogs(&sender);
    ASSERT_TRUE(e->Start().ok());
    ASSERT_TRUE(WaitFor([&] { return sender->sent().size() == 3; }));
    e->Shutdown(std::chrono::steady_clock::now() + 1s);
    std::vector<std::string> got, tenants;
    for (const model::LogsBatch& b : sender->sent()) {
      got.push_back(b.otlp);
      tenants.push_back(b.tenant);
      EXPECT_EQ(b.record_count, 2u);
    }
    EXPECT_THAT(got, ::testing::UnorderedElementsAreArray(expected));
    EXPECT_THAT(tenants, ::testing::UnorderedElementsAre("tenant-0", "tenant-1", "tenant-2"));
    EXPECT_EQ(Counter("otelcol_exporter_sent_log_records"), 6u);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "otlp%2Ftest" / "logs"));
}

}  // namespace
}  // namespace th::exporter::helper

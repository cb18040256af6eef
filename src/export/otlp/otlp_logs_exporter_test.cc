// The otlp exporter's logs twin against a tiny LogsService on loopback that records the raw
// request bytes: records arrive as the exact bytes with their tenant, a downstream that is down
// and comes back gets every queued batch, partial success and permanent errors are counted in
// log records, and the persistent queue keeps logs across a restart.
#include <unistd.h>

#include <filesystem>

#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "common/config/node.h"
#include "export/helper/testing/logs_test_util.h"
#include "export/helper/testing/test_util.h"
#include "export/otlp/otlp_exporter.h"
#include "model/span_batch.h"

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"

namespace th::exporter::otlp {
namespace {

using namespace std::chrono_literals;
using testing::Outcomes;
using testing::MakeLogsBatch;
using testing::WaitFor;
namespace logs_v1 = opentelemetry::proto::collector::logs::v1;

// LogsService/Export with the request as raw bytes, answering with a scripted status and
// partial success.
class RawLogsService
    : public logs_v1::LogsService::WithRawCallbackMethod_Export<logs_v1::LogsService::Service> {
 public:
  struct Seen {
    std::string bytes;
    std::string tenant;  // x-scope-orgid, "" when absent
  };

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* ctx,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (request->Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) {
        bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    std::string tenant;
    auto it = ctx->client_metadata().find("x-scope-orgid");
    if (it != ctx->client_metadata().end()) tenant.assign(it->second.data(), it->second.size());
    grpc::Status status;
    logs_v1::ExportLogsServiceResponse answer;
    {
      absl::MutexLock lock(&mu_);
      status = status_;
      if (status.ok()) {
        seen_.push_back({bytes, tenant});
        if (rejected_ > 0) {
          answer.mutable_partial_success()->set_rejected_log_records(rejected_);
          answer.mutable_partial_success()->set_error_message("some records were bad");
        }
      }
    }
    std::string out = answer.SerializeAsString();
    grpc::Slice slice(out.data(), out.size());
    *response = grpc::ByteBuffer(&slice, 1);
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

  void SetStatus(grpc::Status s) {
    absl::MutexLock lock(&mu_);
    status_ = std::move(s);
  }
  void SetRejected(int64_t n) {
    absl::MutexLock lock(&mu_);
    rejected_ = n;
  }
  std::vector<Seen> seen() const {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  mutable absl::Mutex mu_;
  grpc::Status status_;
  int64_t rejected_ = 0;
  std::vector<Seen> seen_;
};

config::Node MustParse(const std::string& text) {
  Result<config::Node> n = config::Node::Parse(text, "c.yaml");
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? (*n)["otlp"] : config::Node();
}

class OtlpLogsExporterTest : public ::testing::Test {
 protected:
  OtlpLogsExporterTest() {
    host_.metrics = &metrics_;
    dir_ = std::filesystem::temp_directory_path() /
           ("th_otlp_logs_exporter_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  ~OtlpLogsExporterTest() override {
    StopServer();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(int port = 0) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }
  void StopServer() {
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now() + 100ms);
    server_->Wait();
    server_.reset();
  }

  static std::string Retry() {
    return "  retry_on_failure:\n"
           "    initial_interval: 10ms\n"
           "    max_interval: 50ms\n"
           "    max_elapsed_time: 20s\n";
  }
  std::string Config(const std::string& extra = "") const {
    return "otlp:\n  endpoint: 127.0.0.1:" + std::to_string(port_) +
           "\n  tls:\n    insecure: true\n" + Retry() + extra;
  }

  std::unique_ptr<pipeline::LogsExporter> Make(const std::string& yaml) {
    pipeline::CreateSettings create;
    create.id = {"otlp", ""};
    create.host = &host_;
    auto e = MakeOtlpGrpcLogsExporterFactory()(create, MustParse(yaml));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  uint64_t Counter(const std::string& name) {
    return metrics_.GetCounter(name, "", {{"exporter", "otlp"}})->Value();
  }

  RawLogsService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  metrics::Registry metrics_;
  pipeline::Host host_;
  std::filesystem::path dir_;
};

TEST_F(OtlpLogsExporterTest, RecordsArriveAsTheExactBytesWithTheirTenant) {
  StartServer();
  auto e = Make(Config());
  ASSERT_TRUE(e->Start().ok());
  auto a = MakeLogsBatch("checkout", 3, "acme");
  auto b = MakeLogsBatch("cart", 2, std::string(model::kDefaultTenant), 100);
  std::string want_a = a->otlp, want_b = b->otlp;
  Outcomes done;
  e->ConsumeLogs(std::move(a), done.Callback());
  e->ConsumeLogs(std::move(b), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return service_.seen().size() == 2; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  for (const Status& s : done.Get()) EXPECT_TRUE(s.ok()) << s;
  std::map<std::string, std::string> by_bytes;
  for (const auto& s : service_.seen()) by_bytes[s.bytes] = s.tenant;
  ASSERT_EQ(by_bytes.count(want_a), 1u);
  ASSERT_EQ(by_bytes.count(want_b), 1u);
  EXPECT_EQ(by_bytes[want_a], "acme");
  EXPECT_EQ(by_bytes[want_b], "");  // the default tenant sends no header
  EXPECT_EQ(Counter("otelcol_exporter_sent_log_records"), 5u);
  EXPECT_EQ(Counter("otelcol_exporter_sent_spans"), 0u);
}

TEST_F(OtlpLogsExporterTest, QueuedLogsAreDeliveredWhenTheDownstreamComesBack) {
  StartServer();
  int port = port_;
  StopServer();
  auto e = Make(Config("  timeout: 500ms\n"));
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  std::set<std::string> want;
  for (int i = 0; i < 20; ++i) {
    auto b = MakeLogsBatch("svc", 2, "t", i * 10);
    want.insert(b->otlp);
    e->ConsumeLogs(std::move(b), done.Callback());
  }
  for (const Status& s : done.Get()) EXPECT_TRUE(s.ok()) << s;
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(Counter("otelcol_exporter_sent_log_records"), 0u);
  StartServer(port);
  ASSERT_TRUE(WaitFor([&] { return service_.seen().size() >= 20; }, 15s))
      << service_.seen().size();
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  std::set<std::string> got;
  for (const auto& s : service_.seen()) got.insert(s.bytes);
  EXPECT_EQ(got, want);  // none lost
  EXPECT_EQ(Counter("otelcol_exporter_sent_log_records"), 40u);
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_log_records"), 0u);
}

TEST_F(OtlpLogsExporterTest, PartialSuccessAndPermanentErrorsCountLogRecords) {
  StartServer();
  auto e = Make(Config());
  ASSERT_TRUE(e->Start().ok());
  Outcomes done;
  service_.SetRejected(2);
  e->ConsumeLogs(MakeLogsBatch("svc", 5), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_log_records") == 3; }));
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_log_records"), 2u);

  service_.SetRejected(0);
  service_.SetStatus(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad record"));
  e->ConsumeLogs(MakeLogsBatch("svc", 4, "t", 50), done.Callback());
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_send_failed_log_records") == 6; }));

  // UNAVAILABLE is retried until the server takes it.
  service_.SetStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "overloaded"));
  e->ConsumeLogs(MakeLogsBatch("svc", 1, "t", 60), done.Callback());
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(Counter("otelcol_exporter_sent_log_records"), 3u);
  service_.SetStatus(grpc::Status::OK);
  ASSERT_TRUE(WaitFor([&] { return Counter("otelcol_exporter_sent_log_records") == 4; }));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  EXPECT_EQ(Counter("otelcol_exporter_send_failed_log_records"), 6u);
}

TEST_F(OtlpLogsExporterTest, PersistentQueueKeepsLogsAcrossARestart) {
  host_.data_dir = dir_.string();
  StartServer();
  int port = port_;
  StopServer();
  std::set<std::string> want;
  {
    auto e = Make(Config("  sending_queue:\n    storage: file_storage\n"));
    ASSERT_TRUE(e->Start().ok());
    Outcomes done;
    for (int i = 0; i < 3; ++i) {
      auto b = MakeLogsBatch("svc", 2, "acme", i * 10);
      want.insert(b->otlp);
      e->ConsumeLogs(std::move(b), done.Callback());
    }
    ASSERT_TRUE(WaitFor([&] { return done.Get().size() == 3; }));
    e->Shutdown(std::chrono::steady_clock::now() + 50ms);
  }
  StartServer(port);
  auto e = Make(Config("  sending_queue:\n    storage: file_storage\n"));
  ASSERT_TRUE(e->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return service_.seen().size() >= 3; }, 15s));
  e->Shutdown(std::chrono::steady_clock::now() + 1s);
  std::set<std::string> got;
  for (const auto& s : service_.seen()) {
    got.insert(s.bytes);
    EXPECT_EQ(s.tenant, "acme");
  }
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace th::exporter::otlp

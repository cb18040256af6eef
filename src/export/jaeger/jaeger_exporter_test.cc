#include "export/jaeger/jaeger_exporter.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/synchronization/mutex.h"
#include "common/config/node.h"
#include "common/strings.h"
#include "ingest/jaeger/jaeger_receiver.h"
#include "model/ids.h"

namespace th::exporter::jaeger {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
namespace ij = ::th::ingest::jaeger;

class RecordingConsumer : public pipeline::TracesConsumer {
 public:
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    {
      absl::MutexLock l(&mu_);
      batches_.push_back(std::move(batch));
    }
    done(absl::OkStatus());
  }
  bool WaitForSpans(size_t n) {
    absl::MutexLock l(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      size_t total = 0;
      for (const auto& b : batches_) total += b->span_count();
      return total >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(10));
  }
  std::vector<std::unique_ptr<model::SpanBatch>> Take() {
    absl::MutexLock l(&mu_);
    return std::move(batches_);
  }

 private:
  absl::Mutex mu_;
  std::vector<std::unique_ptr<model::SpanBatch>> batches_ ABSL_GUARDED_BY(mu_);
};

std::string Value(const model::SpanBatch& b, const model::AnyValue& v) {
  switch (v.type) {
    case model::ValueType::kString: return th::StrCat("s:", v.bytes);
    case model::ValueType::kBool: return th::StrCat("b:", v.bool_value);
    case model::ValueType::kInt: return th::StrCat("i:", v.int_value);
    case model::ValueType::kDouble: return th::StrCat("d:", v.double_value);
    default: return "other";
  }
}

std::string Attrs(const model::SpanBatch& b, model::Range r) {
  std::string out = "{";
  for (uint32_t i = r.begin; i < r.end(); ++i) {
    th::StrAppend(&out, b.key_values[i].key, "=", Value(b, b.key_values[i].value), ";");
  }
  return out + "}";
}

// Every span as one line holding everything a jaeger round trip must keep, sorted.
std::vector<std::string> Describe(const std::vector<const model::SpanBatch*>& batches) {
  std::vector<std::string> out;
  for (const model::SpanBatch* b : batches) {
    for (uint32_t i = 0; i < b->span_count(); ++i) {
      model::SpanRow r = b->Row(i);
      const model::Scope& scope = b->scopes[r.scope];
      std::string line = th::StrCat(
          "resource", Attrs(*b, b->resources[scope.resource].attributes), " scope=", scope.name,
          "/", scope.version, " trace=", model::ToHex(r.trace_id.View()),
          " span=", model::ToHex(r.span_id.View()), " parent=",
          model::ToHex(r.parent_span_id.View()), " name=", r.name, " kind=", r.kind,
          " start=", r.start_time_unix_nano, " end=", r.end_time_unix_nano, " flags=", r.flags,
          " status=", r.status_code, "/", r.status_message, " tracestate=", r.trace_state,
          " attrs=", Attrs(*b, r.attributes));
      for (uint32_t e = r.events.begin; e < r.events.end(); ++e) {
        th::StrAppend(&line, " event(", b->events[e].name, "@", b->events[e].time_unix_nano,
                      Attrs(*b, b->events[e].attributes), ")");
      }
      for (uint32_t l = r.links.begin; l < r.links.end(); ++l) {
        th::StrAppend(&line, " link(", model::ToHex(b->links[l].trace_id.View()), "/",
                      model::ToHex(b->links[l].span_id.View()),
                      Attrs(*b, b->links[l].attributes), ")");
      }
      out.push_back(line);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

model::AnyValue Str(model::SpanBatch& b, std::string_view s) {
  model::AnyValue v;
  v.type = model::ValueType::kString;
  v.bytes = b.arena.Copy(s);
  return v;
}

model::Range AddAttrs(model::SpanBatch& b, std::vector<model::KeyValue> kvs) {
  model::Range r{static_cast<uint32_t>(b.key_values.size()), static_cast<uint32_t>(kvs.size())};
  for (auto& kv : kvs) b.key_values.push_back(kv);
  return r;
}

// Two resources, scopes with and without a name, every span field the jaeger model can carry.
std::unique_ptr<model::SpanBatch> SampleBatch() {
  auto b = std::make_unique<model::SpanBatch>();
  b->tenant = std::string(model::kDefaultTenant);
  model::AnyValue i64;
  i64.type = model::ValueType::kInt;
  i64.int_value = -42;
  model::AnyValue dbl;
  dbl.type = model::ValueType::kDouble;
  dbl.double_value = 3.25;
  model::AnyValue yes;
  yes.type = model::ValueType::kBool;
  yes.bool_value = true;
  for (int r = 0; r < 2; ++r) {
    model::Resource res;
    res.attributes = AddAttrs(*b, {{"service.name", Str(*b, r == 0 ? "cart" : "payments")},
                                   {"host.name", Str(*b, "node-7")},
                                   {"process.pid", i64}});
    b->resources.push_back(res);
    model::Scope scope;
    scope.resource = static_cast<uint32_t>(r);
    if (r == 0) {
      scope.name = b->arena.Copy("io.opentelemetry.grpc");
      scope.version = b->arena.Copy("1.0.1");
    }
    b->scopes.push_back(scope);
  }
  for (int i = 0; i < 4; ++i) {
    model::SpanRow row;
    row.scope = static_cast<uint32_t>(i % 2);
    row.trace_id = *model::TraceIdFromHex("0af7651916cd43dd8448eb211c80319c");
    row.span_id = *model::SpanIdFromHex(i == 0 ? "b7ad6b7169203331" : "00f067aa0ba902b" +
                                                                            std::to_string(i));
    if (i > 0) row.parent_span_id = *model::SpanIdFromHex("b7ad6b7169203331");
    row.name = b->arena.Copy("op-" + std::to_string(i));
    row.kind = i == 0 ? model::kSpanKindServer : model::kSpanKindClient;
    row.flags = 1;
    row.start_time_unix_nano = 1700000000123456789ull + static_cast<uint64_t>(i);
    row.end_time_unix_nano = row.start_time_unix_nano + 987654321ull;
    row.trace_state = i == 1 ? b->arena.Copy("vendor=v1") : std::string_view();
    row.status_code = i == 2   ? model::kStatusError
                      : i == 3 ? model::kStatusOk
                               : model::kStatusUnset;
    row.status_message = i == 2 ? b->arena.Copy("deadline exceeded") : std::string_view();
    row.attributes = AddAttrs(
        *b, {{"rpc.method", Str(*b, "Get")}, {"retries", i64}, {"ratio", dbl}, {"cached", yes}});
    model::Event e;
    e.time_unix_nano = row.start_time_unix_nano + 1000;
    e.name = b->arena.Copy("exception");
    e.attributes = AddAttrs(*b, {{"exception.message", Str(*b, "boom")}});
    row.events = {static_cast<uint32_t>(b->events.size()), 1};
    b->events.push_back(e);
    model::Link link;
    link.trace_id = *model::TraceIdFromHex("11111111111111112222222222222222");
    link.span_id = *model::SpanIdFromHex("3333333333333333");
    link.attributes = AddAttrs(*b, {{"opentracing.ref_type", Str(*b, "follows_from")}});
    row.links = {static_cast<uint32_t>(b->links.size()), 1};
    b->links.push_back(link);
    b->AppendSpan(row);
  }
  return b;
}

class JaegerExporterTest : public ::testing::Test {
 protected:
  JaegerExporterTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("th_jaeger_exporter_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    host_.data_dir = dir_.string();
  }
  ~JaegerExporterTest() override { std::filesystem::remove_all(dir_); }

  // Our jaeger receiver on a loopback port, feeding `sink`.
  std::unique_ptr<pipeline::Receiver> StartReceiver(pipeline::TracesConsumer* sink, int* port) {
    auto node = config::Node::Parse("protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n", "r.yaml");
    EXPECT_TRUE(node.ok());
    pipeline::CreateSettings rs;
    rs.id = {"jaeger", "in"};
    rs.host = &host_;
    auto receiver = ij::MakeJaegerReceiverFactory()(rs, *node, sink);
    EXPECT_TRUE(receiver.ok()) << receiver.status();
    EXPECT_TRUE((*receiver)->Start().ok());
    *port = dynamic_cast<ij::JaegerReceiver*>(receiver->get())->port(ij::Transport::kGrpc);
    return std::move(receiver).value();
  }

  Result<std::unique_ptr<pipeline::Exporter>> CreateExporter(const std::string& yaml) {
    auto node = config::Node::Parse(yaml, "exporter.yaml");
    if (!node.ok()) return node.status();
    pipeline::CreateSettings s;
    s.id = {"jaeger", "out"};
    s.host = &host_;
    return MakeJaegerExporterFactory()(s, *node);
  }
  uint64_t Count(const char* name) {
    return registry_.GetCounter(name, "", {{"exporter", "jaeger/out"}})->Value();
  }

  metrics::Registry registry_;
  pipeline::Host host_{&registry_};
  std::filesystem::path dir_;
};

TEST_F(JaegerExporterTest, SpansArriveIdenticalAtOurJaegerReceiver) {
  RecordingConsumer sink;
  int port = 0;
  auto receiver = StartReceiver(&sink, &port);
  ASSERT_NE(port, 0);

  auto exporter = CreateExporter(th::StrCat("endpoint: 127.0.0.1:", port,
                                            "\ntls: {insecure: true}\ncompression: gzip\n"
                                            "headers: {x-scope-orgid: acme}\n"
                                            "sending_queue: {num_consumers: 2}\n"));
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  ASSERT_TRUE((*exporter)->Start().ok());

  auto sent = SampleBatch();
  std::vector<std::string> want = Describe({sent.get()});
  Status answer = absl::InternalError("not called");
  (*exporter)->ConsumeTraces(std::move(sent), [&](const Status& s) { answer = s; });
  EXPECT_TRUE(answer.ok()) << answer;  // queued
  ASSERT_TRUE(sink.WaitForSpans(4));
  auto got = sink.Take();
  std::vector<const model::SpanBatch*> views;
  for (const auto& b : got) {
    views.push_back(b.get());
    EXPECT_EQ(b->tenant, "acme");  // headers travel as metadata
  }
  EXPECT_EQ(got.size(), 2u);  // one PostSpans per resource
  std::vector<std::string> have = Describe(views);
  ASSERT_EQ(have.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(have[i], want[i]);

  (*exporter)->Shutdown(Clock::now() + std::chrono::seconds(5));
  receiver->Shutdown(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(Count("otelcol_exporter_sent_spans"), 4u);
  EXPECT_EQ(Count("otelcol_exporter_send_failed_spans"), 0u);
}

TEST_F(JaegerExporterTest, DeadEndpointRetriesCountsFailuresAndKeepsTheQueueBounded) {
  auto exporter = CreateExporter(
      "endpoint: jaeger-collector.monitoring.svc:14250\n"
      "tls: {insecure: true}\n"
      "timeout: 500ms\n"
      "sending_queue: {num_consumers: 1, queue_size: 2}\n"
      "retry_on_failure: {initial_interval: 10ms, max_interval: 40ms, max_elapsed_time: 400ms}\n");
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  ASSERT_TRUE((*exporter)->Start().ok());  // an unresolvable name is no start failure

  int ok = 0, full = 0;
  for (int i = 0; i < 8; ++i) {
    (*exporter)->ConsumeTraces(SampleBatch(), [&](const Status& s) {
      if (s.ok()) {
        ++ok;
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
        EXPECT_THAT(std::string(Message(s)), HasSubstr("sending queue is full"));
        ++full;
      }
    });
  }
  EXPECT_EQ(ok + full, 8);
  EXPECT_GE(ok, 2);
  EXPECT_LE(ok, 3);  // two waiting plus at most one taken by the consumer
  EXPECT_EQ(Count("otelcol_exporter_enqueue_failed_spans"), static_cast<uint64_t>(full) * 4);
  // Every accepted batch is retried and then counted as failed.
  for (int i = 0; i < 1000 && Count("otelcol_exporter_send_failed_spans") <
                                  static_cast<uint64_t>(ok) * 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Count("otelcol_exporter_send_failed_spans"), static_cast<uint64_t>(ok) * 4);
  EXPECT_EQ(Count("otelcol_exporter_sent_spans"), 0u);
  auto start = Clock::now();
  (*exporter)->Shutdown(Clock::now() + std::chrono::seconds(2));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
}

TEST_F(JaegerExporterTest, PersistentQueueKeepsBatchesForTheNextStart) {
  // First run: the collector is down; the batch waits on disk through shutdown.
  auto down = CreateExporter(
      "endpoint: 127.0.0.1:1\n"
      "tls: {insecure: true}\n"
      "sending_queue: {storage: file_storage, num_consumers: 1}\n"
      "retry_on_failure: {initial_interval: 10ms, max_interval: 20ms, max_elapsed_time: 0s}\n");
  ASSERT_TRUE(down.ok()) << down.status();
  ASSERT_TRUE((*down)->Start().ok());
  Status answer = absl::InternalError("not called");
  absl::Mutex mu;
  (*down)->ConsumeTraces(SampleBatch(), [&](const Status& s) {
    absl::MutexLock l(&mu);
    answer = s;
  });
  {
    absl::MutexLock l(&mu);
    auto answered = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return answer.code() != absl::StatusCode::kInternal;
    };
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&answered), absl::Seconds(10)));
    EXPECT_TRUE(answer.ok()) << answer;  // acknowledged once written
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a few failed attempts
  (*down)->Shutdown(Clock::now() + std::chrono::milliseconds(200));
  EXPECT_EQ(Count("otelcol_exporter_sent_spans"), 0u);
  EXPECT_EQ(Count("otelcol_exporter_send_failed_spans"), 0u);  // kept, not dropped
  down->reset();

  // Second run, same exporter id and data dir, collector up: the batch arrives.
  RecordingConsumer sink;
  int port = 0;
  auto receiver = StartReceiver(&sink, &port);
  auto up = CreateExporter(th::StrCat("endpoint: 127.0.0.1:", port,
                                      "\ntls: {insecure: true}\n"
                                      "sending_queue: {storage: file_storage}\n"));
  ASSERT_TRUE(up.ok()) << up.status();
  ASSERT_TRUE((*up)->Start().ok());
  ASSERT_TRUE(sink.WaitForSpans(4));
  auto got = sink.Take();
  std::vector<const model::SpanBatch*> views;
  for (const auto& b : got) views.push_back(b.get());
  auto want = SampleBatch();
  EXPECT_EQ(Describe(views), Describe({want.get()}));
  (*up)->Shutdown(Clock::now() + std::chrono::seconds(5));
  receiver->Shutdown(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(Count("otelcol_exporter_sent_spans"), 4u);
}

TEST_F(JaegerExporterTest, WithoutQueueDoneCarriesTheExportOutcome) {
  auto exporter = CreateExporter(
      "endpoint: 127.0.0.1:1\n"
      "tls: {insecure: true}\n"
      "sending_queue: {enabled: false, num_consumers: 1}\n"
      "retry_on_failure: {enabled: false}\n");
  ASSERT_TRUE(exporter.ok()) << exporter.status();
  ASSERT_TRUE((*exporter)->Start().ok());
  absl::Mutex mu;
  bool called = false;
  Status answer;
  (*exporter)->ConsumeTraces(SampleBatch(), [&](const Status& s) {
    absl::MutexLock l(&mu);
    answer = s;
    called = true;
  });
  {
    absl::MutexLock l(&mu);
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&called), absl::Seconds(10)));
    EXPECT_EQ(answer.code(), absl::StatusCode::kUnavailable) << answer;
  }
  (*exporter)->Shutdown(Clock::now() + std::chrono::seconds(2));
  EXPECT_EQ(Count("otelcol_exporter_send_failed_spans"), 4u);
}

TEST_F(JaegerExporterTest, ConfigErrorsNameTheKey) {
  auto missing = CreateExporter("tls: {insecure: true}\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(Message(missing.status())), HasSubstr("endpoint is required"));
  auto unknown = CreateExporter("endpoint: a:1\nsending_queue: {bogus: 1}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(Message(unknown.status())), HasSubstr("exporter.yaml:2"));
  EXPECT_THAT(std::string(Message(unknown.status())), HasSubstr("bogus"));
  auto compression = CreateExporter("endpoint: a:1\ncompression: lz4\n");
  ASSERT_FALSE(compression.ok());
  EXPECT_THAT(std::string(Message(compression.status())), HasSubstr("unsupported compression"));
  host_.data_dir.clear();
  auto storage = CreateExporter("endpoint: a:1\nsending_queue: {storage: file_storage}\n");
  ASSERT_FALSE(storage.ok());
  EXPECT_THAT(std::string(Message(storage.status())), HasSubstr("needs a data directory"));
  EXPECT_TRUE(CreateExporter("endpoint: jaeger-collector.monitoring.svc:14250\n").ok());
}

}  // namespace
}  // namespace th::exporter::jaeger

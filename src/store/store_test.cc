#include "store/store.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "store/testing/temp_store.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace th::store {
namespace {

namespace otlp = opentelemetry::proto::trace::v1;

class StoreTest : public ::testing::Test {
 protected:
  static std::unique_ptr<model::SpanBatch> Batch(std::string_view tenant, int trace, int spans) {
    otlp::TracesData data;
    auto* rs = data.add_resource_spans();
    auto* attr = rs->mutable_resource()->add_attributes();
    attr->set_key("service.name");
    attr->mutable_value()->set_string_value("checkout");
    auto* ss = rs->add_scope_spans();
    for (int i = 0; i < spans; ++i) {
      auto* sp = ss->add_spans();
      std::string tid(16, '\x05'), sid(8, '\x06');
      tid[15] = static_cast<char>(trace);
      sid[7] = static_cast<char>(i + 1);
      sp->set_trace_id(tid);
      sp->set_span_id(sid);
      sp->set_name("op");
      sp->set_start_time_unix_nano(100);
      sp->set_end_time_unix_nano(200);
    }
    auto decoded = model::DecodeOtlpTracesProto(data.SerializeAsString(), tenant);
    EXPECT_TRUE(decoded.ok());
    return std::move(decoded->batch);
  }

  static model::TraceId TraceIdOf(int trace) {
    std::string tid(16, '\x05');
    tid[15] = static_cast<char>(trace);
    return model::TraceId::FromBytes(tid);
  }

  testing::TempStore temp_{"store_test"};
};

TEST_F(StoreTest, AcknowledgedSpansAreReadable) {
  ASSERT_TRUE(temp_.Append(Batch("t", 1, 5)).ok());
  auto found = temp_.store().FindTrace("t", TraceIdOf(1), {});
  ASSERT_TRUE(found.ok()) << found.status();
  otlp::TracesData data;
  ASSERT_TRUE(data.ParseFromString(*found));
  EXPECT_EQ(data.resource_spans(0).scope_spans(0).spans_size(), 5);
  EXPECT_EQ(data.resource_spans(0).resource().attributes(0).value().string_value(), "checkout");
}

TEST_F(StoreTest, ReopenReplaysTheWalIntoTheHead) {
  ASSERT_TRUE(temp_.Append(Batch("a", 1, 3)).ok());
  ASSERT_TRUE(temp_.Append(Batch("b", 2, 4)).ok());
  auto reencoded = Batch("a", 3, 2);
  reencoded->otlp_encoding = {};  // forces the encoder path
  ASSERT_TRUE(temp_.Append(std::move(reencoded)).ok());
  temp_.Reopen();
  Store* store = temp_.get();
  EXPECT_EQ(store->replay_report().records, 3u);
  EXPECT_TRUE(store->FindTrace("a", TraceIdOf(1), {}).ok());
  EXPECT_TRUE(store->FindTrace("b", TraceIdOf(2), {}).ok());
  EXPECT_TRUE(store->FindTrace("a", TraceIdOf(3), {}).ok());
  EXPECT_FALSE(store->FindTrace("a", TraceIdOf(2), {}).ok());
  EXPECT_EQ(store->Stats().spans, 9u);
}

TEST_F(StoreTest, AppendAfterCloseFailsThroughTheCallback) {
  ASSERT_TRUE(temp_.store().Close().ok());
  EXPECT_FALSE(temp_.Append(Batch("t", 1, 1)).ok());
}

TEST_F(StoreTest, ConcurrentAppendsAreAllDurable) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        if (temp_.Append(Batch("t", t * 10 + i + 1, 3)).ok()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 40);
  temp_.Reopen();
  Store* store = temp_.get();
  EXPECT_EQ(store->Stats().spans, 120u);
  EXPECT_EQ(store->Stats().traces, 40u);
}

}  // namespace
}  // namespace th::store

#include "tools/loadgen/trace_generator.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "model/otlp_encode.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace th::tools {
namespace {

TEST(TraceGenerator, BatchesHoldWholeTracesOfRealisticShape) {
  TraceGenerator g(7);
  auto batch = g.NextBatch(1000, 1'800'000'000'000'000'000ull);
  ASSERT_GE(batch->span_count(), 1000u);
  std::map<model::TraceId, int> spans_per_trace;
  std::map<model::TraceId, int> roots;
  for (uint32_t i = 0; i < batch->span_count(); ++i) {
    ++spans_per_trace[batch->spans.trace_id[i]];
    if (batch->spans.parent_span_id[i].IsZero()) ++roots[batch->spans.trace_id[i]];
    EXPECT_GE(batch->spans.attributes[i].count, 8u);
    EXPECT_LE(batch->spans.start_time_unix_nano[i], batch->spans.end_time_unix_nano[i]);
  }
  for (const auto& [id, n] : spans_per_trace) {
    EXPECT_GE(n, 50);
    EXPECT_LE(n, 90);
    EXPECT_EQ(roots[id], 1);
  }
}

TEST(TraceGenerator, EncodesToValidOtlpOfAbout350BytesPerSpan) {
  TraceGenerator g(3);
  auto batch = g.NextBatch(1000, 1'800'000'000'000'000'000ull);
  std::string bytes;
  model::EncodeOtlpTraces(*batch, &bytes);
  opentelemetry::proto::trace::v1::TracesData parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  double per_span = static_cast<double>(bytes.size()) / static_cast<double>(batch->span_count());
  EXPECT_GT(per_span, 250);
  EXPECT_LT(per_span, 450);
  auto decoded = model::DecodeOtlpTracesProto(std::move(bytes), "t");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->rejected_spans, 0);
  EXPECT_EQ(decoded->batch->span_count(), batch->span_count());
}

TEST(TraceGenerator, SameSeedSameTraces) {
  TraceGenerator a(5), b(5);
  auto x = a.NextBatch(100, 1'000'000'000'000ull);
  auto y = b.NextBatch(100, 1'000'000'000'000ull);
  ASSERT_EQ(x->span_count(), y->span_count());
  EXPECT_EQ(x->spans.trace_id, y->spans.trace_id);
}

}  // namespace
}  // namespace th::tools

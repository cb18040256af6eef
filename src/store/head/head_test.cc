#include "store/head/head.h"

#include <atomic>
#include <map>

#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "store/scan.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace th::store {
namespace {

namespace otlp = opentelemetry::proto::trace::v1;

std::string Id(int n, size_t size) {
  std::string s(size, '\0');
  s[size - 1] = static_cast<char>(n);
  s[0] = '\x01';
  return s;
}

// One request: `spans` spans of trace `trace`, span ids starting at `first_span`.
std::string Request(int trace, int first_span, int spans, uint64_t start = 1000) {
  otlp::TracesData data;
  auto* ss = data.add_resource_spans()->add_scope_spans();
  for (int i = 0; i < spans; ++i) {
    auto* sp = ss->add_spans();
    sp->set_trace_id(Id(trace, 16));
    sp->set_span_id(Id(first_span + i, 8));
    sp->set_name("span-" + std::to_string(first_span + i));
    sp->set_start_time_unix_nano(start);
    sp->set_end_time_unix_nano(start + 500);
  }
  return data.SerializeAsString();
}

void AddRequest(Head& head, std::string_view tenant, std::string bytes) {
  auto owner = std::make_shared<const std::string>(std::move(bytes));
  auto decoded = model::DecodeOtlpTracesProto(std::string(*owner), tenant);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  head.Add(tenant, owner, *owner, *decoded->batch);
}

int SpanCount(const std::string& otlp_bytes) {
  otlp::TracesData data;
  EXPECT_TRUE(data.ParseFromString(otlp_bytes));
  int n = 0;
  for (const auto& rs : data.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) n += ss.spans_size();
  }
  return n;
}

model::TraceId TraceIdOf(int n) { return model::TraceId::FromBytes(Id(n, 16)); }

TEST(Head, FindsTraceSpreadOverSeveralRequests) {
  Head head;
  AddRequest(head, "t", Request(1, 1, 3));
  AddRequest(head, "t", Request(2, 1, 2));
  AddRequest(head, "t", Request(1, 10, 4));
  auto found = head.FindTrace("t", TraceIdOf(1), {});
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(SpanCount(*found), 7);
  EXPECT_EQ(head.Stats().spans, 9u);
  EXPECT_EQ(head.Stats().traces, 2u);
}

TEST(Head, ServesSpansWithTheirResourceScopeAndSchemasByteForByte) {
  otlp::TracesData data;
  auto* rs = data.add_resource_spans();
  rs->set_schema_url("res-url");
  auto* attr = rs->mutable_resource()->add_attributes();
  attr->set_key("service.name");
  attr->mutable_value()->set_string_value("cart");
  auto* ss = rs->add_scope_spans();
  ss->set_schema_url("scope-url");
  ss->mutable_scope()->set_name("lib");
  ss->mutable_scope()->set_version("9");
  auto* sp = ss->add_spans();
  sp->set_trace_id(Id(4, 16));
  sp->set_span_id(Id(1, 8));
  sp->set_name("only");
  sp->add_events()->set_name("e");
  auto* other = data.add_resource_spans()->add_scope_spans()->add_spans();  // another trace
  other->set_trace_id(Id(5, 16));
  other->set_span_id(Id(2, 8));
  Head head;
  AddRequest(head, "t", data.SerializeAsString());
  auto found = head.FindTrace("t", TraceIdOf(4), {});
  ASSERT_TRUE(found.ok());
  otlp::TracesData want;
  *want.add_resource_spans() = data.resource_spans(0);
  EXPECT_EQ(*found, want.SerializeAsString());
}

TEST(Head, DuplicateSpansAreReturnedOnce) {
  Head head;
  AddRequest(head, "t", Request(1, 1, 3));
  AddRequest(head, "t", Request(1, 1, 3));  // a client retry
  auto found = head.FindTrace("t", TraceIdOf(1), {});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(SpanCount(*found), 3);
}

// Span names of each trace in `otlp`, in order.
std::map<model::TraceId, std::vector<std::string>> NamesByTrace(const std::string& otlp) {
  auto decoded = model::DecodeOtlpTracesProto(std::string(otlp), "t");
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  std::map<model::TraceId, std::vector<std::string>> out;
  if (!decoded.ok()) return out;
  const model::SpanColumns& c = decoded->batch->spans;
  for (uint32_t i = 0; i < c.size(); ++i) out[c.trace_id[i]].emplace_back(c.name[i]);
  return out;
}

TEST(HeadTraceChunks, HandsOutWholeTracesInIdOrderEachSpanOnceInArrivalOrder) {
  Head head;
  AddRequest(head, "t", Request(5, 1, 3));
  AddRequest(head, "t", Request(2, 1, 2));
  AddRequest(head, "t", Request(9, 1, 4));
  AddRequest(head, "t", Request(2, 10, 3));
  AddRequest(head, "t", Request(2, 1, 2));  // a client retry
  AddRequest(head, "t", Request(7, 1, 1));
  AddRequest(head, "t", Request(5, 20, 2));
  AddRequest(head, "other", Request(3, 1, 2));

  Head::TraceChunks chunks = head.ChunkTraces("t");
  EXPECT_EQ(chunks.trace_count(), 4u);
  std::vector<model::TraceId> order;
  std::vector<std::vector<model::TraceId>> per_chunk;
  for (;;) {
    std::string otlp = "left over";
    uint32_t traces = chunks.Next(4, &otlp);
    if (traces == 0) {
      EXPECT_TRUE(otlp.empty());
      break;
    }
    auto names = NamesByTrace(otlp);
    ASSERT_EQ(names.size(), traces);
    per_chunk.emplace_back();
    size_t spans = 0;
    for (const auto& [id, list] : names) {
      order.push_back(id);
      per_chunk.back().push_back(id);
      spans += list.size();
      // The whole trace, as a lookup returns it: each span once, in arrival order.
      auto found = head.FindTrace("t", id, {});
      ASSERT_TRUE(found.ok());
      EXPECT_EQ(list, NamesByTrace(*found)[id]);
    }
    // At least the target, and no trace more than needed to reach it.
    size_t last = names.rbegin()->second.size();
    EXPECT_TRUE(spans - last < 4) << spans;
  }
  EXPECT_EQ(order, (std::vector<model::TraceId>{TraceIdOf(2), TraceIdOf(5), TraceIdOf(7),
                                                TraceIdOf(9)}));
  // 2 (5 spans) | 5 (5 spans) | 7 and 9 (1 + 4).
  EXPECT_EQ(per_chunk.size(), 3u);

  std::string otlp = "left over";
  EXPECT_EQ(head.ChunkTraces("nobody").Next(4, &otlp), 0u);
  EXPECT_TRUE(otlp.empty());
}

TEST(Head, TenantsAreIsolated) {
  Head head;
  AddRequest(head, "a", Request(1, 1, 3));
  EXPECT_TRUE(head.FindTrace("a", TraceIdOf(1), {}).ok());
  EXPECT_EQ(head.FindTrace("b", TraceIdOf(1), {}).status().code(), absl::StatusCode::kNotFound);
}

TEST(Head, UnknownTraceIsNotFound) {
  Head head;
  AddRequest(head, "t", Request(1, 1, 1));
  EXPECT_EQ(head.FindTrace("t", TraceIdOf(9), {}).status().code(), absl::StatusCode::kNotFound);
}

TEST(Head, TimeRangeOutsideTraceIsNotFound) {
  Head head;
  AddRequest(head, "t", Request(1, 1, 1, /*start=*/5000));
  EXPECT_TRUE(head.FindTrace("t", TraceIdOf(1), {4000, 6000}).ok());
  EXPECT_TRUE(head.FindTrace("t", TraceIdOf(1), {5400, 5400}).ok());
  EXPECT_FALSE(head.FindTrace("t", TraceIdOf(1), {6000, 7000}).ok());
  EXPECT_FALSE(head.FindTrace("t", TraceIdOf(1), {0, 4999}).ok());
}

}  // namespace
}  // namespace th::store

namespace th::store {
namespace {

TEST(HeadScan, VisitsEachTraceWithAllItsSpansMostRecentFirst) {
  Head head;
  AddRequest(head, "t", Request(1, 1, 2, /*start=*/100));
  AddRequest(head, "t", Request(2, 1, 3, /*start=*/300));
  AddRequest(head, "t", Request(1, 5, 1, /*start=*/100));
  AddRequest(head, "other", Request(3, 1, 1, /*start=*/500));
  ScanRequest req;
  req.tenant = "t";
  req.most_recent_first = true;
  std::vector<std::pair<int, size_t>> seen;
  ScanStats stats;
  ASSERT_TRUE(head.Scan(
                      req,
                      [&](const model::TraceId& id, const model::SpanBatch& spans) {
                        seen.emplace_back(id.bytes[15], spans.span_count());
                        return true;
                      },
                      &stats)
                  .ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(2, size_t{3}));
  EXPECT_EQ(seen[1], std::make_pair(1, size_t{3}));
  EXPECT_EQ(stats.spans, 6u);
}

TEST(HeadScan, SkipsTracesOutsideTheRangeAndStopsWhenAsked) {
  Head head;
  AddRequest(head, "t", Request(1, 1, 1, /*start=*/100));
  AddRequest(head, "t", Request(2, 1, 1, /*start=*/10000));
  AddRequest(head, "t", Request(3, 1, 1, /*start=*/20000));
  ScanRequest req;
  req.tenant = "t";
  req.range = {5000, 30000};
  int visited = 0;
  ASSERT_TRUE(head.Scan(
                      req,
                      [&](const model::TraceId&, const model::SpanBatch&) {
                        ++visited;
                        return false;  // stop after the first
                      },
                      nullptr)
                  .ok());
  EXPECT_EQ(visited, 1);
  req.range = {};
  req.max_spans = 1;
  int seen = 0;
  Status limited = head.Scan(
      req,
      [&](const model::TraceId&, const model::SpanBatch&) {
        ++seen;
        return true;
      },
      nullptr);
  EXPECT_EQ(limited.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(seen, 1);
  req.max_spans = 0;
  std::atomic<bool> cancelled{true};
  req.cancelled = &cancelled;
  EXPECT_EQ(
      head.Scan(
              req, [](const model::TraceId&, const model::SpanBatch&) { return true; }, nullptr)
          .code(),
      absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace th::store

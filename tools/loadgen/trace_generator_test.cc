#include "tools/loadgen/trace_generator.h"

#include <map>
#include <set>
#include <string_view>

#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "model/otlp_encode.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace th::tools {
namespace {

// FNV-1a over everything a batch holds (ids, names, times, attributes, events, links,
// resources, scopes), independent of any encoder, to pin a generator's output.
class Fingerprint {
 public:
  void Add(std::string_view bytes) {
    Add(static_cast<uint64_t>(bytes.size()));
    for (char c : bytes) Byte(static_cast<uint8_t>(c));
  }
  void Add(uint64_t v) {
    for (int i = 0; i < 8; ++i) Byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Add(const model::AnyValue& v) {
    Add(static_cast<uint64_t>(v.type));
    Add(static_cast<uint64_t>(v.bool_value));
    Add(static_cast<uint64_t>(v.range.begin) << 32 | v.range.count);
    Add(static_cast<uint64_t>(v.int_value));
    Add(std::string_view(reinterpret_cast<const char*>(&v.double_value), 8));
    Add(v.bytes);
  }
  void Add(model::Range r) { Add(static_cast<uint64_t>(r.begin) << 32 | r.count); }
  uint64_t value() const { return h_; }

 private:
  void Byte(uint8_t b) {
    h_ ^= b;
    h_ *= 1099511628211ull;
  }
  uint64_t h_ = 14695981039346656037ull;
};

uint64_t FingerprintOf(const model::SpanBatch& b) {
  Fingerprint f;
  for (const model::Resource& r : b.resources) {
    f.Add(r.attributes);
    f.Add(r.schema_url);
  }
  for (const model::Scope& s : b.scopes) {
    f.Add(s.resource);
    f.Add(s.name);
    f.Add(s.version);
  }
  for (uint32_t i = 0; i < b.span_count(); ++i) {
    model::SpanRow r = b.Row(i);
    f.Add(r.scope);
    f.Add(r.trace_id.View());
    f.Add(r.span_id.View());
    f.Add(r.parent_span_id.View());
    f.Add(r.flags);
    f.Add(r.name);
    f.Add(static_cast<uint64_t>(r.kind));
    f.Add(r.start_time_unix_nano);
    f.Add(r.end_time_unix_nano);
    f.Add(r.attributes);
    f.Add(r.events);
    f.Add(r.links);
    f.Add(static_cast<uint64_t>(r.status_code));
    f.Add(r.status_message);
  }
  for (const model::KeyValue& kv : b.key_values) {
    f.Add(kv.key);
    f.Add(kv.value);
  }
  for (const model::AnyValue& v : b.array_values) f.Add(v);
  for (const model::Event& e : b.events) {
    f.Add(e.time_unix_nano);
    f.Add(e.name);
    f.Add(e.attributes);
  }
  for (const model::Link& l : b.links) {
    f.Add(l.trace_id.View());
    f.Add(l.span_id.View());
  }
  return f.value();
}

constexpr uint64_t kNow = 1'800'000'000'000'000'000ull;

std::unique_ptr<model::SpanBatch> WideBatch(uint64_t seed, size_t spans) {
  TraceGenerator g(seed, {.profile = TraceGenerator::Profile::kWide});
  return g.NextBatch(spans, kNow);
}

// Benchmarks and tests compare against loadgen's data over time: the default profile must
// produce exactly what it did before profiles existed (value taken from that code).
TEST(TraceGenerator, DefaultProfileOutputIsUnchanged) {
  TraceGenerator g(11);
  EXPECT_EQ(FingerprintOf(*g.NextBatch(2000, kNow)), 12350710469558701941ull);
  TraceGenerator explicit_default(11, {.profile = TraceGenerator::Profile::kDefault});
  EXPECT_EQ(FingerprintOf(*explicit_default.NextBatch(2000, kNow)), 12350710469558701941ull);
}

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

TEST(TraceGenerator, ProfileNamesRoundTrip) {
  for (auto p : {TraceGenerator::Profile::kDefault, TraceGenerator::Profile::kWide}) {
    EXPECT_EQ(ParseTraceProfile(TraceProfileName(p)), p);
  }
  EXPECT_EQ(ParseTraceProfile("narrow"), std::nullopt);
}

TEST(TraceGenerator, WideProfileIsDeterministic) {
  auto x = WideBatch(5, 3000);
  auto y = WideBatch(5, 3000);
  ASSERT_EQ(x->span_count(), y->span_count());
  EXPECT_EQ(FingerprintOf(*x), FingerprintOf(*y));
  EXPECT_NE(FingerprintOf(*x), FingerprintOf(*WideBatch(6, 3000)));
}

TEST(TraceGenerator, WideProfileHasShortTracesWithOneRoot) {
  auto batch = WideBatch(7, 5000);
  ASSERT_GE(batch->span_count(), 5000u);
  std::map<model::TraceId, int> spans_per_trace;
  std::map<model::TraceId, int> roots;
  std::set<std::pair<model::TraceId, model::SpanId>> span_ids;
  for (uint32_t i = 0; i < batch->span_count(); ++i) {
    ++spans_per_trace[batch->spans.trace_id[i]];
    span_ids.insert({batch->spans.trace_id[i], batch->spans.span_id[i]});
    EXPECT_LE(batch->spans.start_time_unix_nano[i], batch->spans.end_time_unix_nano[i]);
  }
  for (uint32_t i = 0; i < batch->span_count(); ++i) {
    if (batch->spans.parent_span_id[i].IsZero()) {
      ++roots[batch->spans.trace_id[i]];
    } else {  // every parent is in the same trace
      EXPECT_TRUE(span_ids.count({batch->spans.trace_id[i], batch->spans.parent_span_id[i]}));
    }
  }
  std::set<int> sizes;
  for (const auto& [id, n] : spans_per_trace) {
    EXPECT_GE(n, 2);
    EXPECT_LE(n, 8);
    EXPECT_EQ(roots[id], 1);
    sizes.insert(n);
  }
  EXPECT_EQ(sizes.size(), 7u);  // every length from 2 to 8 occurs
  double mean =
      static_cast<double>(batch->span_count()) / static_cast<double>(spans_per_trace.size());
  EXPECT_GT(mean, 4.0);
  EXPECT_LT(mean, 6.0);
}

TEST(TraceGenerator, WideProfileHasManyWideResourcesAndHighCardinalityAttributes) {
  auto batch = WideBatch(9, 5000);
  const model::SpanBatch& b = *batch;
  EXPECT_GE(b.resources.size(), 24u);  // 12 services, 2–6 pods each
  std::set<std::string_view> pods;
  for (const model::Resource& r : b.resources) {
    EXPECT_GE(r.attributes.count, 20u);
    for (uint32_t k = r.attributes.begin; k < r.attributes.end(); ++k) {
      if (b.key_values[k].key == "k8s.pod.name") pods.insert(b.key_values[k].value.bytes);
    }
  }
  EXPECT_EQ(pods.size(), b.resources.size());  // one resource per pod
  // Pods are new in every batch.
  TraceGenerator g(9, {.profile = TraceGenerator::Profile::kWide});
  g.NextBatch(10, kNow);
  auto next = g.NextBatch(10, kNow);
  for (const model::KeyValue& kv : next->key_values) {
    if (kv.key == "k8s.pod.name") {
      EXPECT_FALSE(pods.count(kv.value.bytes)) << kv.value.bytes;
    }
  }

  std::map<std::string_view, std::set<std::string_view>> values;
  std::map<std::string_view, int> uses;
  uint64_t attributes = 0;
  for (uint32_t i = 0; i < b.span_count(); ++i) {
    model::Range r = b.spans.attributes[i];
    attributes += r.count;
    EXPECT_GE(r.count, 3u);
    for (uint32_t k = r.begin; k < r.end(); ++k) {
      const model::KeyValue& kv = b.key_values[k];
      ++uses[kv.key];
      if (kv.value.type == model::ValueType::kString) values[kv.key].insert(kv.value.bytes);
    }
  }
  // Distinct values per use, at least: ids make nearly every value new (some routes and Redis
  // keys carry none).
  for (auto [key, fraction] : {std::pair<std::string_view, double>{"request.id", 0.99},
                               {"db.statement", 0.8},
                               {"url.path", 0.5}}) {
    ASSERT_GT(uses[key], 100) << key;
    EXPECT_GT(static_cast<double>(values[key].size()), uses[key] * fraction) << key;
  }
  // One user per trace: fewer distinct than spans, but thousands.
  EXPECT_GT(values["user.id"].size(), 500u);
  EXPECT_GT(static_cast<double>(attributes) / static_cast<double>(b.span_count()), 6.0);
}

TEST(TraceGenerator, WideProfileHasMoreEventsAndSomeErrors) {
  auto batch = WideBatch(13, 20'000);
  const model::SpanBatch& b = *batch;
  double events_per_span =
      static_cast<double>(b.events.size()) / static_cast<double>(b.span_count());
  EXPECT_GT(events_per_span, 1.2);
  EXPECT_LT(events_per_span, 2.5);
  int errors = 0;
  int exceptions = 0;
  for (uint32_t i = 0; i < b.span_count(); ++i) {
    if (b.spans.status_code[i] == model::kStatusError) ++errors;
    for (uint32_t e = b.spans.events[i].begin; e < b.spans.events[i].end(); ++e) {
      if (b.events[e].name == "exception") ++exceptions;
    }
  }
  EXPECT_GT(errors, 0);
  EXPECT_EQ(exceptions, errors);
  EXPECT_LT(errors, static_cast<int>(b.span_count()) / 20);
}

TEST(TraceGenerator, WideProfileEncodesToValidOtlp) {
  auto batch = WideBatch(3, 2000);
  std::string bytes;
  model::EncodeOtlpTraces(*batch, &bytes);
  double per_span = static_cast<double>(bytes.size()) / static_cast<double>(batch->span_count());
  EXPECT_GT(per_span, 450);
  EXPECT_LT(per_span, 1200);
  auto decoded = model::DecodeOtlpTracesProto(std::move(bytes), "t");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->rejected_spans, 0);
  EXPECT_EQ(decoded->batch->span_count(), batch->span_count());
  EXPECT_EQ(decoded->batch->resources.size(), batch->resources.size());
}

}  // namespace
}  // namespace th::tools

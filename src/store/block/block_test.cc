#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/strings.h"
#include "model/otlp_encode.h"
#include "model/span_batch.h"
#include "model/span_batch_merge.h"
#include "store/backend/memory/memory_backend.h"
#include "store/block/block_meta.h"
#include "store/block/block_reader.h"
#include "store/block/block_writer.h"
#include "store/block/bloom.h"
#include "store/block/internal/byte_io.h"
#include "store/block/testing/span_satisfies.h"
#include "tools/loadgen/trace_generator.h"

namespace th::store::block {
namespace {

using backend::MemoryBackend;
using model::AnyValue;
using model::KeyValue;
using model::Range;
using model::SpanBatch;
using model::SpanId;
using model::TraceId;
using model::ValueType;

constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;

std::map<TraceId, std::vector<uint32_t>> SpansByTrace(const SpanBatch& b) {
  std::map<TraceId, std::vector<uint32_t>> out;
  for (uint32_t i = 0; i < b.span_count(); ++i) out[b.spans.trace_id[i]].push_back(i);
  return out;
}

std::string Encode(const SpanBatch& b, const std::vector<uint32_t>& spans) {
  std::string out;
  model::EncodeOtlpTraces(b, spans, &out);
  return out;
}

std::string EncodeAll(const SpanBatch& b) {
  std::string out;
  model::EncodeOtlpTraces(b, &out);
  return out;
}

// Every trace of `traces` (spans of `batch` by trace id) reads back by id exactly as stored.
void ExpectEveryTraceFound(const BlockReader& reader, const SpanBatch& batch,
                           const std::map<TraceId, std::vector<uint32_t>>& traces) {
  for (const auto& [id, spans] : traces) {
    auto found = reader.FindTrace(id);
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_TRUE(found->has_value());
    ASSERT_EQ(**found, Encode(batch, spans));
  }
}

BlockWriterOptions Options(std::string block_id, uint32_t spans_per_row_group = 4096) {
  BlockWriterOptions o;
  o.tenant = "tenant-a";
  o.block_id = std::move(block_id);
  o.target_spans_per_row_group = spans_per_row_group;
  return o;
}

TraceId RandomTraceId(std::mt19937_64& rng) {
  TraceId id;
  for (auto& b : id.bytes) b = static_cast<uint8_t>(rng());
  return id;
}

// Every value type, nested arrays and kvlists, events, links, dropped counts, trace state, flags,
// schema URLs, a parent outside the trace and one inside it.
std::unique_ptr<SpanBatch> HandMadeTrace() {
  auto b = std::make_unique<SpanBatch>();
  auto kv = [&](std::string_view key, AnyValue v) {
    b->key_values.push_back(KeyValue{b->arena.Copy(key), v});
  };
  auto str = [&](std::string_view s) {
    AnyValue v;
    v.type = ValueType::kString;
    v.bytes = b->arena.Copy(s);
    return v;
  };
  AnyValue v;
  // Nested values first, so the top-level lists below are contiguous.
  b->array_values.push_back(str("a"));
  v = AnyValue();
  v.type = ValueType::kInt;
  v.int_value = -7;
  b->array_values.push_back(v);
  kv("inner", str("x"));  // key_values[0], a kvlist entry

  // Resource attributes: key_values[1..2].
  kv("service.name", str("checkout"));
  v = AnyValue();
  v.type = ValueType::kBool;
  v.bool_value = true;
  kv("is.canary", v);
  b->resources.push_back({Range{1, 2}, 3, "https://opentelemetry.io/schemas/1.21.0", {}});
  // Scope attributes: key_values[3].
  kv("scope.attr", str("s"));
  b->scopes.push_back({0, "io.opentelemetry.http", "1.2.3", Range{3, 1}, 1, "https://scope", {}});
  b->scopes.push_back({0, "second-scope", "", Range{}, 0, "", {}});

  // Span attributes: key_values[4..11].
  const uint32_t span_attrs = static_cast<uint32_t>(b->key_values.size());
  kv("http.method", str("GET"));
  v = AnyValue();
  v.type = ValueType::kInt;
  v.int_value = INT64_MIN;
  kv("big.negative", v);
  v = AnyValue();
  v.type = ValueType::kDouble;
  v.double_value = -0.25;
  kv("ratio", v);
  v = AnyValue();
  v.type = ValueType::kBytes;
  v.bytes = b->arena.Copy(std::string_view("\x00\xff\x10", 3));
  kv("raw", v);
  v = AnyValue();
  v.type = ValueType::kArray;
  v.range = Range{0, 2};
  kv("list", v);
  v = AnyValue();
  v.type = ValueType::kKvList;
  v.range = Range{0, 1};
  kv("map", v);
  kv("empty", AnyValue());
  kv("", str(""));
  const uint32_t span_attr_count = static_cast<uint32_t>(b->key_values.size()) - span_attrs;

  // Event and link attributes.
  kv("exception.type", str("IOError"));
  b->events.push_back({kNow + 500, "exception", Range{span_attrs + span_attr_count, 1}, 2});
  b->events.push_back({kNow + 100, "", Range{}, 0});  // before the span's start is allowed too
  kv("link.kind", str("follows"));
  model::Link link;
  link.trace_id = TraceId::FromBytes("0123456789abcdef");
  link.span_id = SpanId::FromBytes("linkspan");
  link.trace_state = "vendor=1";
  link.attributes = Range{span_attrs + span_attr_count + 1, 1};
  link.dropped_attributes_count = 4;
  link.flags = 0x301;
  b->links.push_back(link);

  TraceId trace = TraceId::FromBytes("trace-hand-made!");
  model::SpanRow root;
  root.scope = 0;
  root.trace_id = trace;
  root.span_id = SpanId::FromBytes("root1234");
  root.parent_span_id = SpanId::FromBytes("external");
  root.trace_state = "congo=t61rcWkgMzE";
  root.flags = 0x101;
  root.name = "GET /cart";
  root.kind = model::kSpanKindServer;
  root.start_time_unix_nano = kNow;
  root.end_time_unix_nano = kNow + 1000;
  root.attributes = Range{span_attrs, span_attr_count};
  root.dropped_attributes_count = 5;
  root.events = Range{0, 2};
  root.dropped_events_count = 6;
  root.links = Range{0, 1};
  root.dropped_links_count = 7;
  root.status_code = model::kStatusError;
  root.status_message = "boom";
  b->AppendSpan(root);

  model::SpanRow child;
  child.scope = 1;
  child.trace_id = trace;
  child.span_id = SpanId::FromBytes("child123");
  child.parent_span_id = root.span_id;
  child.name = "db";
  child.kind = 99;                         // unknown enum values survive
  child.start_time_unix_nano = kNow - 50;  // before its parent
  child.end_time_unix_nano = kNow - 60;    // and ending before it starts
  child.status_code = -3;
  b->AppendSpan(child);
  return b;
}

TEST(Block, HandMadeTraceRoundTripsEveryField) {
  MemoryBackend backend;
  auto batch = HandMadeTrace();
  BlockWriter writer(&backend, Options("b1"));
  ASSERT_TRUE(writer.AddBatch(*batch).ok());
  Result<BlockMeta> meta = writer.Finish();
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->span_count, 2u);
  EXPECT_EQ(meta->trace_count, 1u);
  EXPECT_EQ(meta->min_start_unix_nano, kNow - 50);

  auto reader = BlockReader::Open(&backend, "tenant-a", "b1");
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto found = (*reader)->FindTrace(batch->spans.trace_id[0]);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, EncodeAll(*batch));
}

// Look-ups skip the traces before theirs in a row group without decoding them
// (RowGroupDecoder::SkipTraces): every trace, at every position in row groups of several, with
// nested values, every value type, events, links, external parents and dedicated key groups,
// reads back exactly.
TEST(Block, EveryTraceOfARowGroupIsFoundAfterSkippingTheOnesBeforeIt) {
  auto batch = std::make_unique<SpanBatch>();
  for (int t = 0; t < 40; ++t) {
    auto trace = HandMadeTrace();
    TraceId id = TraceId::FromBytes("trace-hand-made!");
    id.bytes[0] = static_cast<uint8_t>(t);
    for (auto& span_trace : trace->spans.trace_id) span_trace = id;
    if (t % 3 == 1) trace->spans.status_code[0] = model::kStatusOk;
    // Values differ from trace to trace, so a skip that lands on the wrong value shows.
    trace->spans.parent_span_id[0].bytes[0] = static_cast<uint8_t>(t);
    auto vary = [&](AnyValue* v) {
      if (v->type == ValueType::kString) {
        v->bytes = trace->arena.Copy(th::StrCat(v->bytes, "-", t));
      } else if (v->type == ValueType::kInt) {
        v->int_value += t;
      } else if (v->type == ValueType::kDouble) {
        v->double_value += t;
      }
    };
    for (KeyValue& kv : trace->key_values) vary(&kv.value);
    for (AnyValue& v : trace->array_values) vary(&v);
    model::AppendBatch(batch.get(), std::move(trace));
  }
  auto traces = SpansByTrace(*batch);
  for (uint32_t dedicated : {0u, 2u, 16u}) {
    SCOPED_TRACE(dedicated);
    MemoryBackend backend;
    BlockWriterOptions o = Options(th::StrCat("skip", dedicated), /*spans_per_row_group=*/14);
    o.max_dedicated_keys = dedicated;
    BlockWriter writer(&backend, o);
    ASSERT_TRUE(writer.AddBatch(*batch).ok());
    Result<BlockMeta> meta = writer.Finish();
    ASSERT_TRUE(meta.ok()) << meta.status();
    ASSERT_GT(meta->row_groups.size(), 5u);
    auto reader = BlockReader::Open(&backend, o.tenant, o.block_id);
    ASSERT_TRUE(reader.ok()) << reader.status();
    ExpectEveryTraceFound(**reader, *batch, traces);
    // A filtered scan skips the runs of traces between the ones it builds.
    ScanPredicate p;
    p.status_code_equals = model::kStatusOk;
    size_t built = 0;
    ASSERT_TRUE((*reader)
                    ->ScanFiltered(0, UINT64_MAX, p,
                                   [&](std::unique_ptr<SpanBatch>&& got) -> Status {
                                     ++built;
                                     const TraceId id = got->spans.trace_id[0];
                                     EXPECT_EQ(id.bytes[0] % 3, 1);
                                     EXPECT_EQ(EncodeAll(*got), Encode(*batch, traces[id]));
                                     return Status();
                                   },
                                   nullptr)
                    .ok());
    EXPECT_EQ(built, 13u);
  }
}

TEST(Block, LoadgenTracesRoundTripByIdAndByScan) {
  MemoryBackend backend;
  tools::TraceGenerator gen(7);
  auto batch = gen.NextBatch(6000, kNow);
  auto traces = SpansByTrace(*batch);
  BlockWriter writer(&backend, Options("b2", 1000));
  ASSERT_TRUE(writer.AddBatch(*batch).ok());
  Result<BlockMeta> meta = writer.Finish();
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->span_count, batch->span_count());
  EXPECT_EQ(meta->trace_count, traces.size());
  EXPECT_GT(meta->row_groups.size(), 3u);
  EXPECT_FALSE(meta->dedicated_keys.empty());

  auto reader = BlockReader::Open(&backend, "tenant-a", "b2");
  ASSERT_TRUE(reader.ok()) << reader.status();
  ExpectEveryTraceFound(**reader, *batch, traces);

  auto it = traces.begin();
  size_t seen = 0;
  Status s = (*reader)->Scan([&](std::unique_ptr<SpanBatch>&& t) -> Status {
    EXPECT_NE(it, traces.end());
    if (it == traces.end()) return absl::InternalError("too many traces");
    EXPECT_EQ(t->spans.trace_id[0], it->first);
    EXPECT_EQ(EncodeAll(*t), Encode(*batch, it->second));
    EXPECT_EQ(t->tenant, "tenant-a");
    ++it;
    ++seen;
    return Status();
  });
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(seen, traces.size());
}

// A block written row group by row group (each row group's batch gone right after its call) is
// byte for byte the block written all at once, given the same dedicated keys and boundaries.
TEST(Block, RowGroupByRowGroupWritesTheSameBlockAsAllAtOnce) {
  MemoryBackend backend;
  tools::TraceGenerator gen(11);
  auto batch = gen.NextBatch(6000, kNow);
  auto traces = SpansByTrace(*batch);
  BlockWriterOptions whole = Options("whole", 1000);
  whole.created_unix_nano = kNow;
  BlockWriter all_at_once(&backend, whole);
  ASSERT_TRUE(all_at_once.AddBatch(*batch).ok());
  Result<BlockMeta> expected = all_at_once.Finish();
  ASSERT_TRUE(expected.ok()) << expected.status();

  // Keys sampled from every span (all held till Finish), from the first 2500 (some held), from
  // none (chosen at once: none at all). With every span sampled the keys, and so the bytes, are
  // those of the whole block.
  for (uint64_t sample : {uint64_t{batch->span_count()}, uint64_t{2500}, uint64_t{0}}) {
    SCOPED_TRACE(sample);
    BlockWriterOptions streamed = whole;
    streamed.block_id = th::StrCat("streamed", sample);
    BlockWriter writer(&backend, streamed);
    ASSERT_TRUE(writer.StartRowGroups(traces.size(), sample).ok());
    // Same boundaries as the writer's own: close a row group once it holds 1000 spans. A row
    // group's spans are interleaved across traces, as the head hands them out, and each batch
    // is gone right after its row group.
    std::vector<uint32_t> group;
    auto flush = [&] {
      std::vector<uint32_t> interleaved = group;
      std::stable_sort(interleaved.begin(), interleaved.end());
      std::unique_ptr<SpanBatch> copy = model::CopySpans(*batch, interleaved);
      Status st = writer.AddRowGroup(*copy);
      ASSERT_TRUE(st.ok()) << st;
      group.clear();
    };
    for (const auto& [id, spans] : traces) {
      group.insert(group.end(), spans.begin(), spans.end());
      if (group.size() >= 1000) flush();
    }
    if (!group.empty()) flush();
    Result<BlockMeta> meta = writer.Finish();
    ASSERT_TRUE(meta.ok()) << meta.status();
    EXPECT_EQ(meta->span_count, expected->span_count);
    EXPECT_EQ(meta->trace_count, expected->trace_count);
    EXPECT_EQ(meta->row_groups.size(), expected->row_groups.size());
    if (sample == 0) EXPECT_TRUE(meta->dedicated_keys.empty());
    if (sample == batch->span_count()) {
      EXPECT_EQ(meta->dedicated_keys, expected->dedicated_keys);
      for (std::string_view object : {kDataObject, kIndexObject, kBloomObject}) {
        auto a = backend.Get(BlockObjectKey("tenant-a", "whole", object));
        auto b = backend.Get(BlockObjectKey("tenant-a", streamed.block_id, object));
        ASSERT_TRUE(a.ok() && b.ok());
        EXPECT_TRUE(*a == *b) << object << " differs";
      }
    }
    auto reader = BlockReader::Open(&backend, "tenant-a", streamed.block_id);
    ASSERT_TRUE(reader.ok()) << reader.status();
    ExpectEveryTraceFound(**reader, *batch, traces);
  }
}

TEST(Block, RowGroupsOutOfTraceOrderAreRefused) {
  MemoryBackend backend;
  tools::TraceGenerator gen(12);
  auto batch = gen.NextBatch(300, kNow);
  auto traces = SpansByTrace(*batch);
  ASSERT_GE(traces.size(), 2u);
  auto first = model::CopySpans(*batch, traces.begin()->second);
  auto second = model::CopySpans(*batch, std::next(traces.begin())->second);

  for (uint64_t sample : {uint64_t{0}, uint64_t{1} << 20}) {  // keys chosen at once, or held
    BlockWriter writer(&backend, Options(th::StrCat("order", sample)));
    EXPECT_EQ(writer.AddRowGroup(*first).code(), absl::StatusCode::kFailedPrecondition);
    ASSERT_TRUE(writer.StartRowGroups(2, sample).ok());
    ASSERT_TRUE(writer.AddRowGroup(*second).ok());
    EXPECT_EQ(writer.AddRowGroup(*first).code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(writer.AddRowGroup(*second).code(), absl::StatusCode::kInvalidArgument);
    // The refused row groups left nothing behind: the block holds the second trace alone.
    Result<BlockMeta> meta = writer.Finish();
    ASSERT_TRUE(meta.ok()) << meta.status();
    EXPECT_EQ(meta->trace_count, 1u);
    EXPECT_EQ(meta->span_count, second->span_count());
  }

  BlockWriter late(&backend, Options("late"));
  ASSERT_TRUE(late.AddBatch(*batch).ok());
  EXPECT_EQ(late.StartRowGroups(2).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(Block, TraceSpreadOverSeveralAddsIsStoredTogether) {
  MemoryBackend backend;
  tools::TraceGenerator gen(3);
  auto a = gen.NextBatch(200, kNow);
  auto traces = SpansByTrace(*a);
  const auto& [id, spans] = *traces.begin();
  std::vector<uint32_t> first(spans.begin(), spans.begin() + spans.size() / 2);
  std::vector<uint32_t> second(spans.begin() + spans.size() / 2, spans.end());
  BlockWriter writer(&backend, Options("b3"));
  ASSERT_TRUE(writer.AddTrace(*a, second).ok());
  ASSERT_TRUE(writer.AddTrace(*a, first).ok());
  ASSERT_TRUE(writer.Finish().ok());
  auto reader = BlockReader::Open(&backend, "tenant-a", "b3");
  ASSERT_TRUE(reader.ok());
  std::vector<uint32_t> order = second;
  order.insert(order.end(), first.begin(), first.end());
  auto found = (*reader)->FindTrace(id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ(**found, Encode(*a, order));
}

TEST(Block, AddTraceRejectsMixedTracesAndBadIndices) {
  MemoryBackend backend;
  tools::TraceGenerator gen(4);
  auto a = gen.NextBatch(200, kNow);
  auto traces = SpansByTrace(*a);
  BlockWriter writer(&backend, Options("b4"));
  std::vector<uint32_t> mixed = {traces.begin()->second[0], std::next(traces.begin())->second[0]};
  EXPECT_EQ(writer.AddTrace(*a, mixed).code(), absl::StatusCode::kInvalidArgument);
  std::vector<uint32_t> bad = {static_cast<uint32_t>(a->span_count())};
  EXPECT_EQ(writer.AddTrace(*a, bad).code(), absl::StatusCode::kInvalidArgument);
}

TEST(Block, AbsentTracesAreNotFoundIncludingBloomFalsePositives) {
  MemoryBackend backend;
  tools::TraceGenerator gen(5);
  auto batch = gen.NextBatch(3000, kNow);
  BlockWriter writer(&backend, Options("b5"));
  ASSERT_TRUE(writer.AddBatch(*batch).ok());
  Result<BlockMeta> meta = writer.Finish();
  ASSERT_TRUE(meta.ok());
  // No page cache: each look-up's reads show whether the bloom filter or the index answered.
  auto reader = BlockReader::Open(&backend, "tenant-a", "b5", /*cache=*/nullptr);
  ASSERT_TRUE(reader.ok());

  std::mt19937_64 rng(11);
  int false_positives = 0;
  for (int i = 0; i < 5000; ++i) {
    TraceId id = RandomTraceId(rng);
    uint64_t before = backend.stats().requests_for(backend::Verb::kGetRange);
    auto found = (*reader)->FindTrace(id);
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_FALSE(found->has_value());
    // One request (the bloom shard) unless the filter let the id through.
    if (backend.stats().requests_for(backend::Verb::kGetRange) - before > 1) ++false_positives;
  }
  EXPECT_GT(false_positives, 0);    // the index, not only the bloom filter, answered some
  EXPECT_LT(false_positives, 250);  // about 1% expected
  // Ids just below the first and above the last stored id.
  TraceId zero;
  auto found = (*reader)->FindTrace(zero);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST(Block, CorruptPageIsReportedAndOtherRowGroupsStayReadable) {
  MemoryBackend backend;
  tools::TraceGenerator gen(6);
  auto batch = gen.NextBatch(3000, kNow);
  auto traces = SpansByTrace(*batch);
  BlockWriter writer(&backend, Options("b6", 500));
  ASSERT_TRUE(writer.AddBatch(*batch).ok());
  Result<BlockMeta> meta = writer.Finish();
  ASSERT_TRUE(meta.ok());
  ASSERT_GE(meta->row_groups.size(), 2u);

  // Flip a byte inside row group 0's span.name chunk.
  const RowGroupInfo& rg = meta->row_groups[0];
  const internal::ChunkInfo* name_chunk = nullptr;
  for (const auto& c : rg.chunks) {
    if (meta->column_names[c.name] == "span.name") name_chunk = &c;
  }
  ASSERT_NE(name_chunk, nullptr);
  std::string key = BlockObjectKey("tenant-a", "b6", kDataObject);
  std::string data = *backend.Get(key);
  data[rg.range.offset + name_chunk->offset + 12] ^= 0x40;
  ASSERT_TRUE(backend.Put(key, data).ok());

  auto reader = BlockReader::Open(&backend, "tenant-a", "b6");
  ASSERT_TRUE(reader.ok());
  auto bad = (*reader)->FindTrace(rg.first_trace_id);
  ASSERT_EQ(bad.status().code(), absl::StatusCode::kDataLoss);
  std::string message(th::Message(bad.status()));
  EXPECT_NE(message.find("block b6"), std::string::npos) << message;
  EXPECT_NE(message.find("row group 0"), std::string::npos) << message;
  EXPECT_NE(message.find("column span.name"), std::string::npos) << message;
  EXPECT_NE(message.find("page 0"), std::string::npos) << message;

  const RowGroupInfo& rg1 = meta->row_groups[1];
  auto good = (*reader)->FindTrace(rg1.first_trace_id);
  ASSERT_TRUE(good.ok()) << good.status();
  ASSERT_TRUE(good->has_value());
  EXPECT_EQ(**good, Encode(*batch, traces[rg1.first_trace_id]));

  size_t seen = 0;
  Status s = (*reader)->Scan([&](std::unique_ptr<SpanBatch>&&) {
    ++seen;
    return Status();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(seen, traces.size() - rg.trace_count);
}

TEST(Block, CorruptMetaIsDataLossAndNewerVersionIsRefused) {
  MemoryBackend backend;
  tools::TraceGenerator gen(8);
  auto batch = gen.NextBatch(100, kNow);
  BlockWriter writer(&backend, Options("b7"));
  ASSERT_TRUE(writer.AddBatch(*batch).ok());
  ASSERT_TRUE(writer.Finish().ok());
  std::string key = BlockObjectKey("tenant-a", "b7", kMetaObject);
  std::string meta = *backend.Get(key);

  std::string flipped = meta;
  flipped[flipped.size() - 3] ^= 1;
  ASSERT_TRUE(backend.Put(key, flipped).ok());
  EXPECT_EQ(BlockReader::Open(&backend, "tenant-a", "b7").status().code(),
            absl::StatusCode::kDataLoss);

  std::string newer = meta;
  newer[4] = static_cast<char>(kBlockFormatVersion + 1);
  ASSERT_TRUE(backend.Put(key, newer).ok());
  EXPECT_EQ(BlockReader::Open(&backend, "tenant-a", "b7").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(Block, LineageRoundTripsAndVersionOneMetasStillRead) {
  MemoryBackend backend;
  tools::TraceGenerator gen(10);
  auto batch = gen.NextBatch(300, kNow);
  BlockWriterOptions options = Options("b9");
  options.compaction_level = 2;
  options.wal_segment_end = 17;
  options.sources = {"b1", "b2"};
  options.created_unix_nano = kNow;
  BlockWriter writer(&backend, options);
  ASSERT_TRUE(writer.AddBatch(*batch).ok());
  ASSERT_TRUE(writer.Finish().ok());
  auto reader = BlockReader::Open(&backend, "tenant-a", "b9");
  ASSERT_TRUE(reader.ok()) << reader.status();
  const BlockMeta& m = (*reader)->meta();
  EXPECT_EQ(m.version, kBlockFormatVersion);
  EXPECT_EQ(m.compaction_level, 2u);
  EXPECT_EQ(m.wal_segment_end, 17u);
  EXPECT_EQ(m.created_unix_nano, kNow);
  EXPECT_EQ(m.sources, (std::vector<std::string>{"b1", "b2"}));

  // A block written before lineage existed: same body, no lineage.
  auto v1 = EncodeBlockMeta(m, 1);
  ASSERT_TRUE(v1.ok()) << v1.status();
  ASSERT_TRUE(backend.Put(BlockObjectKey("tenant-a", "b9", kMetaObject), *v1).ok());
  auto old = BlockReader::Open(&backend, "tenant-a", "b9");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ((*old)->meta().version, 1u);
  EXPECT_EQ((*old)->meta().compaction_level, 0u);
  EXPECT_TRUE((*old)->meta().sources.empty());
  EXPECT_EQ((*old)->meta().span_count, m.span_count);
  auto found = (*old)->FindTraceBatch(batch->spans.trace_id[0]);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_NE(*found, nullptr);
}

TEST(Block, BlockIsInvisibleUntilMetaIsWritten) {
  tools::TraceGenerator gen(9);
  auto batch = gen.NextBatch(500, kNow);
  struct Case {
    const char* name;
    std::function<void(MemoryBackend&)> inject;
  };
  std::vector<Case> cases = {
      {"data upload crashes", [](MemoryBackend& b) { b.CrashPutStreamAfter(100); }},
      {"data commit fails",
       [](MemoryBackend& b) {
         b.FailNext(backend::Verb::kPutStream, absl::UnavailableError("down"));
       }},
      {"index put fails",
       [](MemoryBackend& b) { b.FailNext(backend::Verb::kPut, absl::UnavailableError("down")); }},
      {"bloom put fails",
       [](MemoryBackend& b) {
         b.FailNext(backend::Verb::kPut, absl::UnavailableError("down"), 2);
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    MemoryBackend backend;
    c.inject(backend);
    BlockWriter writer(&backend, Options("b8"));
    ASSERT_TRUE(writer.AddBatch(*batch).ok());
    EXPECT_FALSE(writer.Finish().ok());
    backend.ClearFaults();
    EXPECT_EQ(BlockReader::Open(&backend, "tenant-a", "b8").status().code(),
              absl::StatusCode::kNotFound);
    EXPECT_EQ(backend.OpenWritersForTest(), 0);
  }
  // The meta put failing leaves no meta either.
  MemoryBackend backend;
  BlockWriter writer(&backend, Options("b8"));
  ASSERT_TRUE(writer.AddBatch(*batch).ok());
  backend.FailNext(backend::Verb::kPut, absl::UnavailableError("down"), 3);
  EXPECT_FALSE(writer.Finish().ok());
  EXPECT_FALSE(backend.Stat(BlockObjectKey("tenant-a", "b8", kMetaObject)).ok());
}

TEST(Block, EmptyBlockHasNoTraces) {
  MemoryBackend backend;
  BlockWriter writer(&backend, Options("empty"));
  Result<BlockMeta> meta = writer.Finish();
  ASSERT_TRUE(meta.ok()) << meta.status();
  EXPECT_EQ(meta->span_count, 0u);
  EXPECT_TRUE(meta->row_groups.empty());
  auto reader = BlockReader::Open(&backend, "tenant-a", "empty");
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto found = (*reader)->FindTrace(TraceId::FromBytes("0123456789abcdef"));
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  int seen = 0;
  EXPECT_TRUE((*reader)
                  ->Scan([&](std::unique_ptr<SpanBatch>&&) {
                    ++seen;
                    return Status();
                  })
                  .ok());
  EXPECT_EQ(seen, 0);
}

TEST(Block, OneSpanBlockRoundTrips) {
  MemoryBackend backend;
  SpanBatch b;
  b.resources.push_back({});
  b.scopes.push_back({});
  model::SpanRow row;
  row.trace_id = TraceId::FromBytes("only-trace-id-16");
  row.span_id = SpanId::FromBytes("onlyspan");
  row.start_time_unix_nano = 5;
  row.end_time_unix_nano = 6;
  b.AppendSpan(row);
  BlockWriter writer(&backend, Options("one"));
  ASSERT_TRUE(writer.AddBatch(b).ok());
  ASSERT_TRUE(writer.Finish().ok());
  auto reader = BlockReader::Open(&backend, "tenant-a", "one");
  ASSERT_TRUE(reader.ok());
  auto found = (*reader)->FindTrace(row.trace_id);
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status();
  EXPECT_EQ(**found, EncodeAll(b));
}

TEST(Block, TraceOfThousandSpansIsNeverSplitAcrossRowGroups) {
  MemoryBackend backend;
  tools::TraceGenerator gen(10);
  auto batch = gen.NextBatch(1500, kNow);
  // Rewrite the first 1000 spans into one trace, chaining parents.
  TraceId big = TraceId::FromBytes("big-trace-000001");
  for (uint32_t i = 0; i < 1000; ++i) batch->spans.trace_id[i] = big;
  for (uint32_t i = 1; i < 1000; ++i) batch->spans.parent_span_id[i] = batch->spans.span_id[i - 1];
  auto traces = SpansByTrace(*batch);
  BlockWriter writer(&backend, Options("big", 100));
  ASSERT_TRUE(writer.AddBatch(*batch).ok());
  Result<BlockMeta> meta = writer.Finish();
  ASSERT_TRUE(meta.ok());
  bool found_big = false;
  for (const auto& rg : meta->row_groups) {
    if (rg.span_count >= 1000) found_big = true;
  }
  EXPECT_TRUE(found_big);
  auto reader = BlockReader::Open(&backend, "tenant-a", "big");
  ASSERT_TRUE(reader.ok());
  for (const auto& [id, spans] : traces) {
    auto found = (*reader)->FindTrace(id);
    ASSERT_TRUE(found.ok() && found->has_value());
    ASSERT_EQ(**found, Encode(*batch, spans));
  }
}

TEST(Bloom, HasNoFalseNegativesAndFewFalsePositives) {
  std::mt19937_64 rng(1);
  BloomBuilder builder(BloomShapeFor(60000));
  std::vector<TraceId> ids;
  for (int i = 0; i < 60000; ++i) {
    ids.push_back(RandomTraceId(rng));
    builder.Add(ids.back());
  }
  EXPECT_GT(builder.shape().shard_count, 1u);
  for (const TraceId& id : ids) {
    ASSERT_TRUE(
        BloomMayContain(builder.shape(), builder.shard(BloomShard(builder.shape(), id)), id));
  }
  int fp = 0;
  for (int i = 0; i < 20000; ++i) {
    TraceId id = RandomTraceId(rng);
    fp += BloomMayContain(builder.shape(), builder.shard(BloomShard(builder.shape(), id)), id);
  }
  EXPECT_LT(fp, 600);  // ~1% expected
}

}  // namespace
}  // namespace th::store::block

namespace th::store::block {
namespace {

TEST(BlockScanFiltered, PassesExactlyTheTracesWithAQualifyingSpanAndSkipsTheRest) {
  MemoryBackend backend;
  tools::TraceGenerator gen(21);
  auto batch = gen.NextBatch(20'000, kNow);
  BlockWriter writer(&backend, Options("bf", 1024));
  ASSERT_TRUE(writer.AddBatch(*batch).ok());
  ASSERT_TRUE(writer.Finish().ok());
  auto reader = BlockReader::Open(&backend, "tenant-a", "bf");
  ASSERT_TRUE(reader.ok());

  // A service, a span name and a long duration that exist in the data.
  const model::Resource& r0 = batch->resources[batch->scopes[batch->spans.scope[0]].resource];
  std::string service;
  for (uint32_t k = r0.attributes.begin; k < r0.attributes.end(); ++k) {
    if (batch->key_values[k].key == "service.name") service = batch->key_values[k].value.bytes;
  }
  ASSERT_FALSE(service.empty());
  std::string name(batch->spans.name[7]);

  std::vector<std::pair<std::string, ScanPredicate>> cases;
  ScanPredicate p;
  p.resource_equals = {{"service.name", service}};
  cases.emplace_back("service", p);
  p = {};
  p.resource_equals = {{"service.name", "no-such-service"}};
  cases.emplace_back("absent service", p);
  p = {};
  p.name_equals = name;
  cases.emplace_back("name", p);
  p = {};
  p.status_code_equals = 2;
  cases.emplace_back("status error", p);
  p = {};
  p.min_duration = 2'000'000'000;
  cases.emplace_back("duration > 2s", p);
  p = {};
  p.min_duration = INT64_MAX - 1;
  cases.emplace_back("impossible duration", p);
  p = {};
  p.resource_equals = {{"service.name", service}};
  p.kind_equals = 2;  // server
  p.max_duration = 50'000'000;
  cases.emplace_back("service, server, < 50ms", p);

  for (const auto& [label, pred] : cases) {
    SCOPED_TRACE(label);
    std::set<TraceId> expected;
    for (uint32_t i = 0; i < batch->span_count(); ++i) {
      if (testing::SpanSatisfies(*batch, i, pred)) expected.insert(batch->spans.trace_id[i]);
    }
    std::set<TraceId> visited;
    size_t visited_spans = 0;
    ScanSkips skips;
    ASSERT_TRUE((*reader)
                    ->ScanFiltered(0, UINT64_MAX, pred,
                                   [&](std::unique_ptr<SpanBatch>&& t) -> Status {
                                     visited.insert(t->spans.trace_id[0]);
                                     visited_spans += t->span_count();
                                     return Status();
                                   },
                                   &skips)
                    .ok());
    EXPECT_EQ(visited, expected);
    EXPECT_EQ(visited_spans + skips.spans, batch->span_count());
  }
}

}  // namespace
}  // namespace th::store::block

#include "model/span_batch_merge.h"

#include <gtest/gtest.h>

#include "model/otlp_decode.h"
#include "model/otlp_encode.h"

namespace th::model {
namespace {

// A batch with nested attribute values, events and links, so every pool and range is used.
std::unique_ptr<SpanBatch> RichBatch(const std::string& service, int spans) {
  auto b = std::make_unique<SpanBatch>();
  b->tenant = "t";
  auto str = [&](std::string_view s) {
    AnyValue v;
    v.type = ValueType::kString;
    v.bytes = b->arena.Copy(s);
    return v;
  };
  b->key_values.push_back({b->arena.Copy("service.name"), str(service)});
  b->resources.push_back(Resource{{0, 1}, 0, {}, {}});
  Scope scope;
  scope.name = b->arena.Copy("lib");
  scope.version = b->arena.Copy("1.0");
  b->scopes.push_back(scope);
  for (int i = 0; i < spans; ++i) {
    // attributes: k=str, list=[1, {inner: x}], map={a: b}
    auto attr = static_cast<uint32_t>(b->key_values.size());
    b->key_values.push_back({b->arena.Copy("k"), str(service + std::to_string(i))});
    AnyValue list;
    list.type = ValueType::kArray;
    auto arr = static_cast<uint32_t>(b->array_values.size());
    AnyValue one;
    one.type = ValueType::kInt;
    one.int_value = i;
    b->array_values.push_back(one);
    AnyValue inner_map;
    inner_map.type = ValueType::kKvList;
    b->array_values.push_back(inner_map);
    list.range = {arr, 2};
    b->key_values.push_back({b->arena.Copy("list"), list});
    AnyValue map;
    map.type = ValueType::kKvList;
    b->key_values.push_back({b->arena.Copy("map"), map});
    auto nested = static_cast<uint32_t>(b->key_values.size());
    b->key_values.push_back({b->arena.Copy("a"), str("b")});
    b->key_values[attr + 2].value.range = {nested, 1};
    auto inner = static_cast<uint32_t>(b->key_values.size());
    b->key_values.push_back({b->arena.Copy("inner"), str("x")});
    b->array_values[arr + 1].range = {inner, 1};

    Event e;
    e.name = b->arena.Copy("ev");
    e.time_unix_nano = 5;
    e.attributes = {nested, 1};
    b->events.push_back(e);
    Link l;
    l.trace_id.bytes[0] = 9;
    l.span_id.bytes[0] = 8;
    l.trace_state = b->arena.Copy("ts=1");
    b->links.push_back(l);
    SpanRow row;
    row.trace_id.bytes[15] = static_cast<uint8_t>(i + 1);
    row.span_id.bytes[7] = static_cast<uint8_t>(i + 1);
    row.name = b->arena.Copy(service + "-op");
    row.attributes = {attr, 3};
    row.events = {static_cast<uint32_t>(b->events.size() - 1), 1};
    row.links = {static_cast<uint32_t>(b->links.size() - 1), 1};
    row.status_message = b->arena.Copy("fine");
    b->AppendSpan(row);
  }
  return b;
}

std::string Encode(const SpanBatch& b) {
  std::string out;
  EncodeOtlpTraces(b, &out);
  return out;
}

std::vector<uint32_t> All(const SpanBatch& b) {
  std::vector<uint32_t> v;
  for (uint32_t i = 0; i < b.span_count(); ++i) v.push_back(i);
  return v;
}

TEST(SpanBatchMerge, CloneAndCopySpansEncodeLikeTheOriginal) {
  auto b = RichBatch("a", 3);
  std::string expected = Encode(*b);
  auto clone = b->Clone();
  auto copy = CopySpans(*b, All(*b));
  b.reset();  // the copies own their bytes
  EXPECT_EQ(Encode(*clone), expected);
  EXPECT_EQ(Encode(*copy), expected);
}

TEST(SpanBatchMerge, AppendBatchKeepsEverySpanWithItsOwnResourceAndValues) {
  auto a = RichBatch("a", 2);
  auto b = RichBatch("b", 3);
  std::string only_a = Encode(*a);
  std::string only_b = Encode(*b);
  auto merged = std::make_unique<SpanBatch>();
  AppendBatch(merged.get(), std::move(a));
  AppendBatch(merged.get(), std::move(b));
  ASSERT_EQ(merged->span_count(), 5u);
  EXPECT_EQ(merged->tenant, "t");
  std::vector<uint32_t> first = {0, 1}, second = {2, 3, 4};
  EXPECT_EQ(Encode(*CopySpans(*merged, first)), only_a);
  EXPECT_EQ(Encode(*CopySpans(*merged, second)), only_b);
}

TEST(SpanBatchMerge, CopySpansTakesOnlyWhatTheChosenSpansUse) {
  auto a = RichBatch("a", 2);
  auto b = RichBatch("b", 2);
  AppendBatch(a.get(), std::move(b));
  std::vector<uint32_t> pick = {3};
  auto one = CopySpans(*a, pick);
  ASSERT_EQ(one->span_count(), 1u);
  EXPECT_EQ(one->resources.size(), 1u);
  EXPECT_EQ(one->key_values[one->resources[0].attributes.begin].value.bytes, "b");
  EXPECT_EQ(one->spans.name[0], "b-op");
  EXPECT_EQ(one->events.size(), 1u);
  EXPECT_EQ(one->links[0].trace_state, "ts=1");
}

std::unique_ptr<SpanBatch> Decoded(const SpanBatch& b) {
  auto decoded = DecodeOtlpTracesProto(Encode(b), "t");
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  return std::move(decoded->batch);
}

bool Inside(std::string_view v, std::string_view buffer) {
  return v.data() >= buffer.data() && v.data() + v.size() <= buffer.data() + buffer.size();
}

TEST(SpanBatchMerge, JoinBatchesConcatenatesEncodingsAndRebasesWireViews) {
  auto a = Decoded(*RichBatch("a", 2));
  auto b = Decoded(*RichBatch("b", 3));
  ASSERT_FALSE(a->otlp_encoding.empty());
  std::string expected = std::string(a->otlp_encoding) + std::string(b->otlp_encoding);
  std::vector<std::string> span_bytes;
  for (auto* batch : {a.get(), b.get()}) {
    for (std::string_view w : batch->spans.wire) span_bytes.emplace_back(w);
  }
  std::vector<std::unique_ptr<SpanBatch>> parts;
  parts.push_back(std::move(a));
  parts.push_back(std::move(b));
  auto joined = JoinBatches(std::move(parts));
  ASSERT_EQ(joined->span_count(), 5u);
  EXPECT_EQ(joined->otlp_encoding, expected);
  for (size_t i = 0; i < joined->span_count(); ++i) {
    EXPECT_TRUE(Inside(joined->spans.wire[i], joined->otlp_encoding)) << i;
    EXPECT_EQ(joined->spans.wire[i], span_bytes[i]);
  }
  for (const Resource& r : joined->resources) EXPECT_TRUE(Inside(r.wire, joined->otlp_encoding));
  // The concatenation decodes to the same spans.
  auto again = DecodeOtlpTracesProto(std::string(joined->otlp_encoding), "t");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Encode(*again->batch), Encode(*joined));
}

TEST(SpanBatchMerge, CloneRebasesWireViewsIntoItsOwnEncoding) {
  auto original = Decoded(*RichBatch("a", 3));
  std::string expected = Encode(*original);
  auto clone = original->Clone();
  original.reset();
  ASSERT_FALSE(clone->otlp_encoding.empty());
  for (std::string_view w : clone->spans.wire) EXPECT_TRUE(Inside(w, clone->otlp_encoding));
  for (const Resource& r : clone->resources) EXPECT_TRUE(Inside(r.wire, clone->otlp_encoding));
  EXPECT_EQ(Encode(*clone), expected);
}

TEST(SpanBatchMerge, JoinBatchesDropsTheEncodingWhenAPartHasNone) {
  std::vector<std::unique_ptr<SpanBatch>> parts;
  parts.push_back(Decoded(*RichBatch("a", 1)));
  parts.push_back(RichBatch("b", 1));  // built by hand: no encoding
  auto joined = JoinBatches(std::move(parts));
  EXPECT_EQ(joined->span_count(), 2u);
  EXPECT_TRUE(joined->otlp_encoding.empty());
}

}  // namespace
}  // namespace th::model

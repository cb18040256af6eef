// Column-first predicate evaluation (internal/span_filter.h) through BlockReader: the traces it
// passes are exactly those with a qualifying span (a superset where the filter cannot tell).
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "model/span_batch.h"
#include "store/backend/memory/memory_backend.h"
#include "store/block/block_reader.h"
#include "store/block/block_writer.h"
#include "store/block/page_cache.h"
#include "store/block/testing/span_satisfies.h"
#include "store/block/internal/span_filter.h"

namespace th::store::block {
namespace {

using model::AnyValue;
using model::KeyValue;
using model::Range;
using model::SpanBatch;
using model::TraceId;
using model::ValueType;
using Eq = AttributeEquals;

constexpr uint64_t kNow = 1'700'000'000'000'000'000ull;

AnyValue Int(int64_t i) {
  AnyValue v;
  v.type = ValueType::kInt;
  v.int_value = i;
  return v;
}

// Traces over three services; span attributes of every scalar type, some missing, one array key
// and event attributes, so each code path of the filter is taken.
std::unique_ptr<SpanBatch> Data(bool with_arrays) {
  auto b = std::make_unique<SpanBatch>();
  auto str = [&](std::string_view s) {
    AnyValue v;
    v.type = ValueType::kString;
    v.bytes = b->arena.Copy(s);
    return v;
  };
  auto kv = [&](std::string_view key, AnyValue v) {
    b->key_values.push_back(KeyValue{b->arena.Copy(key), v});
  };
  for (int r = 0; r < 3; ++r) {
    uint32_t begin = static_cast<uint32_t>(b->key_values.size());
    kv("service.name", str(std::string("svc-") + char('a' + r)));
    kv("tier", Int(r));
    b->resources.push_back({Range{begin, 2}, 0, "", {}});
    b->scopes.push_back({static_cast<uint32_t>(r), "lib", "", Range{}, 0, "", {}});
  }
  b->array_values.push_back(Int(1));
  b->array_values.push_back(Int(2));
  uint32_t state = 12345;
  auto next = [&]() {
    state = state * 1103515245u + 12345u;
    return (state >> 8) % 1000;
  };
  for (int t = 0; t < 400; ++t) {
    TraceId id;
    id.bytes[0] = static_cast<uint8_t>(t >> 8);
    id.bytes[1] = static_cast<uint8_t>(t);
    id.bytes[15] = 1;
    const int spans = 1 + static_cast<int>(next() % 12);
    for (int s = 0; s < spans; ++s) {
      model::SpanRow row;
      row.scope = next() % 3;
      row.trace_id = id;
      row.span_id.bytes[0] = static_cast<uint8_t>(s + 1);
      row.name = (next() % 4 == 0) ? "GET /cart" : "work";
      row.kind = static_cast<int32_t>(next() % 5);
      row.status_code = static_cast<int32_t>(next() % 3);
      row.start_time_unix_nano = kNow + static_cast<uint64_t>(t) * 1000;
      row.end_time_unix_nano = row.start_time_unix_nano + next() * 1000;
      uint32_t begin = static_cast<uint32_t>(b->key_values.size());
      uint32_t k = next();
      if (k % 10 != 0) {  // missing on a tenth of the spans
        static const int64_t kCodes[] = {200, 200, 200, 404, 500};
        kv("http.status_code", Int(kCodes[k % 5]));
      }
      switch (next() % 6) {  // "mixed": every scalar type, or absent
        case 0: kv("mixed", Int(7)); break;
        case 1: {
          AnyValue d;
          d.type = ValueType::kDouble;
          d.double_value = 7.0;
          kv("mixed", d);
          break;
        }
        case 2: kv("mixed", str("7")); break;
        case 3: {
          AnyValue v;
          v.type = ValueType::kBool;
          v.bool_value = true;
          kv("mixed", v);
          break;
        }
        case 4: kv("mixed", Int(8)); break;
        default: break;
      }
      if (next() % 7 == 0) kv("tier", Int(5));  // span-level "tier": unscoped looks here first
      if (with_arrays && t % 50 == 3 && s == 0) {
        AnyValue a;
        a.type = ValueType::kArray;
        a.range = Range{0, 2};
        kv("arr", a);
      }
      row.attributes = Range{begin, static_cast<uint32_t>(b->key_values.size()) - begin};
      if (t % 40 == 7 && s == 0) {
        uint32_t e = static_cast<uint32_t>(b->key_values.size());
        kv("evt.key", str("x"));
        row.events = Range{static_cast<uint32_t>(b->events.size()), 1};
        b->events.push_back({row.start_time_unix_nano, "ev", Range{e, 1}, 0});
      }
      b->AppendSpan(row);
    }
  }
  return b;
}

Eq Attr(Eq::Scope scope, std::string key, int64_t i) {
  Eq e;
  e.scope = scope;
  e.key = std::move(key);
  e.type = Eq::Type::kInt;
  e.int_value = i;
  return e;
}

struct Case {
  std::string label;
  ScanPredicate p;
  bool exact = true;  // else: a superset is allowed
};

std::vector<Case> Cases() {
  std::vector<Case> out;
  auto add = [&](std::string label, ScanPredicate p, bool exact = true) {
    out.push_back({std::move(label), std::move(p), exact});
  };
  ScanPredicate p;
  p.attribute_equals = {Attr(Eq::Scope::kSpan, "http.status_code", 500)};
  add("span int", p);
  p.attribute_equals = {Attr(Eq::Scope::kSpan, "http.status_code", 999)};
  add("span int, value absent", p);
  p.attribute_equals = {Attr(Eq::Scope::kSpan, "no.such.key", 1)};
  add("key absent", p);
  p.attribute_equals = {Attr(Eq::Scope::kSpan, "mixed", 7)};
  add("mixed int (int and double)", p);
  Eq e = Attr(Eq::Scope::kSpan, "mixed", 0);
  e.type = Eq::Type::kDouble;
  e.double_value = 7.0;
  p.attribute_equals = {e};
  add("mixed double", p);
  e.type = Eq::Type::kString;
  e.string_value = "7";
  p.attribute_equals = {e};
  add("mixed string", p);
  e.string_value = "nope";
  p.attribute_equals = {e};
  add("mixed string, dictionary without it", p);
  e.type = Eq::Type::kBool;
  e.bool_value = true;
  p.attribute_equals = {e};
  add("mixed bool", p);
  p.attribute_equals = {Attr(Eq::Scope::kAny, "tier", 2)};
  add("unscoped: resource", p);
  p.attribute_equals = {Attr(Eq::Scope::kAny, "tier", 5)};
  add("unscoped: span", p);
  p.attribute_equals = {Attr(Eq::Scope::kResource, "tier", 1)};
  add("resource int", p);
  e = Attr(Eq::Scope::kAny, "evt.key", 0);
  e.type = Eq::Type::kString;
  e.string_value = "x";
  p.attribute_equals = {e};
  add("unscoped, key in events", p, false);
  p.attribute_equals = {Attr(Eq::Scope::kSpan, "arr", 2)};
  add("array values", p, false);
  p = {};
  p.name_equals = "GET /cart";
  p.status_code_equals = 2;
  p.kind_equals = 3;
  p.resource_equals = {{"service.name", "svc-b"}};
  p.attribute_equals = {Attr(Eq::Scope::kSpan, "http.status_code", 200)};
  add("everything", p);
  p = {};
  p.name_equals = "no such name";
  add("name not in dictionary", p);
  p = {};
  p.min_duration = 0;
  add("all match", p);
  p.max_duration = -1;
  add("none match", p);
  p = {};
  p.min_duration = 400'000;
  p.max_duration = 600'000;
  add("duration range", p);
  return out;
}

// (dedicated keys, with an array-valued key): 0 puts every span attribute in the shared value
// group, 16 gives each key its own; an array value in the shared group makes the filter pass
// every span of its row group for conditions on that group (nested values are not evaluated).
class SpanFilterTest : public ::testing::TestWithParam<std::tuple<uint32_t, bool>> {};

TEST_P(SpanFilterTest, PassesTheTracesWithAQualifyingSpan) {
  backend::MemoryBackend backend;
  const auto [dedicated_keys, with_arrays] = GetParam();
  auto batch = Data(with_arrays);
  BlockWriterOptions o;
  o.tenant = "t";
  o.block_id = "b";
  o.target_spans_per_row_group = 64;
  o.max_dedicated_keys = dedicated_keys;
  BlockWriter writer(&backend, o);
  ASSERT_TRUE(writer.AddBatch(*batch).ok());
  ASSERT_TRUE(writer.Finish().ok());
  auto reader = BlockReader::Open(&backend, "t", "b");
  ASSERT_TRUE(reader.ok()) << reader.status();

  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.label);
    std::set<TraceId> expected;
    for (uint32_t i = 0; i < batch->span_count(); ++i) {
      if (testing::SpanSatisfies(*batch, i, c.p)) expected.insert(batch->spans.trace_id[i]);
    }
    std::set<TraceId> visited;
    size_t visited_spans = 0;
    ScanSkips skips;
    ASSERT_TRUE((*reader)
                    ->ScanFiltered(0, UINT64_MAX, c.p,
                                   [&](std::unique_ptr<SpanBatch>&& t) -> Status {
                                     visited.insert(t->spans.trace_id[0]);
                                     visited_spans += t->span_count();
                                     return Status();
                                   },
                                   &skips)
                    .ok());
    EXPECT_EQ(visited_spans + skips.spans, batch->span_count());
    const bool shared_group_with_arrays =
        with_arrays && dedicated_keys < 16 && !c.p.attribute_equals.empty() &&
        !(dedicated_keys == 1 && c.p.attribute_equals[0].key == "http.status_code") &&
        c.p.attribute_equals[0].scope != Eq::Scope::kResource;
    if (c.exact && !shared_group_with_arrays) {
      EXPECT_EQ(visited, expected);
    } else {
      for (const TraceId& id : expected) EXPECT_TRUE(visited.count(id)) << "missed a match";
      if (expected.size() < 100) EXPECT_LT(visited.size(), 400u);
    }
    ScanSkips count_skips;
    auto count = (*reader)->CountCandidateTraces(0, UINT64_MAX, c.p, &count_skips);
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, visited.size());
  }
}

INSTANTIATE_TEST_SUITE_P(DedicatedKeys, SpanFilterTest,
                         ::testing::Combine(::testing::Values(0u, 1u, 16u), ::testing::Bool()));

// The traces ScanFiltered passes, or its error.
Result<std::set<TraceId>> Visit(const BlockReader& reader, const ScanPredicate& p) {
  std::set<TraceId> visited;
  Status s = reader.ScanFiltered(
      0, UINT64_MAX, p,
      [&](std::unique_ptr<SpanBatch>&& t) -> Status {
        visited.insert(t->spans.trace_id[0]);
        return Status();
      },
      nullptr);
  if (!s.ok()) return s;
  return visited;
}

// Writes Data(false) as block `block_id` of tenant "t", 64 spans per row group.
Result<BlockMeta> WriteData(backend::MemoryBackend* backend, std::string block_id) {
  auto batch = Data(/*with_arrays=*/false);
  BlockWriterOptions o;
  o.tenant = "t";
  o.block_id = std::move(block_id);
  o.target_spans_per_row_group = 64;
  BlockWriter writer(backend, o);
  RETURN_IF_ERROR(writer.AddBatch(*batch));
  return writer.Finish();
}

// Filtered scans keep the pages they evaluate in PageCache::Columns(): a repeated scan reads
// nothing for row groups it rules out, and answers exactly as a reader without caches does.
TEST(SpanFilterColumnCache, RepeatedScansReadNothingNewAndAnswerTheSame) {
  backend::MemoryBackend backend;
  ASSERT_TRUE(WriteData(&backend, "cached").ok());
  const uint64_t pages_before = PageCache::Columns()->stats().pages;
  auto cached = BlockReader::Open(&backend, "t", "cached");
  auto uncached = BlockReader::Open(&backend, "t", "cached", /*cache=*/nullptr);
  ASSERT_TRUE(cached.ok() && uncached.ok());

  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.label);
    auto expected = Visit(**uncached, c.p);
    ASSERT_TRUE(expected.ok()) << expected.status();
    auto cold = Visit(**cached, c.p);
    ASSERT_TRUE(cold.ok()) << cold.status();
    EXPECT_EQ(*cold, *expected);
    auto first = (*cached)->CountCandidateTraces(0, UINT64_MAX, c.p, nullptr);
    const uint64_t reads = backend.stats().requests_for(backend::Verb::kGetRange);
    auto again = (*cached)->CountCandidateTraces(0, UINT64_MAX, c.p, nullptr);
    ASSERT_TRUE(first.ok() && again.ok());
    EXPECT_EQ(*again, *first);
    EXPECT_EQ(*again, expected->size());
    // Counting reads only the predicate's columns, all cached by the first count.
    EXPECT_EQ(backend.stats().requests_for(backend::Verb::kGetRange), reads);
    auto warm = Visit(**cached, c.p);
    ASSERT_TRUE(warm.ok()) << warm.status();
    EXPECT_EQ(*warm, *expected);
  }
  EXPECT_GT(PageCache::Columns()->stats().pages, pages_before);
  cached->reset();
  EXPECT_EQ(PageCache::Columns()->stats().pages, pages_before);  // a closed reader's pages go
}

// A corrupt page of a filter column is never cached: every scan reports it, not only the first.
TEST(SpanFilterColumnCache, CorruptFilterColumnIsReportedByEveryScan) {
  backend::MemoryBackend backend;
  Result<BlockMeta> meta = WriteData(&backend, "corrupt");
  ASSERT_TRUE(meta.ok()) << meta.status();
  const RowGroupInfo& rg = meta->row_groups[0];
  const internal::ChunkInfo* scope = nullptr;
  for (const auto& c : rg.chunks) {
    if (meta->column_names[c.name] == "span.scope") scope = &c;
  }
  ASSERT_NE(scope, nullptr);
  const std::string key = BlockObjectKey("t", "corrupt", kDataObject);
  std::string data = *backend.Get(key);
  data[rg.range.offset + scope->offset + scope->length - 1] ^= 0x40;
  ASSERT_TRUE(backend.Put(key, data).ok());

  auto reader = BlockReader::Open(&backend, "t", "corrupt");
  ASSERT_TRUE(reader.ok());
  ScanPredicate p;
  p.resource_equals = {{"service.name", "svc-a"}};
  for (int pass = 0; pass < 2; ++pass) {
    SCOPED_TRACE(pass);
    auto visited = Visit(**reader, p);
    ASSERT_EQ(visited.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(std::string(th::Message(visited.status())).find("column span.scope"),
              std::string::npos)
        << visited.status();
  }
}

TEST(SpanFilter, EmptyRowGroupHasNoCandidates) {
  SpanBatch tables;
  internal::DedicatedKeys dedicated;
  ScanPredicate p;
  p.attribute_equals = {Attr(Eq::Scope::kSpan, "k", 1)};
  p.name_equals = "x";
  internal::SpanFilter filter(p, tables, dedicated);
  std::vector<internal::ChunkInfo> chunks;
  std::vector<std::string> names;
  const internal::ColumnNameIndex index(&names);
  internal::RowGroupColumns columns("b", "row group 0", "", &chunks, &index);
  EXPECT_EQ(filter.Evaluate(&columns, 0, 0), 0u);
  EXPECT_TRUE(filter.trace_match().empty());
}

TEST(SpanFilter, UnreadableColumnsMakeEveryTraceACandidate) {
  SpanBatch tables;
  internal::DedicatedKeys dedicated;
  ScanPredicate p;
  p.status_code_equals = 2;
  internal::SpanFilter filter(p, tables, dedicated);
  std::vector<internal::ChunkInfo> chunks;
  std::vector<std::string> names;
  const internal::ColumnNameIndex index(&names);
  // 3 traces, 5 spans, but no columns: the counts do not match.
  internal::RowGroupColumns columns("b", "row group 0", "", &chunks, &index);
  EXPECT_EQ(filter.Evaluate(&columns, 3, 5), 3u);
  EXPECT_EQ(filter.trace_match(), std::vector<uint8_t>(3, 1));
}

TEST(SpanFilter, BlockWithoutTheResourceIsRuledOut) {
  SpanBatch tables;
  internal::DedicatedKeys dedicated;
  ScanPredicate p;
  p.resource_equals = {{"service.name", "x"}};
  EXPECT_FALSE(internal::SpanFilter(p, tables, dedicated).block_may_match());
  EXPECT_TRUE(internal::SpanFilter(ScanPredicate(), tables, dedicated).block_may_match());
}

}  // namespace
}  // namespace th::store::block

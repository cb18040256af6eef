// Test helpers for the executor: a builder for one trace as a SpanBatch, and shortcuts that
// parse, compile and evaluate a query on it. Test-only; not part of the module.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/span_batch.h"
#include "query/exec/exec.h"

namespace th::query::exec::testing {

// An attribute value for test spans: string, int, double, bool or an array of those.
struct V {
  model::ValueType type = model::ValueType::kEmpty;
  std::string s;
  int64_t i = 0;
  double d = 0;
  bool b = false;
  std::vector<V> elements;

  V() = default;
  V(const char* v) : type(model::ValueType::kString), s(v) {}  // NOLINT: implicit on purpose
  V(std::string v) : type(model::ValueType::kString), s(std::move(v)) {}  // NOLINT
  V(int v) : type(model::ValueType::kInt), i(v) {}                        // NOLINT
  V(int64_t v) : type(model::ValueType::kInt), i(v) {}                    // NOLINT
  V(double v) : type(model::ValueType::kDouble), d(v) {}                  // NOLINT
  V(bool v) : type(model::ValueType::kBool), b(v) {}                      // NOLINT
  static V Array(std::vector<V> elements);
};
using Attrs = std::vector<std::pair<std::string, V>>;

struct EventSpec {
  std::string name;
  int64_t offset_ms = 0;  // after the span's start
  Attrs attrs;
};

struct LinkSpec {
  uint8_t trace = 9;  // last byte of the linked trace id
  uint8_t span = 9;   // last byte of the linked span id
  Attrs attrs;
};

struct SpanSpec {
  uint32_t scope = 0;  // from TraceBuilder::Scope
  uint8_t id = 1;      // last byte of the span id
  uint8_t parent = 0;  // last byte of the parent id; 0: a root
  std::string name = "span";
  uint64_t start_ms = 0;  // after the trace's base time
  uint64_t end_ms = 1;
  int32_t kind = model::kSpanKindInternal;
  int32_t status = model::kStatusUnset;
  std::string status_message;
  Attrs attrs;
  std::vector<EventSpec> events;
  std::vector<LinkSpec> links;
};

class TraceBuilder {
 public:
  explicit TraceBuilder(uint8_t trace = 1);

  // A resource with `resource` attributes and one instrumentation scope under it; returns the
  // scope's index for SpanSpec::scope.
  uint32_t Scope(const Attrs& resource, std::string_view scope_name = "lib",
                 std::string_view scope_version = "1.0", const Attrs& scope_attrs = {});
  // Appends a span; returns its index.
  uint32_t Span(const SpanSpec& spec);

  const model::SpanBatch& batch() const { return *batch_; }
  // Hands the batch over (for Store::Append), tagged with `tenant`; the builder is spent.
  std::unique_ptr<model::SpanBatch> Take(std::string_view tenant);

 private:
  model::Range AddAttrs(const Attrs& attrs);
  model::AnyValue AddValue(const V& v);

  uint8_t trace_;
  std::unique_ptr<model::SpanBatch> batch_;
};

// Parses and compiles `query`; fails the test (and returns null) when either fails.
std::unique_ptr<Executor> CompileOrDie(std::string_view query);

// Evaluates `query` on `trace`: the surviving spansets.
std::vector<Spanset> RunQuery(std::string_view query, const model::SpanBatch& trace);

// The names of the spans in any surviving spanset, sorted, each once.
std::vector<std::string> Names(std::string_view query, const model::SpanBatch& trace);

}  // namespace th::query::exec::testing

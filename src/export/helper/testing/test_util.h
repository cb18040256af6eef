// Test-only helpers shared by the exporter tests (helper, otlp, otlphttp, debug, file): batches
// with a recognisable shape, a consumer that records what reaches it, the outcomes of `done`
// callbacks, and a bounded wait.
// Header-only; not linked into production code. Thread-safety: RecordingConsumer is thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "model/otlp_encode.h"
#include "model/span_batch.h"
#include "pipeline/consumer.h"

namespace th::exporter::testing {

// `spans` spans named "<service>-op-<i>" under one resource (service.name=<service>) and one
// scope, with a string attribute, an event and distinct ids (`id_base` keeps batches apart).
inline std::unique_ptr<model::SpanBatch> MakeBatch(const std::string& service, int spans,
                                                   const std::string& tenant = "single-tenant",
                                                   int id_base = 0) {
  auto b = std::make_unique<model::SpanBatch>();
  b->tenant = tenant;
  auto str = [&](std::string_view s) {
    model::AnyValue v;
    v.type = model::ValueType::kString;
    v.bytes = b->arena.Copy(s);
    return v;
  };
  b->key_values.push_back({b->arena.Copy("service.name"), str(service)});
  b->resources.push_back(model::Resource{{0, 1}, 0, {}, {}});
  model::Scope scope;
  scope.name = b->arena.Copy("test-lib");
  scope.version = b->arena.Copy("1.0");
  b->scopes.push_back(scope);
  for (int i = 0; i < spans; ++i) {
    auto attr = static_cast<uint32_t>(b->key_values.size());
    b->key_values.push_back({b->arena.Copy("http.route"), str("/r/" + std::to_string(i))});
    model::Event e;
    e.name = b->arena.Copy("retry");
    e.time_unix_nano = 1'700'000'000'000'000'500ull;
    b->events.push_back(e);
    model::SpanRow row;
    int id = id_base + i + 1;
    row.trace_id.bytes[0] = 0xab;
    row.trace_id.bytes[14] = static_cast<uint8_t>(id >> 8);
    row.trace_id.bytes[15] = static_cast<uint8_t>(id);
    row.span_id.bytes[0] = 0xcd;
    row.span_id.bytes[6] = static_cast<uint8_t>(id >> 8);
    row.span_id.bytes[7] = static_cast<uint8_t>(id);
    row.name = b->arena.Copy(service + "-op-" + std::to_string(i));
    row.kind = model::kSpanKindServer;
    row.start_time_unix_nano = 1'700'000'000'000'000'000ull + static_cast<uint64_t>(i);
    row.end_time_unix_nano = row.start_time_unix_nano + 1000;
    row.attributes = {attr, 1};
    row.events = {static_cast<uint32_t>(b->events.size() - 1), 1};
    row.status_code = model::kStatusOk;
    b->AppendSpan(row);
  }
  return b;
}

inline std::string Encode(const model::SpanBatch& b) {
  std::string out;
  model::EncodeOtlpTraces(b, &out);
  return out;
}

// Records every batch (its OTLP encoding, tenant and span count) and answers with `outcome`.
class RecordingConsumer : public pipeline::TracesConsumer {
 public:
  struct Seen {
    std::string tenant;
    size_t spans = 0;
    std::string encoding;
    std::vector<std::string> names;
  };
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, pipeline::Done done) override {
    Seen s{batch->tenant, batch->span_count(), Encode(*batch), {}};
    for (size_t i = 0; i < batch->span_count(); ++i) s.names.emplace_back(batch->spans.name[i]);
    Status outcome;
    {
      absl::MutexLock lock(&mu_);
      outcome = outcome_;
      if (outcome.ok()) seen_.push_back(std::move(s));
    }
    done(outcome);
  }
  void SetOutcome(Status s) {
    absl::MutexLock lock(&mu_);
    outcome_ = std::move(s);
  }
  std::vector<Seen> seen() const {
    absl::MutexLock lock(&mu_);
    return seen_;
  }
  size_t spans() const {
    absl::MutexLock lock(&mu_);
    size_t n = 0;
    for (const Seen& s : seen_) n += s.spans;
    return n;
  }

 private:
  mutable absl::Mutex mu_;
  Status outcome_;
  std::vector<Seen> seen_;
};

// Polls `pred` every millisecond until it holds or `timeout` passes; returns its last value.
// Collects the outcomes of `done` callbacks, in the order they arrive (any thread).
class Outcomes {
 public:
  pipeline::Done Callback() {
    return [this](const Status& s) {
      absl::MutexLock lock(&mu_);
      statuses_.push_back(s);
    };
  }
  std::vector<Status> Get() const {
    absl::MutexLock lock(&mu_);
    return statuses_;
  }
  size_t size() const { return Get().size(); }

 private:
  mutable absl::Mutex mu_;
  std::vector<Status> statuses_;
};

inline bool WaitFor(const std::function<bool()>& pred,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace th::exporter::testing

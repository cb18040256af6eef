// Test helpers for pipeline stages: a consumer that records what reaches it and answers with a
// chosen status, and small batches with recognisable spans. Test-only (header-only, no module).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "model/span_batch.h"
#include "pipeline/consumer.h"

namespace th::pipeline::testing {

class RecordingConsumer final : public TracesConsumer {
 public:
  void ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) override {
    Status answer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      answer = answer_;
      if (answer.ok()) {
        spans_ += batch->span_count();
        batches_.push_back(std::move(batch));
      }
      if (hold_) {
        held_.push_back(std::move(done));
        changed_.notify_all();
        return;
      }
    }
    changed_.notify_all();
    done(answer);
  }

  void set_answer(Status s) {
    std::lock_guard<std::mutex> lock(mu_);
    answer_ = std::move(s);
  }
  // While holding, `done` callbacks are kept until Release().
  void set_hold(bool hold) {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = hold;
  }
  void Release(const Status& s = absl::OkStatus()) {
    std::vector<Done> held;
    {
      std::lock_guard<std::mutex> lock(mu_);
      held.swap(held_);
    }
    for (Done& d : held) d(s);
  }
  size_t held() const {
    std::lock_guard<std::mutex> lock(mu_);
    return held_.size();
  }
  size_t spans() const {
    std::lock_guard<std::mutex> lock(mu_);
    return spans_;
  }
  size_t batch_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return batches_.size();
  }
  // Waits (bounded) until at least `n` spans arrived; returns whether they did.
  bool WaitForSpans(size_t n, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, limit, [&] { return spans_ >= n; });
  }
  std::vector<std::unique_ptr<model::SpanBatch>> TakeBatches() {
    std::lock_guard<std::mutex> lock(mu_);
    spans_ = 0;
    return std::move(batches_);
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  Status answer_;
  bool hold_ = false;
  std::vector<Done> held_;
  size_t spans_ = 0;
  std::vector<std::unique_ptr<model::SpanBatch>> batches_;
};

// A batch of `n` spans under one resource (service.name = `service`), each with a `seq`
// attribute (first_seq, first_seq + 1, …) and names "op-<seq>".
inline std::unique_ptr<model::SpanBatch> MakeBatch(size_t n, std::string tenant = "single-tenant",
                                                   std::string service = "svc",
                                                   int64_t first_seq = 0) {
  auto b = std::make_unique<model::SpanBatch>();
  b->tenant = std::move(tenant);
  model::Resource r;
  model::KeyValue svc;
  svc.key = b->arena.Copy("service.name");
  svc.value.type = model::ValueType::kString;
  svc.value.bytes = b->arena.Copy(service);
  b->key_values.push_back(svc);
  r.attributes = {0, 1};
  b->resources.push_back(r);
  model::Scope s;
  s.name = b->arena.Copy("test-scope");
  b->scopes.push_back(s);
  for (size_t i = 0; i < n; ++i) {
    int64_t seq = first_seq + static_cast<int64_t>(i);
    model::KeyValue kv;
    kv.key = b->arena.Copy("seq");
    kv.value.type = model::ValueType::kInt;
    kv.value.int_value = seq;
    auto at = static_cast<uint32_t>(b->key_values.size());
    b->key_values.push_back(kv);
    model::SpanRow row;
    row.trace_id.bytes[15] = static_cast<uint8_t>(seq % 251 + 1);
    row.trace_id.bytes[0] = static_cast<uint8_t>((seq / 251) % 256);
    row.span_id.bytes[7] = static_cast<uint8_t>(seq % 256 + 1);
    row.span_id.bytes[0] = static_cast<uint8_t>((seq / 256) % 256);
    std::string name = "op-" + std::to_string(seq);
    row.name = b->arena.Copy(name);
    row.start_time_unix_nano = 1'700'000'000'000'000'000ull + static_cast<uint64_t>(seq);
    row.end_time_unix_nano = row.start_time_unix_nano + 1000;
    row.attributes = {at, 1};
    b->AppendSpan(row);
  }
  return b;
}

}  // namespace th::pipeline::testing

#include "pipeline/fanout.h"

#include <atomic>
#include <mutex>

namespace th::pipeline {
namespace {

// Collects the answers of several consumers into one `done`.
struct Join {
  Join(size_t n, Done d) : remaining(n), done(std::move(d)) {}
  std::atomic<size_t> remaining;
  std::mutex mu;
  Status first_error;
  Done done;

  void Answer(const Status& s) {
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      if (first_error.ok()) first_error = s;
    }
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      Status result;
      {
        std::lock_guard<std::mutex> lock(mu);
        result = first_error;
      }
      done(result);
    }
  }
};

}  // namespace

void Fanout::ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) {
  if (consumers_.size() == 1) {
    consumers_[0]->ConsumeTraces(std::move(batch), std::move(done));
    return;
  }
  auto join = std::make_shared<Join>(consumers_.size(), std::move(done));
  // Copies first: the last consumer takes the original and may change it at once.
  std::vector<std::unique_ptr<model::SpanBatch>> copies;
  copies.reserve(consumers_.size() - 1);
  for (size_t i = 0; i + 1 < consumers_.size(); ++i) copies.push_back(batch->Clone());
  for (size_t i = 0; i < consumers_.size(); ++i) {
    std::unique_ptr<model::SpanBatch> b = i + 1 < consumers_.size() ? std::move(copies[i])
                                                                   : std::move(batch);
    consumers_[i]->ConsumeTraces(std::move(b), [join](const Status& s) { join->Answer(s); });
  }
}

void LogsFanout::ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, Done done) {
  if (consumers_.size() == 1) {
    consumers_[0]->ConsumeLogs(std::move(batch), std::move(done));
    return;
  }
  auto join = std::make_shared<Join>(consumers_.size(), std::move(done));
  std::vector<std::unique_ptr<model::LogsBatch>> copies;
  for (size_t i = 0; i + 1 < consumers_.size(); ++i) {
    copies.push_back(std::make_unique<model::LogsBatch>(*batch));
  }
  for (size_t i = 0; i < consumers_.size(); ++i) {
    std::unique_ptr<model::LogsBatch> b = i + 1 < consumers_.size() ? std::move(copies[i])
                                                                    : std::move(batch);
    consumers_[i]->ConsumeLogs(std::move(b), [join](const Status& s) { join->Answer(s); });
  }
}

}  // namespace th::pipeline

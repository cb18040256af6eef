#include "pipeline/fanout.h"

#include "pipeline/join_answers.h"

namespace th::pipeline {
void Fanout::ConsumeTraces(std::unique_ptr<model::SpanBatch>&& batch, Done done) {
  if (consumers_.size() == 1) {
    consumers_[0]->ConsumeTraces(std::move(batch), std::move(done));
    return;
  }
  Done join = JoinAnswers(consumers_.size(), std::move(done));
  // Copies first: the last consumer takes the original and may change it at once.
  std::vector<std::unique_ptr<model::SpanBatch>> copies;
  copies.reserve(consumers_.size() - 1);
  for (size_t i = 0; i + 1 < consumers_.size(); ++i) copies.push_back(batch->Clone());
  for (size_t i = 0; i < consumers_.size(); ++i) {
    std::unique_ptr<model::SpanBatch> b = i + 1 < consumers_.size() ? std::move(copies[i])
                                                                   : std::move(batch);
    consumers_[i]->ConsumeTraces(std::move(b), join);
  }
}

void LogsFanout::ConsumeLogs(std::unique_ptr<model::LogsBatch>&& batch, Done done) {
  if (consumers_.size() == 1) {
    consumers_[0]->ConsumeLogs(std::move(batch), std::move(done));
    return;
  }
  Done join = JoinAnswers(consumers_.size(), std::move(done));
  std::vector<std::unique_ptr<model::LogsBatch>> copies;
  for (size_t i = 0; i + 1 < consumers_.size(); ++i) {
    copies.push_back(std::make_unique<model::LogsBatch>(*batch));
  }
  for (size_t i = 0; i < consumers_.size(); ++i) {
    std::unique_ptr<model::LogsBatch> b = i + 1 < consumers_.size() ? std::move(copies[i])
                                                                    : std::move(batch);
    consumers_[i]->ConsumeLogs(std::move(b), join);
  }
}

}  // namespace th::pipeline

#include "common/worker_pool.h"

namespace th {

WorkerPool::WorkerPool(int threads, size_t max_queued) : max_queued_(max_queued) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
  }
  for (std::thread& t : threads_) t.join();
}

bool WorkerPool::Submit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || queue_.size() - head_ >= max_queued_) return false;
  queue_.push_back(std::move(task));
  cv_.Signal();
  return true;
}

void WorkerPool::Run() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      while (head_ == queue_.size() && !stopping_) cv_.Wait(&mu_);
      if (head_ == queue_.size()) return;  // stopping, and nothing left to run
      task = std::move(queue_[head_++]);
      if (head_ == queue_.size()) {  // drained: reuse the storage from the start
        queue_.clear();
        head_ = 0;
      }
    }
    task();
  }
}

}  // namespace th

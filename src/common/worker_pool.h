// WorkerPool: a fixed number of threads running queued tasks, with a bounded queue, for work
// that must not run on network threads (STYLE.md §7): query execution. Submit() refuses when the
// queue is full, so overload becomes an answer ("try later") instead of unbounded memory.
// Thread-safety: Submit from any thread; the destructor runs what is queued, then joins.
#pragma once

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace th {

class WorkerPool {
 public:
  WorkerPool(int threads, size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (and `task` is dropped) when `max_queued` tasks are already waiting.
  bool Submit(std::function<void()> task);

 private:
  void Run();

  const size_t max_queued_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);  // FIFO via head index
  size_t head_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace th

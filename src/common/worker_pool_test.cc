#include "common/worker_pool.h"

#include <atomic>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"

namespace th {
namespace {

TEST(WorkerPool, RunsEverythingQueuedBeforeJoining) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(2, 100);
    for (int i = 0; i < 50; ++i) EXPECT_TRUE(pool.Submit([&done] { ++done; }));
  }
  EXPECT_EQ(done.load(), 50);
}

TEST(WorkerPool, RefusesPastTheQueueBound) {
  absl::Notification started, release;
  WorkerPool pool(1, 2);
  ASSERT_TRUE(pool.Submit([&] {
    started.Notify();
    release.WaitForNotification();
  }));
  started.WaitForNotification();  // the only worker is busy; the queue is empty
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_TRUE(pool.Submit([] {}));
  EXPECT_FALSE(pool.Submit([] {}));
  release.Notify();
}

}  // namespace
}  // namespace th

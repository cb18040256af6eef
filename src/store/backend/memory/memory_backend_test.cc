// MemoryBackend's fault injection; the verbs themselves are covered by backend_test.cc.
#include "store/backend/memory/memory_backend.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace th::store::backend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(MemoryBackendFaults, FailNextFailsTheNamedVerbTheGivenNumberOfTimes) {
  MemoryBackend b;
  ASSERT_TRUE(b.Put("k", "v").ok());
  b.FailNext(Verb::kGet, absl::UnavailableError("injected"), 2);
  EXPECT_TRUE(absl::IsUnavailable(b.Get("k").status()));
  EXPECT_TRUE(b.Stat("k").ok());  // other verbs unaffected
  EXPECT_TRUE(absl::IsUnavailable(b.Get("k").status()));
  EXPECT_TRUE(b.Get("k").ok());
  EXPECT_EQ(b.stats().errors_for(Verb::kGet), 2u);
}

TEST(MemoryBackendFaults, FailedPutLeavesTheOldObject) {
  MemoryBackend b;
  ASSERT_TRUE(b.Put("k", "old").ok());
  b.FailNext(Verb::kPut, absl::ResourceExhaustedError("disk full"));
  EXPECT_TRUE(absl::IsResourceExhausted(b.Put("k", "new")));
  EXPECT_EQ(*b.Get("k"), "old");
  b.FailNext(Verb::kDelete, absl::InternalError("injected"));
  EXPECT_FALSE(b.Delete("k").ok());
  EXPECT_EQ(*b.Get("k"), "old");
  b.FailNext(Verb::kList, absl::InternalError("injected"));
  EXPECT_FALSE(b.List("", ListMode::kRecursive).ok());
}

TEST(MemoryBackendFaults, PutStreamFaultHitsCommitOrOpen) {
  MemoryBackend b;
  b.FailNext(Verb::kPutStream, absl::UnavailableError("connection reset"));
  Result<std::unique_ptr<ObjectWriter>> w = b.PutStream("t/block/data");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("bytes").ok());
  EXPECT_TRUE(absl::IsUnavailable((*w)->Commit()));
  EXPECT_TRUE(absl::IsUnavailable((*w)->Commit()));  // the writer stays broken
  EXPECT_TRUE(absl::IsNotFound(b.Get("t/block/data").status()));
  EXPECT_EQ(b.OpenWritersForTest(), 0);

  b.FailNext(Verb::kPutStream, absl::PermissionDeniedError("bad credentials"), 1,
             /*at_open=*/true);
  EXPECT_TRUE(absl::IsPermissionDenied(b.PutStream("t/block/data").status()));
  EXPECT_TRUE(b.PutStream("t/block/data").ok());
}

TEST(MemoryBackendFaults, CrashAfterBytesLeavesNoPartialObject) {
  MemoryBackend b;
  ASSERT_TRUE(b.Put("t/block/data", "old").ok());
  b.CrashPutStreamAfter(10);
  Result<std::unique_ptr<ObjectWriter>> w = b.PutStream("t/block/data");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Append("12345").ok());
  ASSERT_TRUE((*w)->Append("67890").ok());  // exactly at the limit
  Status crash = (*w)->Append("x");
  EXPECT_TRUE(absl::IsUnavailable(crash));
  EXPECT_THAT(std::string(th::Message(crash)), HasSubstr("simulated crash after 10 bytes"));
  EXPECT_TRUE(absl::IsUnavailable((*w)->Commit()));
  EXPECT_EQ(*b.Get("t/block/data"), "old");
  EXPECT_EQ(b.OpenWritersForTest(), 0);
  EXPECT_EQ(b.stats().errors_for(Verb::kPutStream), 1u);

  // The switch applies to one writer only.
  Result<std::unique_ptr<ObjectWriter>> w2 = b.PutStream("t/block/data");
  ASSERT_TRUE(w2.ok());
  ASSERT_TRUE((*w2)->Append(std::string(100, 'n')).ok());
  ASSERT_TRUE((*w2)->Commit().ok());
  EXPECT_EQ(b.Get("t/block/data")->size(), 100u);
}

TEST(MemoryBackendFaults, OpenWritersCountsUnfinishedUploads) {
  MemoryBackend b;
  Result<std::unique_ptr<ObjectWriter>> w1 = b.PutStream("a");
  Result<std::unique_ptr<ObjectWriter>> w2 = b.PutStream("b");
  ASSERT_TRUE(w1.ok() && w2.ok());
  EXPECT_EQ(b.OpenWritersForTest(), 2);
  ASSERT_TRUE((*w1)->Commit().ok());
  EXPECT_EQ(b.OpenWritersForTest(), 1);
  w2->reset();
  EXPECT_EQ(b.OpenWritersForTest(), 0);
  EXPECT_EQ(b.ObjectCountForTest(), 1u);
}

TEST(MemoryBackendFaults, ClearFaultsDropsEverything) {
  MemoryBackend b;
  b.FailNext(Verb::kPut, absl::InternalError("x"), 100);
  b.CrashPutStreamAfter(0);
  b.ClearFaults();
  EXPECT_TRUE(b.Put("k", "v").ok());
  Result<std::unique_ptr<ObjectWriter>> w = b.PutStream("s");
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE((*w)->Append("data").ok());
  EXPECT_TRUE((*w)->Commit().ok());
  EXPECT_THAT(*b.List("", ListMode::kRecursive), ElementsAre("k", "s"));
  EXPECT_THAT(*b.List("k", ListMode::kRecursive), IsEmpty());
}

}  // namespace
}  // namespace th::store::backend

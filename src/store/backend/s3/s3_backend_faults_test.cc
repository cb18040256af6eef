// S3Backend when the server goes away: the ctest fixture s3_faults_server runs a Swift + s3api
// instance of its own, whose proxy these tests stop and restart (one test at a time: the tests
// share the RESOURCE_LOCK s3_faults).
#include <chrono>
#include <memory>
#include <string>

#include "common/strings.h"
#include "store/backend/s3/s3_backend.h"
#include "store/backend/s3/s3_test_server.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace th::store::backend::s3 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kServerDir = TH_S3_FAULTS_DIR;

class S3FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<S3Options> options = testing::ServerOptions(kServerDir);
    ASSERT_TRUE(options.ok()) << options.status();
    Result<std::unique_ptr<S3Backend>> b = testing::OpenWithFreshBucket(*options);
    ASSERT_TRUE(b.ok()) << b.status();
    backend_ = std::move(b).value();
  }
  void TearDown() override {
    // Leave the proxy running for the next test, whatever happened here.
    if (proxy_stopped_) {
      EXPECT_TRUE(testing::RunServerScript("start-proxy", kServerDir).ok());
    }
  }

  void StopProxy() {
    ASSERT_TRUE(testing::RunServerScript("stop-proxy", kServerDir).ok());
    proxy_stopped_ = true;
  }
  void StartProxy() {
    ASSERT_TRUE(testing::RunServerScript("start-proxy", kServerDir).ok());
    proxy_stopped_ = false;
  }

  std::unique_ptr<S3Backend> backend_;
  bool proxy_stopped_ = false;
};

TEST_F(S3FaultsTest, ProxyStoppedBetweenPartsFailsTheUploadAndRestartRecovers) {
  ASSERT_TRUE(backend_->Put("t/b/data", "old").ok());
  Result<std::unique_ptr<ObjectWriter>> w = backend_->PutStream("t/b/data");
  ASSERT_TRUE(w.ok()) << w.status();
  std::string part(1 << 20, 'p');
  ASSERT_TRUE((*w)->Append(part).ok());
  ASSERT_TRUE((*w)->Append(part).ok());  // part 1 is sent here
  StopProxy();

  auto start = std::chrono::steady_clock::now();
  Status append = (*w)->Append(part);  // part 2 cannot be sent
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(absl::IsUnavailable(append)) << append;
  EXPECT_THAT(std::string(th::Message(append)), HasSubstr(backend_->options().endpoint));
  EXPECT_LE(elapsed, std::chrono::milliseconds(3500));
  EXPECT_TRUE(absl::IsUnavailable((*w)->Commit()));  // the writer stays broken

  // A Put while the server is down fails the same way, within the retry deadline.
  start = std::chrono::steady_clock::now();
  Status put = backend_->Put("t/b/other", "x");
  elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(absl::IsUnavailable(put)) << put;
  EXPECT_LE(elapsed, std::chrono::milliseconds(3500));

  StartProxy();
  // Nothing of the failed upload is visible, the old object is intact, and the backend works.
  Result<std::string> old = backend_->Get("t/b/data");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(*old, "old");
  EXPECT_TRUE(absl::IsNotFound(backend_->Get("t/b/other").status()));
  EXPECT_THAT(*backend_->List("", ListMode::kRecursive), ElementsAre("t/b/data"));
  ASSERT_TRUE(backend_->Put("t/b/other", "after restart").ok());
  EXPECT_EQ(*backend_->Get("t/b/other"), "after restart");
  Result<std::unique_ptr<ObjectWriter>> again = backend_->PutStream("t/b/data");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->Append(part).ok());
  ASSERT_TRUE((*again)->Append(part).ok());
  ASSERT_TRUE((*again)->Commit().ok());
  EXPECT_EQ(backend_->Stat("t/b/data")->size, 2u << 20);
}

TEST_F(S3FaultsTest, ReadsDuringAnOutageAreUnavailableAndRecover) {
  ASSERT_TRUE(backend_->Put("k", "value").ok());
  StopProxy();
  EXPECT_TRUE(absl::IsUnavailable(backend_->Get("k").status()));
  EXPECT_TRUE(absl::IsUnavailable(backend_->Stat("k").status()));
  EXPECT_TRUE(absl::IsUnavailable(backend_->List("", ListMode::kRecursive).status()));
  EXPECT_TRUE(absl::IsUnavailable(backend_->Delete("k")));
  StartProxy();
  EXPECT_EQ(*backend_->Get("k"), "value");
}

}  // namespace
}  // namespace th::store::backend::s3

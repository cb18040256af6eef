// S3Backend against a real S3 server (Swift + s3api on loopback, started by the ctest fixture
// s3_server): the conformance suite, plus multipart uploads, ranged and streamed reads,
// paginated listings, the key prefix, credentials errors and an unreachable endpoint.
#include "store/backend/s3/s3_backend.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/strings.h"
#include "store/backend/backend_conformance.h"
#include "store/backend/s3/s3_test_server.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace th::store::backend::s3 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kServerDir = TH_S3_TEST_DIR;

INSTANTIATE_TEST_SUITE_P(
    S3, BackendConformance,
    ::testing::Values(BackendKind{
        .name = "s3",
        .make = [](const std::string&) -> std::unique_ptr<Backend> {
          Result<S3Options> options = testing::ServerOptions(kServerDir);
          EXPECT_TRUE(options.ok()) << options.status();
          if (!options.ok()) return nullptr;
          Result<std::unique_ptr<S3Backend>> b = testing::OpenWithFreshBucket(*options);
          EXPECT_TRUE(b.ok()) << b.status();
          if (!b.ok()) return nullptr;
          return std::move(b).value();
        },
        .enforces_key_conflicts = false}),
    BackendKindName);

// Bytes that differ at every offset, so a misplaced range or part shows.
std::string Pattern(size_t n, uint32_t seed = 1) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

class S3BackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<S3Options> options = testing::ServerOptions(kServerDir);
    ASSERT_TRUE(options.ok()) << options.status();
    options_ = *options;
    Result<std::unique_ptr<S3Backend>> b = testing::OpenWithFreshBucket(options_);
    ASSERT_TRUE(b.ok()) << b.status();
    backend_ = std::move(b).value();
    options_.bucket = backend_->options().bucket;
  }

  // Another backend on the same bucket with `change` applied to its options.
  template <typename F>
  std::unique_ptr<S3Backend> OpenVariant(F change) {
    S3Options o = options_;
    change(o);
    Result<std::unique_ptr<S3Backend>> b = S3Backend::Open(o);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? std::move(b).value() : nullptr;
  }

  S3Options options_;
  std::unique_ptr<S3Backend> backend_;
};

TEST_F(S3BackendTest, LargePutIsAMultipartUpload) {
  const std::string data = Pattern((3 << 20) + 12345);  // 3 full 1 MiB parts and a short one
  uint64_t before = backend_->HttpRequestsForTest();
  ASSERT_TRUE(backend_->Put("t/b/data", data).ok());
  // CreateMultipartUpload, 4 x UploadPart, CompleteMultipartUpload.
  EXPECT_EQ(backend_->HttpRequestsForTest() - before, 6u);
  Result<std::string> got = backend_->Get("t/b/data");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got == data) << "sizes " << got->size() << " and " << data.size();
  Result<ObjectInfo> info = backend_->Stat("t/b/data");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->size, data.size());

  // At most part_size bytes: one PUT.
  before = backend_->HttpRequestsForTest();
  ASSERT_TRUE(backend_->Put("t/b/small", std::string_view(data).substr(0, 1 << 20)).ok());
  EXPECT_EQ(backend_->HttpRequestsForTest() - before, 1u);
}

TEST_F(S3BackendTest, StreamedMultipartUploadIsInvisibleUntilCommit) {
  const std::string data = Pattern((5 << 19) + 777, 7);  // 2.5 MiB and a bit
  ASSERT_TRUE(backend_->Put("t/b/data", "old").ok());
  Result<std::unique_ptr<ObjectWriter>> w = backend_->PutStream("t/b/data");
  ASSERT_TRUE(w.ok()) << w.status();
  uint64_t before = backend_->HttpRequestsForTest();
  for (size_t off = 0; off < data.size(); off += 100000) {
    ASSERT_TRUE((*w)->Append(std::string_view(data).substr(off, 100000)).ok());
  }
  // Two parts are on the server by now, none of it visible.
  EXPECT_EQ(backend_->HttpRequestsForTest() - before, 3u);
  EXPECT_EQ(*backend_->Get("t/b/data"), "old");
  EXPECT_THAT(*backend_->List("", ListMode::kRecursive), ElementsAre("t/b/data"));
  ASSERT_TRUE((*w)->Commit().ok());
  Result<std::string> got = backend_->Get("t/b/data");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got == data);

  // An aborted multipart upload leaves nothing behind.
  Result<std::unique_ptr<ObjectWriter>> aborted = backend_->PutStream("t/b/other");
  ASSERT_TRUE(aborted.ok());
  ASSERT_TRUE((*aborted)->Append(data).ok());
  (*aborted)->Abort();
  EXPECT_TRUE(absl::IsNotFound(backend_->Get("t/b/other").status()));
  EXPECT_THAT(*backend_->List("", ListMode::kRecursive), ElementsAre("t/b/data"));
}

TEST_F(S3BackendTest, RangedReadsOfAMultipartObject) {
  const std::string data = Pattern((2 << 20) + 100, 3);
  ASSERT_TRUE(backend_->Put("obj", data).ok());
  // Ranges inside a part, across the part boundary at 1 MiB, and up to the end.
  for (auto [offset, length] : std::vector<std::pair<uint64_t, uint64_t>>{
           {0, 1}, {1000, 5000}, {(1 << 20) - 10, 20}, {(2 << 20) - 5, 105}, {0, data.size()}}) {
    SCOPED_TRACE(th::StrCat(offset, "+", length));
    Result<std::string> r = backend_->GetRange("obj", offset, length);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(*r == data.substr(offset, length));
  }
  EXPECT_TRUE(absl::IsOutOfRange(backend_->GetRange("obj", data.size() - 1, 2).status()));
  EXPECT_TRUE(absl::IsOutOfRange(backend_->GetRange("obj", data.size(), 1).status()));

  // A reader with small chunks: one ranged GET per chunk.
  std::unique_ptr<S3Backend> chunked =
      OpenVariant([](S3Options& o) { o.read_chunk_size = 256 << 10; });
  ASSERT_NE(chunked, nullptr);
  Result<std::unique_ptr<ObjectReader>> r = chunked->GetStream("obj", 100, data.size() - 100);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->object_size(), data.size());
  std::string got;
  while (true) {
    Result<std::string> chunk = (*r)->Read(64 << 10);
    ASSERT_TRUE(chunk.ok()) << chunk.status();
    if (chunk->empty()) break;
    got += *chunk;
  }
  EXPECT_TRUE(got == data.substr(100));
  EXPECT_GE(chunked->HttpRequestsForTest(), 9u);
}

TEST_F(S3BackendTest, GetStreamNeverMixesVersions) {
  const std::string v1 = Pattern(10000, 1);
  ASSERT_TRUE(backend_->Put("obj", v1).ok());
  std::unique_ptr<S3Backend> chunked = OpenVariant([](S3Options& o) { o.read_chunk_size = 1024; });
  ASSERT_NE(chunked, nullptr);

  // Overwritten after the first chunk: the next chunk's If-Match fails.
  Result<std::unique_ptr<ObjectReader>> r = chunked->GetStream("obj");
  ASSERT_TRUE(r.ok()) << r.status();
  Result<std::string> first = (*r)->Read(1024);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first == v1.substr(0, 1024));
  ASSERT_TRUE(backend_->Put("obj", Pattern(10000, 2)).ok());
  Result<std::string> second = (*r)->Read(1024);
  EXPECT_TRUE(absl::IsDataLoss(second.status())) << second.status();
  EXPECT_THAT(std::string(th::Message(second.status())), HasSubstr("overwritten"));

  // Deleted after the first chunk.
  Result<std::unique_ptr<ObjectReader>> r2 = chunked->GetStream("obj");
  ASSERT_TRUE(r2.ok());
  ASSERT_TRUE((*r2)->Read(1024).ok());
  ASSERT_TRUE(backend_->Delete("obj").ok());
  Result<std::string> after_delete = (*r2)->Read(1024);
  EXPECT_TRUE(absl::IsDataLoss(after_delete.status())) << after_delete.status();
}

TEST_F(S3BackendTest, ListingFollowsContinuationTokens) {
  std::unique_ptr<S3Backend> paged = OpenVariant([](S3Options& o) { o.list_page_size = 2; });
  ASSERT_NE(paged, nullptr);
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) keys.push_back(th::StrCat("t/b", i, "/data"));
  keys.push_back("t/index.json");
  for (const std::string& k : keys) ASSERT_TRUE(backend_->Put(k, k).ok());
  uint64_t before = paged->HttpRequestsForTest();
  EXPECT_THAT(*paged->List("t", ListMode::kRecursive), ::testing::ElementsAreArray(keys));
  EXPECT_EQ(paged->HttpRequestsForTest() - before, 4u);
  EXPECT_THAT(*paged->List("t", ListMode::kShallow),
              ElementsAre("t/b0/", "t/b1/", "t/b2/", "t/b3/", "t/b4/", "t/b5/", "t/b6/",
                          "t/index.json"));
  EXPECT_THAT(*paged->List("", ListMode::kShallow), ElementsAre("t/"));
}

TEST_F(S3BackendTest, PrefixOptionPlacesAndStripsKeys) {
  std::unique_ptr<S3Backend> tenant = OpenVariant([](S3Options& o) { o.prefix = "cluster-a/data"; });
  ASSERT_NE(tenant, nullptr);
  ASSERT_TRUE(tenant->Put("t/b/meta.json", "{}").ok());
  ASSERT_TRUE(backend_->Put("cluster-b/x", "other").ok());
  EXPECT_THAT(*tenant->List("", ListMode::kRecursive), ElementsAre("t/b/meta.json"));
  EXPECT_THAT(*tenant->List("", ListMode::kShallow), ElementsAre("t/"));
  EXPECT_THAT(*backend_->List("", ListMode::kRecursive),
              ElementsAre("cluster-a/data/t/b/meta.json", "cluster-b/x"));
  EXPECT_EQ(*backend_->Get("cluster-a/data/t/b/meta.json"), "{}");
  ASSERT_TRUE(tenant->Delete("t/b/meta.json").ok());
  EXPECT_THAT(*backend_->List("", ListMode::kRecursive), ElementsAre("cluster-b/x"));
}

TEST_F(S3BackendTest, VirtualHostedStyleReachesTheSameBucket) {
  // The server's s3api has storage_domain = localhost, and curl resolves <bucket>.localhost to
  // loopback by itself.
  std::unique_ptr<S3Backend> vhost = OpenVariant([](S3Options& o) {
    size_t at = o.endpoint.find("127.0.0.1");
    ASSERT_NE(at, std::string::npos);
    o.endpoint.replace(at, 9, "localhost");
    o.path_style = false;
  });
  ASSERT_NE(vhost, nullptr);
  ASSERT_TRUE(vhost->Put("t/b/data", "via the bucket's host name").ok());
  EXPECT_EQ(*backend_->Get("t/b/data"), "via the bucket's host name");
  ASSERT_TRUE(backend_->Put("t/c/data", "path style").ok());
  EXPECT_THAT(*vhost->List("t", ListMode::kShallow), ElementsAre("t/b/", "t/c/"));
  EXPECT_EQ(*vhost->GetRange("t/c/data", 5, 5), "style");
  ASSERT_TRUE(vhost->Delete("t/c/data").ok());
  EXPECT_TRUE(absl::IsNotFound(backend_->Stat("t/c/data").status()));
}

TEST_F(S3BackendTest, WrongSecretIsPermissionDeniedAndWritesNothing) {
  std::unique_ptr<S3Backend> wrong = OpenVariant([](S3Options& o) { o.secret_key = "not-it"; });
  ASSERT_NE(wrong, nullptr);
  uint64_t before = wrong->HttpRequestsForTest();
  Status put = wrong->Put("t/b/data", "x");
  EXPECT_TRUE(absl::IsPermissionDenied(put)) << put;
  EXPECT_THAT(std::string(th::Message(put)), HasSubstr("SignatureDoesNotMatch"));
  EXPECT_EQ(wrong->HttpRequestsForTest() - before, 1u);  // not retried
  EXPECT_TRUE(absl::IsPermissionDenied(wrong->Get("t/b/data").status()));
  EXPECT_TRUE(absl::IsPermissionDenied(wrong->List("", ListMode::kRecursive).status()));
  EXPECT_TRUE(absl::IsNotFound(backend_->Get("t/b/data").status()));
  EXPECT_THAT(*backend_->List("", ListMode::kRecursive), IsEmpty());

  std::unique_ptr<S3Backend> unknown =
      OpenVariant([](S3Options& o) { o.access_key = "nobody:here"; });
  ASSERT_NE(unknown, nullptr);
  Status s = unknown->Put("k", "x");
  EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
}

TEST_F(S3BackendTest, MissingBucketIsNotFound) {
  std::unique_ptr<S3Backend> missing =
      OpenVariant([](S3Options& o) { o.bucket = "no-such-bucket-here"; });
  ASSERT_NE(missing, nullptr);
  Status put = missing->Put("k", "x");
  EXPECT_TRUE(absl::IsNotFound(put)) << put;
  EXPECT_THAT(std::string(th::Message(put)), HasSubstr("no-such-bucket-here"));
  EXPECT_FALSE(missing->Delete("k").ok());
}

// A loopback port nothing listens on.
int ClosedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST_F(S3BackendTest, UnreachableEndpointIsUnavailableWithinTheRetryDeadline) {
  int port = ClosedPort();
  ASSERT_GT(port, 0);
  std::string endpoint = th::StrCat("http://127.0.0.1:", port);
  std::unique_ptr<S3Backend> down = OpenVariant([&](S3Options& o) {
    o.endpoint = endpoint;
    o.max_retries = 100;  // the deadline, not the count, ends this
  });
  ASSERT_NE(down, nullptr);
  auto start = std::chrono::steady_clock::now();
  Status put = down->Put("t/b/data", "x");
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(absl::IsUnavailable(put)) << put;
  EXPECT_THAT(std::string(th::Message(put)), HasSubstr(endpoint));
  EXPECT_GE(down->HttpRequestsForTest(), 3u);
  EXPECT_GE(elapsed, std::chrono::milliseconds(1000));
  EXPECT_LE(elapsed, std::chrono::milliseconds(3000));
}

TEST(S3OptionsTest, ValidateNamesTheBadField) {
  S3Options good{.endpoint = "http://127.0.0.1:9000",
                 .bucket = "traces",
                 .access_key = "a",
                 .secret_key = "s"};
  EXPECT_TRUE(good.Validate().ok()) << good.Validate();
  auto expect_bad = [&](std::string_view field, auto change) {
    S3Options o = good;
    change(o);
    Status s = o.Validate();
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << field;
    EXPECT_THAT(std::string(th::Message(s)), HasSubstr(field));
    EXPECT_TRUE(absl::IsInvalidArgument(S3Backend::Open(o).status())) << field;
  };
  expect_bad("endpoint", [](S3Options& o) { o.endpoint = "127.0.0.1:9000"; });
  expect_bad("endpoint", [](S3Options& o) { o.endpoint = "http://host/path"; });
  expect_bad("bucket", [](S3Options& o) { o.bucket = "Traces"; });
  expect_bad("access_key", [](S3Options& o) { o.access_key = ""; });
  expect_bad("prefix", [](S3Options& o) { o.prefix = "/abs"; });
  expect_bad("part_size", [](S3Options& o) { o.part_size = 1 << 20; });
  expect_bad("max_backoff", [](S3Options& o) { o.max_backoff = std::chrono::milliseconds(1); });
  expect_bad("list_page_size", [](S3Options& o) { o.list_page_size = 1001; });
  S3Options https = good;
  https.endpoint = "https://s3.eu-west-1.amazonaws.com/";
  https.path_style = false;
  EXPECT_TRUE(https.Validate().ok());
}

}  // namespace
}  // namespace th::store::backend::s3

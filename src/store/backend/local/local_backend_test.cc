// LocalBackend: crash safety (leftover temp files, writers killed mid-upload), file layout and
// errno mapping. The shared verb contracts are covered by backend_test.cc.
#include "store/backend/local/local_backend.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/strings.h"
#include "store/backend/internal/posix_io.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace th::store::backend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Every file under `root` whose name holds ".tmp.".
std::vector<std::string> TempFiles(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().find(".tmp.") != std::string::npos) {
      out.push_back(it->path().string());
    }
  }
  return out;
}

// Version i of an object: size and fill byte both derive from i, so any mix or prefix of two
// versions is detectable.
std::string Version(int i) {
  return std::string(static_cast<size_t>(4096 + (i % 5) * 100000), static_cast<char>('a' + i % 5));
}
bool IsWholeVersion(const std::string& s) {
  if (s.empty()) return false;
  int i = s[0] - 'a';
  return i >= 0 && i < 5 && s == Version(i);
}

class LocalBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = th::StrCat(::testing::TempDir(), "/local_backend_test_XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    root_ = th::StrCat(dir_, "/data/objects");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::permissions(root_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<LocalBackend> Open(std::chrono::seconds stale_temp_age = {}) {
    Result<std::unique_ptr<LocalBackend>> b =
        LocalBackend::Open({.root = root_, .stale_temp_age = stale_temp_age});
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? std::move(b).value() : nullptr;
  }

  // Forks a child that runs `work` with its own backend over root_, waits until it reports it
  // is writing (after `ready_after` writes), lets it run `run_for` more, then SIGKILLs it.
  void KillChildMidWrite(const std::function<void(LocalBackend&, int ready_fd)>& work,
                         std::chrono::milliseconds run_for) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      Result<std::unique_ptr<LocalBackend>> b = LocalBackend::Open({.root = root_});
      if (!b.ok()) ::_exit(2);
      work(**b, fds[1]);
      ::_exit(0);  // not reached in the tests: work loops until killed
    }
    ::close(fds[1]);
    char c;
    ASSERT_EQ(::read(fds[0], &c, 1), 1) << "child failed before writing";
    ::close(fds[0]);
    std::this_thread::sleep_for(run_for);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  }

  std::string dir_;
  std::string root_;
};

TEST_F(LocalBackendTest, ObjectsAreFilesUnderTheRoot) {
  std::unique_ptr<LocalBackend> b = Open();
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->Put("tenant/block/meta.json", "{\"v\":1}").ok());
  EXPECT_EQ(ReadFile(th::StrCat(root_, "/tenant/block/meta.json")), "{\"v\":1}");
  EXPECT_THAT(TempFiles(root_), IsEmpty());
  // Files put in place by hand are objects too (e.g. a restored backup).
  WriteFile(th::StrCat(root_, "/tenant/block/data"), "copied");
  EXPECT_EQ(*b->Get("tenant/block/data"), "copied");
}

TEST_F(LocalBackendTest, LeftoverTempFilesAreNeverListedAndOpenRemovesThem) {
  {
    std::unique_ptr<LocalBackend> b = Open();
    ASSERT_NE(b, nullptr);
    ASSERT_TRUE(b->Put("t/b/data", "old").ok());
    ASSERT_EQ(b->removed_temps(), 0);
  }
  // What a crash between creating the temp file and the rename leaves behind.
  WriteFile(th::StrCat(root_, "/t/b/data.tmp.0123456789abcdef"), "partial new");
  WriteFile(th::StrCat(root_, "/t/b/meta.json.tmp.fedcba9876543210"), "partial");
  std::filesystem::create_directories(th::StrCat(root_, "/t/c"));
  WriteFile(th::StrCat(root_, "/t/c/only.tmp.0000000000000000"), "partial");
  {
    // A backend that is already open ignores them.
    std::unique_ptr<LocalBackend> keep = Open(std::chrono::hours(1));
    ASSERT_NE(keep, nullptr);
    EXPECT_EQ(keep->removed_temps(), 0);
    EXPECT_THAT(*keep->List("", ListMode::kRecursive), ElementsAre("t/b/data"));
    EXPECT_THAT(*keep->List("t", ListMode::kShallow), ElementsAre("t/b/"));
    EXPECT_TRUE(absl::IsNotFound(keep->Get("t/b/meta.json").status()));
    EXPECT_EQ(*keep->Get("t/b/data"), "old");
  }
  std::unique_ptr<LocalBackend> b = Open();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->removed_temps(), 3);
  EXPECT_THAT(TempFiles(root_), IsEmpty());
  EXPECT_EQ(*b->Get("t/b/data"), "old");
}

TEST_F(LocalBackendTest, KilledStreamingWriterLeavesTheOldObject) {
  {
    std::unique_ptr<LocalBackend> b = Open();
    ASSERT_NE(b, nullptr);
    ASSERT_TRUE(b->Put("t/block/data", "old block").ok());
  }
  KillChildMidWrite(
      [](LocalBackend& b, int ready_fd) {
        Result<std::unique_ptr<ObjectWriter>> w = b.PutStream("t/block/data");
        if (!w.ok()) ::_exit(3);
        std::string chunk(64 << 10, 'n');
        for (int i = 0;; ++i) {
          if (!(*w)->Append(chunk).ok()) ::_exit(4);
          if (i == 0 && ::write(ready_fd, "r", 1) != 1) ::_exit(5);
          if (i > 64) ::usleep(1000);  // keep the upload open without filling the disk
        }
      },
      std::chrono::milliseconds(50));
  EXPECT_THAT(TempFiles(root_), ::testing::SizeIs(1));
  std::unique_ptr<LocalBackend> b = Open();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->removed_temps(), 1);
  EXPECT_EQ(*b->Get("t/block/data"), "old block");
  EXPECT_THAT(*b->List("", ListMode::kRecursive), ElementsAre("t/block/data"));
  EXPECT_THAT(TempFiles(root_), IsEmpty());
}

TEST_F(LocalBackendTest, KilledDuringRepeatedOverwritesLeavesAWholeVersion) {
  {
    std::unique_ptr<LocalBackend> b = Open();
    ASSERT_NE(b, nullptr);
    ASSERT_TRUE(b->Put("t/block/meta.json", Version(0)).ok());
  }
  // Kill at several points in the write/sync/rename cycle; whatever survives is whole.
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(round);
    KillChildMidWrite(
        [round](LocalBackend& b, int ready_fd) {
          for (int i = 1;; ++i) {
            Status s;
            if ((i + round) % 2 == 0) {
              s = b.Put("t/block/meta.json", Version(i));
            } else {
              Result<std::unique_ptr<ObjectWriter>> w = b.PutStream("t/block/meta.json");
              if (!w.ok()) ::_exit(3);
              std::string v = Version(i);
              for (size_t off = 0; off < v.size() && s.ok(); off += 8192) {
                s = (*w)->Append(std::string_view(v).substr(off, 8192));
              }
              if (s.ok()) s = (*w)->Commit();
            }
            if (!s.ok()) ::_exit(4);
            if (i == 1 && ::write(ready_fd, "r", 1) != 1) ::_exit(5);
          }
        },
        std::chrono::milliseconds(3 + round * 7));
    std::unique_ptr<LocalBackend> b = Open();
    ASSERT_NE(b, nullptr);
    Result<std::string> got = b->Get("t/block/meta.json");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(IsWholeVersion(*got)) << "size " << got->size();
    EXPECT_THAT(*b->List("", ListMode::kRecursive), ElementsAre("t/block/meta.json"));
    EXPECT_THAT(TempFiles(root_), IsEmpty());
  }
}

TEST_F(LocalBackendTest, ReadOnlyDirectoryIsPermissionDenied) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: root bypasses directory permissions, so a read-only "
                    "directory cannot make writes fail here";
  }
  std::unique_ptr<LocalBackend> b = Open();
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->Put("t/b/data", "old").ok());
  ASSERT_EQ(::chmod(th::StrCat(root_, "/t/b").c_str(), 0555), 0);
  Status s = b->Put("t/b/data", "new");
  EXPECT_TRUE(absl::IsPermissionDenied(s)) << s;
  EXPECT_THAT(std::string(th::Message(s)), HasSubstr("t/b/data"));
  EXPECT_TRUE(absl::IsPermissionDenied(b->PutStream("t/b/other").status()));
  EXPECT_TRUE(absl::IsPermissionDenied(b->Delete("t/b/data")));
  EXPECT_EQ(*b->Get("t/b/data"), "old");
  ASSERT_EQ(::chmod(th::StrCat(root_, "/t/b").c_str(), 0755), 0);
}

TEST_F(LocalBackendTest, UnreadableObjectIsPermissionDenied) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: root reads files whatever their mode";
  }
  std::unique_ptr<LocalBackend> b = Open();
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->Put("k", "v").ok());
  ASSERT_EQ(::chmod(th::StrCat(root_, "/k").c_str(), 0), 0);
  EXPECT_TRUE(absl::IsPermissionDenied(b->Get("k").status()));
}

TEST_F(LocalBackendTest, OpenRejectsBadRoots) {
  EXPECT_TRUE(absl::IsInvalidArgument(LocalBackend::Open({.root = ""}).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      LocalBackend::Open({.root = root_, .stale_temp_age = std::chrono::seconds(-1)}).status()));
  std::string file = th::StrCat(dir_, "/a_file");
  WriteFile(file, "x");
  EXPECT_TRUE(absl::IsFailedPrecondition(LocalBackend::Open({.root = file}).status()));
  // Trailing slashes are fine.
  Result<std::unique_ptr<LocalBackend>> b = LocalBackend::Open({.root = root_ + "//"});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ((*b)->root(), root_);
}

TEST(LocalBackendErrno, MapsErrnoToCanonicalCodesNamingTheObject) {
  struct Case {
    int err;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {ENOENT, absl::StatusCode::kNotFound},
      {ENOSPC, absl::StatusCode::kResourceExhausted},
      {EDQUOT, absl::StatusCode::kResourceExhausted},
      {EACCES, absl::StatusCode::kPermissionDenied},
      {EPERM, absl::StatusCode::kPermissionDenied},
      {EROFS, absl::StatusCode::kPermissionDenied},
      {ENOTDIR, absl::StatusCode::kFailedPrecondition},
      {EIO, absl::StatusCode::kInternal},
      {EMFILE, absl::StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    Status s = internal::ErrnoStatus("write", "/data/t/b/data", c.err);
    EXPECT_EQ(s.code(), c.code) << c.err;
    EXPECT_THAT(std::string(th::Message(s)), HasSubstr("write /data/t/b/data: "));
    EXPECT_THAT(std::string(th::Message(s)), HasSubstr(std::strerror(c.err)));
  }
}

}  // namespace
}  // namespace th::store::backend

// Test-only helpers for the S3 backend tests: the Swift + s3api server that ctest's fixtures
// start with scripts/s3-test-server.sh (its DIR and the script's path are compiled in as
// TH_S3_TEST_DIR, TH_S3_FAULTS_DIR and TH_S3_SCRIPT), options read from DIR/env, and a fresh
// bucket per test so tests are independent and may run in parallel.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/strings.h"
#include "store/backend/s3/s3_backend.h"

#include <unistd.h>

namespace th::store::backend::s3::testing {

// Options for the server whose state directory is `dir` (KEY=VALUE lines of DIR/env), with
// short timeouts and 1 MiB parts (the fixture starts s3api with S3_MIN_PART_SIZE=1048576).
inline Result<S3Options> ServerOptions(const std::string& dir) {
  std::ifstream in(th::StrCat(dir, "/env"));
  if (!in) {
    return absl::FailedPreconditionError(
        th::StrCat("no ", dir, "/env: is the s3 test server fixture running? "
                               "(scripts/s3-test-server.sh start ", dir, ")"));
  }
  std::map<std::string, std::string> env;
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  S3Options o;
  o.endpoint = env["S3_ENDPOINT"];
  o.bucket = env["S3_BUCKET"];
  o.region = env["S3_REGION"];
  o.access_key = env["S3_ACCESS_KEY"];
  o.secret_key = env["S3_SECRET_KEY"];
  o.connect_timeout = std::chrono::milliseconds(1000);
  o.request_timeout = std::chrono::milliseconds(30000);
  o.max_retries = 4;
  o.initial_backoff = std::chrono::milliseconds(50);
  o.max_backoff = std::chrono::milliseconds(500);
  o.retry_deadline = std::chrono::milliseconds(2000);
  o.part_size = 1 << 20;
  o.allow_small_parts_for_test = true;
  return o;
}

// A bucket name no other test process uses: "t<pid>-<counter>-<clock>".
inline std::string UniqueBucketName() {
  static std::atomic<int> counter{0};
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return th::StrCat("t", ::getpid(), "-", counter.fetch_add(1), "-", now % 1000000007);
}

// Opens `options` on a new bucket (replacing options.bucket) and creates it.
inline Result<std::unique_ptr<S3Backend>> OpenWithFreshBucket(S3Options options) {
  options.bucket = UniqueBucketName();
  ASSIGN_OR_RETURN(std::unique_ptr<S3Backend> backend, S3Backend::Open(options));
  RETURN_IF_ERROR(backend->CreateBucket());
  return backend;
}

// Runs scripts/s3-test-server.sh `command` `dir`; OK when it exits 0.
inline Status RunServerScript(std::string_view command, const std::string& dir) {
  std::string cmd = th::StrCat(TH_S3_SCRIPT, " ", command, " ", dir, " >/dev/null");
  int rc = std::system(cmd.c_str());
  if (rc != 0) return absl::InternalError(th::StrCat("`", cmd, "` exited with ", rc));
  return absl::OkStatus();
}

}  // namespace th::store::backend::s3::testing

// Conformance suite for Backend implementations: every verb's contract from backend.h, as
// value-parameterised tests over a BackendKind. The TEST_Ps live in backend_conformance.cc; a
// test target compiles that file and instantiates the suite for its backends, e.g.
//   INSTANTIATE_TEST_SUITE_P(Local, BackendConformance, ::testing::Values(BackendKind{...}));
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/strings.h"
#include "store/backend/backend.h"

#include "gtest/gtest.h"
#include <stdlib.h>

namespace th::store::backend {

struct BackendKind {
  std::string name;
  // Makes a fresh, empty backend; `dir` is a scratch directory it may use.
  std::function<std::unique_ptr<Backend>(const std::string& dir)> make;
  // Whether writes that would make a key both an object and a folder fail with
  // FailedPrecondition (backend.h); S3 does not check.
  bool enforces_key_conflicts = true;
};

inline void PrintTo(const BackendKind& kind, std::ostream* os) { *os << kind.name; }

class BackendConformance : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    std::string pattern = th::StrCat(::testing::TempDir(), "/backend_test_XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    backend_ = GetParam().make(dir_);
    ASSERT_NE(backend_, nullptr);
  }
  void TearDown() override {
    backend_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string MustGet(std::string_view key) {
    Result<std::string> r = backend_->Get(key);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::string();
  }
  std::vector<std::string> MustList(std::string_view prefix, ListMode mode) {
    Result<std::vector<std::string>> r = backend_->List(prefix, mode);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<std::string>();
  }

  std::string dir_;
  std::unique_ptr<Backend> backend_;
};

// The suite's name for test names: BackendKind::name.
inline std::string BackendKindName(const ::testing::TestParamInfo<BackendKind>& info) {
  return info.param.name;
}

}  // namespace th::store::backend

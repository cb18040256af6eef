// The conformance suite (backend_conformance.cc) over the memory and local backends.
#include "store/backend/backend_conformance.h"

#include <memory>
#include <string>

#include "common/strings.h"
#include "store/backend/local/local_backend.h"
#include "store/backend/memory/memory_backend.h"

#include "gtest/gtest.h"

namespace th::store::backend {
namespace {

INSTANTIATE_TEST_SUITE_P(
    AllBackends, BackendConformance,
    ::testing::Values(
        BackendKind{"memory",
                    [](const std::string&) -> std::unique_ptr<Backend> {
                      return std::make_unique<MemoryBackend>();
                    }},
        BackendKind{"local",
                    [](const std::string& dir) -> std::unique_ptr<Backend> {
                      Result<std::unique_ptr<LocalBackend>> b =
                          LocalBackend::Open({.root = th::StrCat(dir, "/objects")});
                      EXPECT_TRUE(b.ok()) << b.status();
                      if (!b.ok()) return nullptr;
                      return std::move(b).value();
                    }}),
    BackendKindName);

}  // namespace
}  // namespace th::store::backend

// TempStore: a real Store in a fresh directory named after the running test, removed again
// afterwards; for tests of anything that reads or writes the store. Test-only (links gtest).
// Thread-safety: as Store's.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/span_batch.h"
#include "store/store.h"

namespace th::store::testing {

class TempStore {
 public:
  // Opens a store under ::testing::TempDir()/<prefix>_<pid>_<test name>. Fails the test (fatal)
  // when it cannot.
  explicit TempStore(std::string_view prefix, StoreOptions options = StoreOptions());
  ~TempStore();
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  Store& store() { return *store_; }
  Store* get() { return store_.get(); }
  const std::filesystem::path& dir() const { return dir_; }

  // Appends `batch` and waits until it is durable; returns the store's answer.
  Status Append(std::unique_ptr<model::SpanBatch> batch);
  // Decodes OTLP protobuf `otlp` for `tenant` and appends it.
  Status AppendOtlp(std::string otlp, std::string_view tenant = model::kDefaultTenant);

  // Closes the store and opens it again on the same directory (the WAL is replayed).
  void Reopen();

 private:
  std::filesystem::path dir_;
  StoreOptions options_;  // data_dir is dir_
  std::unique_ptr<Store> store_;
};

}  // namespace th::store::testing

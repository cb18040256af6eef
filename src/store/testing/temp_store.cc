#include "store/testing/temp_store.h"

#include <future>

#include <gtest/gtest.h>

#include "model/otlp_decode.h"

#include <unistd.h>

namespace th::store::testing {

TempStore::TempStore(std::string_view prefix, StoreOptions options) : options_(std::move(options)) {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = std::filesystem::path(::testing::TempDir()) /
         (std::string(prefix) + "_" + std::to_string(::getpid()) + "_" +
          (test != nullptr ? test->name() : "no_test"));
  std::filesystem::remove_all(dir_);
  Reopen();
}

TempStore::~TempStore() {
  store_.reset();
  std::filesystem::remove_all(dir_);
}

void TempStore::Reopen() {
  store_.reset();
  options_.data_dir = dir_.string();
  auto opened = Store::Open(options_);
  if (!opened.ok()) {
    ADD_FAILURE() << "cannot open a store in " << dir_ << ": " << opened.status();
    std::abort();  // every later use would dereference null
  }
  store_ = std::move(opened).value();
}

Status TempStore::Append(std::unique_ptr<model::SpanBatch> batch) {
  std::promise<Status> done;
  store_->Append(std::move(batch), [&done](const Status& s) { done.set_value(s); });
  return done.get_future().get();
}

Status TempStore::AppendOtlp(std::string otlp, std::string_view tenant) {
  auto decoded = model::DecodeOtlpTracesProto(std::move(otlp), tenant);
  if (!decoded.ok()) return decoded.status();
  return Append(std::move(decoded->batch));
}

}  // namespace th::store::testing

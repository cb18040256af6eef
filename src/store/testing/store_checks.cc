#include "store/testing/store_checks.h"

#include <gtest/gtest.h>

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace th::store::testing {

std::multiset<std::string> SpanIds(const std::string& traces_data) {
  opentelemetry::proto::trace::v1::TracesData data;
  EXPECT_TRUE(data.ParseFromString(traces_data));
  std::multiset<std::string> ids;
  for (const auto& rs : data.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& sp : ss.spans()) ids.insert(sp.span_id());
    }
  }
  return ids;
}

size_t WalSegments(const std::filesystem::path& data_dir) {
  size_t n = 0;
  if (!std::filesystem::exists(data_dir / "wal")) return 0;
  for (const auto& e : std::filesystem::directory_iterator(data_dir / "wal")) {
    n += e.is_regular_file();
  }
  return n;
}

}  // namespace th::store::testing

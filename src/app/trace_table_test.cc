#include "app/trace_table.h"

#include <gtest/gtest.h>

#include "model/otlp_decode.h"

#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace th::app {
namespace {

TEST(TraceTable, IndentsChildrenUnderParentsInStartOrder) {
  opentelemetry::proto::trace::v1::TracesData data;
  auto* rs = data.add_resource_spans();
  auto* a = rs->mutable_resource()->add_attributes();
  a->set_key("service.name");
  a->mutable_value()->set_string_value("checkout");
  auto* ss = rs->add_scope_spans();
  auto add = [&](int id, int parent, const char* name, uint64_t start_ms, uint64_t end_ms) {
    auto* s = ss->add_spans();
    s->set_trace_id(std::string(16, '\x07'));
    s->set_span_id(std::string(7, '\0') + static_cast<char>(id));
    if (parent) s->set_parent_span_id(std::string(7, '\0') + static_cast<char>(parent));
    s->set_name(name);
    s->set_start_time_unix_nano(start_ms * 1000000);
    s->set_end_time_unix_nano(end_ms * 1000000);
    return s;
  };
  add(3, 1, "second child", 300, 400);
  add(1, 0, "root", 0, 500)
      ->mutable_status()
      ->set_code(opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
  add(2, 1, "first child", 100, 200);
  add(4, 9, "orphan", 50, 60);
  auto decoded = model::DecodeOtlpTracesProto(data.SerializeAsString(), "t");
  ASSERT_TRUE(decoded.ok());
  std::string table = RenderTraceTable(*decoded->batch);
  EXPECT_NE(table.find("4 spans, 1 services, 500.000 ms"), std::string::npos) << table;
  size_t root = table.find(" root  [error]");
  size_t first = table.find("   first child");
  size_t second = table.find("   second child");
  size_t orphan = table.find(" orphan");
  ASSERT_NE(root, std::string::npos) << table;
  ASSERT_NE(first, std::string::npos) << table;
  EXPECT_LT(root, first);
  EXPECT_LT(first, second);
  EXPECT_LT(second, orphan);  // an extra root, after the real root's whole subtree
}

}  // namespace
}  // namespace th::app

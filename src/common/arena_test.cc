#include "common/arena.h"

#include <string>

#include <gtest/gtest.h>

namespace th {
namespace {

TEST(Arena, CopiedViewsStayValidAcrossManyBlocks) {
  Arena arena;
  std::vector<std::string_view> views;
  for (int i = 0; i < 10000; ++i) views.push_back(arena.Copy("value-" + std::to_string(i)));
  for (int i = 0; i < 10000; ++i) EXPECT_EQ(views[i], "value-" + std::to_string(i));
}

TEST(Arena, LargeAllocationGetsItsOwnBlock) {
  Arena arena;
  std::string big(100000, 'x');
  std::string_view v = arena.Copy(big);
  std::string_view small = arena.Copy("small");
  EXPECT_EQ(v, big);
  EXPECT_EQ(small, "small");
  EXPECT_GE(arena.MemoryUsage(), big.size());
}

TEST(Arena, AdoptedBufferIsNotCopied) {
  Arena arena;
  std::string body(1000, 'b');
  const char* before = body.data();
  std::string_view v = arena.Adopt(std::move(body));
  EXPECT_EQ(v.data(), before);
  EXPECT_EQ(v.size(), 1000u);
}

TEST(Arena, EmptyCopyIsEmptyView) {
  Arena arena;
  EXPECT_TRUE(arena.Copy("").empty());
}

}  // namespace
}  // namespace th

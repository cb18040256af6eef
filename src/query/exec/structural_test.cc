// Structural operators over the nested-set model, including broken trees.
#include "query/exec/internal/structural.h"

#include <gtest/gtest.h>

#include "query/exec/test_util.h"

namespace th::query::exec {
namespace {

using testing::Names;
using testing::TraceBuilder;
using Strings = std::vector<std::string>;

// root ─┬─ a ── a1
//       └─ b
// plus `orphan` (parent missing) with its child `orphan-child`.
TraceBuilder Tree() {
  TraceBuilder t;
  t.Span({.id = 1, .name = "root", .attrs = {{"k", "x"}}});
  t.Span({.id = 2, .parent = 1, .name = "a", .attrs = {{"k", "x"}}});
  t.Span({.id = 3, .parent = 1, .name = "b"});
  t.Span({.id = 4, .parent = 2, .name = "a1", .attrs = {{"k", "x"}}});
  t.Span({.id = 5, .parent = 0x77, .name = "orphan", .attrs = {{"k", "x"}}});
  t.Span({.id = 6, .parent = 5, .name = "orphan-child", .attrs = {{"k", "x"}}});
  return t;
}

TEST(Structural, DescendantAndChildReturnRightHandSpans) {
  TraceBuilder t = Tree();
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ name = \"root\" } >> { }", b), (Strings{"a", "a1", "b"}));
  EXPECT_EQ(Names("{ name = \"root\" } > { }", b), (Strings{"a", "b"}));
  EXPECT_EQ(Names("{ name = \"a\" } >> { span.k = \"x\" }", b), (Strings{"a1"}));
  EXPECT_TRUE(Names("{ name = \"b\" } >> { }", b).empty());
}

TEST(Structural, AncestorAndParentReturnRightHandSpans) {
  TraceBuilder t = Tree();
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ name = \"a1\" } << { }", b), (Strings{"a", "root"}));
  EXPECT_EQ(Names("{ name = \"a1\" } < { }", b), (Strings{"a"}));
  EXPECT_EQ(Names("{ name = \"b\" } < { }", b), (Strings{"root"}));
}

TEST(Structural, UnreachableSpansNeverTakePart) {
  TraceBuilder t = Tree();
  const auto& b = t.batch();
  // orphan-child is a child of orphan in the raw data, but neither is numbered.
  EXPECT_TRUE(Names("{ name = \"orphan\" } > { }", b).empty());
  EXPECT_TRUE(Names("{ name = \"orphan\" } >> { }", b).empty());
  EXPECT_TRUE(Names("{ name = \"orphan-child\" } < { }", b).empty());
  EXPECT_EQ(Names("{ } >> { span.k = \"x\" }", b), (Strings{"a", "a1"}));
}

TEST(Structural, SiblingExcludesTheSpanItself) {
  TraceBuilder t = Tree();
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ name = \"a\" } ~ { }", b), (Strings{"b"}));
  EXPECT_EQ(Names("{ } ~ { }", b), (Strings{"a", "b"}));
  EXPECT_TRUE(Names("{ name = \"a1\" } ~ { name = \"a1\" }", b).empty());  // an only child
  EXPECT_TRUE(Names("{ name = \"a\" } ~ { name = \"a\" }", b).empty());
}

TEST(Structural, NegatedReturnsUnrelatedRightHandSpans) {
  TraceBuilder t = Tree();
  const auto& b = t.batch();
  // Leaves: spans that are nobody's parent (unnumbered spans always qualify).
  EXPECT_EQ(Names("{ } !< { }", b), (Strings{"a1", "b", "orphan", "orphan-child"}));
  EXPECT_EQ(Names("{ name = \"a\" } !> { }", b), (Strings{"a", "b", "orphan", "orphan-child", "root"}));
  EXPECT_EQ(Names("{ name = \"root\" } !>> { span.k = \"x\" }", b),
            (Strings{"orphan", "orphan-child", "root"}));
  EXPECT_EQ(Names("{ name = \"a\" } !~ { span.k != nil }", b),
            (Strings{"a", "a1", "orphan", "orphan-child", "root"}));
  EXPECT_EQ(Names("{ name = \"b\" } !<< { }", b),
            (Strings{"a", "a1", "b", "orphan", "orphan-child"}));
}

TEST(Structural, NegatedWithEmptyLeftReturnsAllRightSpans) {
  TraceBuilder t = Tree();
  EXPECT_EQ(Names("{ name = \"nope\" } !>> { span.k = \"x\" }", t.batch()),
            (Strings{"a", "a1", "orphan", "orphan-child", "root"}));
  EXPECT_TRUE(Names("{ name = \"nope\" } >> { }", t.batch()).empty());
  EXPECT_TRUE(Names("{ name = \"nope\" } &>> { }", t.batch()).empty());
}

TEST(Structural, UnionReturnsMatchingSpansOfBothSides) {
  TraceBuilder t = Tree();
  const auto& b = t.batch();
  EXPECT_EQ(Names("{ name = \"a\" } &>> { }", b), (Strings{"a", "a1"}));
  EXPECT_EQ(Names("{ name = \"root\" } &> { name = \"b\" }", b), (Strings{"b", "root"}));
  EXPECT_EQ(Names("{ name = \"a1\" } &<< { }", b), (Strings{"a", "a1", "root"}));
  EXPECT_EQ(Names("{ name = \"a1\" } &< { }", b), (Strings{"a", "a1"}));
  EXPECT_EQ(Names("{ name = \"a\" } &~ { }", b), (Strings{"a", "b"}));
  EXPECT_TRUE(Names("{ name = \"b\" } &>> { }", b).empty());
}

TEST(Structural, SeveralRootsAreSiblings) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "r1"});
  t.Span({.id = 2, .name = "r2"});
  EXPECT_EQ(Names("{ name = \"r1\" } ~ { }", t.batch()), (Strings{"r2"}));
  EXPECT_TRUE(Names("{ } > { }", t.batch()).empty());
}

TEST(Structural, ZipkinSharedSpanIdsPairClientAndServer) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "root", .kind = model::kSpanKindServer});
  t.Span({.id = 2, .parent = 1, .name = "client", .kind = model::kSpanKindClient});
  // The server half shares the client's id and names it as parent.
  t.Span({.id = 2, .parent = 2, .name = "server", .kind = model::kSpanKindServer});
  t.Span({.id = 3, .parent = 2, .name = "work", .kind = model::kSpanKindInternal});
  EXPECT_EQ(Names("{ name = \"client\" } > { }", t.batch()), (Strings{"server"}));
  EXPECT_EQ(Names("{ name = \"server\" } > { }", t.batch()), (Strings{"work"}));
  EXPECT_EQ(Names("{ name = \"root\" } >> { }", t.batch()), (Strings{"client", "server", "work"}));
}

TEST(Structural, MoreThanTwoSpansWithOneIdDisableTheTree) {
  TraceBuilder t;
  t.Span({.id = 1, .name = "root"});
  t.Span({.id = 2, .parent = 1, .name = "x"});
  t.Span({.id = 2, .parent = 1, .name = "y"});
  t.Span({.id = 2, .parent = 1, .name = "z"});
  EXPECT_TRUE(Names("{ } >> { }", t.batch()).empty());
  EXPECT_EQ(Names("{ nestedSetLeft = 0 }", t.batch()), (Strings{"root", "x", "y", "z"}));
}

TEST(Structural, OperatorsChainLeftToRight) {
  TraceBuilder t = Tree();
  // ({root} > {}) ~ {}: siblings of root's children among all spans.
  EXPECT_EQ(Names("{ name = \"root\" } > { } ~ { }", t.batch()), (Strings{"a", "b"}));
  // `&&` binds looser than structural operators.
  EXPECT_EQ(Names("{ name = \"b\" } && { name = \"root\" } > { name = \"a\" }", t.batch()),
            (Strings{"a", "b"}));
}

TEST(Structural, DeepTracesDoNotRecurse) {
  TraceBuilder t;
  constexpr int kDepth = 200;  // ids are one byte here; the walk itself is iterative
  for (int i = 1; i <= kDepth; ++i) {
    t.Span({.id = static_cast<uint8_t>(i), .parent = static_cast<uint8_t>(i - 1),
            .name = i == kDepth ? "leaf" : "node"});
  }
  EXPECT_EQ(Names("{ name = \"leaf\" } << { }", t.batch()), (Strings{"node"}));
  EXPECT_EQ(Names("{ nestedSetLeft = 1 } >> { name = \"leaf\" }", t.batch()), (Strings{"leaf"}));
}

}  // namespace
}  // namespace th::query::exec

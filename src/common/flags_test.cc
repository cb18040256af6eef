#include "common/flags.h"

#include <gtest/gtest.h>

namespace th {
namespace {

Flags Example() {
  Flags f("serve", "summary");
  f.Add("data-dir", "./data", "where");
  f.Add("verbose", "false", "more logs", /*bool_flag=*/true);
  return f;
}

TEST(Flags, ParsesBothSpellingsAndKeepsDefaults) {
  Flags f = Example();
  ASSERT_TRUE(f.Parse({"--data-dir", "/x"}).ok());
  EXPECT_EQ(f.Get("data-dir"), "/x");
  EXPECT_FALSE(f.GetBool("verbose"));
  Flags g = Example();
  ASSERT_TRUE(g.Parse({"--data-dir=/y", "--verbose"}).ok());
  EXPECT_EQ(g.Get("data-dir"), "/y");
  EXPECT_TRUE(g.GetBool("verbose"));
  EXPECT_TRUE(g.IsSet("verbose"));
}

TEST(Flags, UnknownFlagIsNamed) {
  Flags f = Example();
  Status s = f.Parse({"--nope"});
  EXPECT_EQ(s.message(), "serve: unknown flag --nope (see --help)");
}

TEST(Flags, MissingValueIsAnError) {
  Flags f = Example();
  EXPECT_FALSE(f.Parse({"--data-dir"}).ok());
}

TEST(Flags, PositionalsOnlyWhenAllowed) {
  Flags f = Example();
  EXPECT_FALSE(f.Parse({"{ }"}).ok());
  Flags g = Example();
  g.AllowPositionals("'<traceql>'");
  ASSERT_TRUE(g.Parse({"--data-dir", "/d", "{ status = error }"}).ok());
  EXPECT_EQ(g.positionals(), std::vector<std::string>{"{ status = error }"});
  EXPECT_NE(g.Usage().find("[flags] '<traceql>'"), std::string::npos);
}

TEST(Flags, HelpListsFlagsWithDefaults) {
  Flags f = Example();
  ASSERT_TRUE(f.Parse({"--help"}).ok());
  EXPECT_TRUE(f.help_requested());
  EXPECT_NE(f.Usage().find("--data-dir VALUE"), std::string::npos);
  EXPECT_NE(f.Usage().find("(default: ./data)"), std::string::npos);
}

}  // namespace
}  // namespace th

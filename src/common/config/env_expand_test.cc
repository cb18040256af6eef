#include "common/config/env_expand.h"

#include <gtest/gtest.h>

namespace th::config {
namespace {

TEST(EnvExpand, CollectorForms) {
  EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "HOST") return "db";
    if (name == "EMPTY") return "";
    return std::nullopt;
  };
  EXPECT_EQ(*ExpandEnv("a ${env:HOST} ${HOST} $$HOST", env), "a db db $HOST");
  EXPECT_EQ(*ExpandEnv("${env:NOPE:-4317} ${EMPTY:-x} ${NOPE}", env), "4317 x ");
  EXPECT_EQ(*ExpandEnv("cost: $5", env), "cost: $5");
  auto bad = ExpandEnv("a\nb ${env:HOST", env);
  EXPECT_EQ(bad.status().message(), "line 2: unterminated \"${\"");
  EXPECT_FALSE(ExpandEnv("${1ABC}", env).ok());
}

}  // namespace
}  // namespace th::config

// Environment-variable expansion in config text, as the OpenTelemetry Collector does it:
// `${env:NAME}`, `${NAME}` and `${env:NAME:-default}` are replaced by the variable's value (empty
// when unset), `$$` stands for a literal `$`. Expansion never adds or removes newlines of its own,
// so line numbers in later errors still point into the file as written.
// Thread-safe: reads the environment only.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace th::config {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment.
std::optional<std::string> ProcessEnv(std::string_view name);

// Errors: InvalidArgument for an unterminated `${` or an empty or malformed name, with the line.
Result<std::string> ExpandEnv(std::string_view text, const EnvLookup& lookup = ProcessEnv);

}  // namespace th::config

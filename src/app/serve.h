// `tracehouse serve`: receivers → store → query API, in one process, until SIGTERM/SIGINT.
#pragma once

#include <string>
#include <vector>

namespace th::app {

// Runs the subcommand; returns the process exit code.
int RunServe(const std::vector<std::string>& args);

}  // namespace th::app

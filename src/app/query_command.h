// `tracehouse query`: TraceQL search and trace by id from a terminal, against a running server's
// Tempo API. Prints a table (search results; a trace as an indented waterfall) or the API's JSON.
#pragma once

#include <string>
#include <vector>

namespace th::app {

// Runs the subcommand; returns the process exit code.
int RunQuery(const std::vector<std::string>& args);

}  // namespace th::app

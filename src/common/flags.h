// Command-line flags of one subcommand: declared with a default and help text, parsed from
// `--name value` or `--name=value`, with --help rendering. Unknown flags and missing values are
// errors that name the flag. Not thread-safe; used once at start-up.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace th {

class Flags {
 public:
  Flags(std::string command, std::string summary);

  // Declares a flag taking a value. A `bool_flag` takes none (`--flag` sets it to "true").
  void Add(std::string name, std::string default_value, std::string help, bool bool_flag = false);

  // Accepts arguments that are not flags (e.g. a query), collected in positionals(); `usage` names
  // them in --help (e.g. "'<traceql>'"). Without it a positional argument is an error.
  void AllowPositionals(std::string usage) { positional_usage_ = std::move(usage); }
  const std::vector<std::string>& positionals() const { return positionals_; }

  // Parses args (without the program and subcommand names). Sets help_requested() on --help/-h.
  Status Parse(const std::vector<std::string>& args);

  const std::string& Get(std::string_view name) const;
  bool GetBool(std::string_view name) const { return Get(name) == "true"; }
  bool IsSet(std::string_view name) const;  // given on the command line
  bool help_requested() const { return help_; }
  // Parses `args` the way every subcommand does: on an error prints it to stderr and returns
  // exit code 2; on --help prints the usage and returns 0; otherwise returns nullopt (go on).
  std::optional<int> ParseCommandLine(const std::vector<std::string>& args);
  std::string Usage() const;

 private:
  struct Flag {
    std::string value;
    std::string default_value;
    std::string help;
    bool is_bool = false;
    bool set = false;
  };
  std::string command_;
  std::string summary_;
  std::vector<std::string> order_;
  std::map<std::string, Flag, std::less<>> flags_;
  bool help_ = false;
  std::string positional_usage_;
  std::vector<std::string> positionals_;
};

}  // namespace th

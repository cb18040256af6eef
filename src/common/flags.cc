#include "common/flags.h"

#include <cstdio>

#include "common/strings.h"

namespace th {

Flags::Flags(std::string command, std::string summary)
    : command_(std::move(command)), summary_(std::move(summary)) {}

void Flags::Add(std::string name, std::string default_value, std::string help, bool bool_flag) {
  order_.push_back(name);
  flags_[name] = Flag{default_value, default_value, std::move(help), bool_flag, false};
}

Status Flags::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (!arg.starts_with("--") && !positional_usage_.empty()) {
      positionals_.emplace_back(arg);
      continue;
    }
    if (!arg.starts_with("--")) {
      return absl::InvalidArgumentError(
          th::StrCat(command_, ": unexpected argument \"", arg, "\" (see --help)"));
    }
    arg.remove_prefix(2);
    std::string_view name = arg.substr(0, arg.find('='));
    auto it = flags_.find(name);
    if (it == flags_.end()) {
      return absl::InvalidArgumentError(
          th::StrCat(command_, ": unknown flag --", name, " (see --help)"));
    }
    Flag& f = it->second;
    if (arg.find('=') != std::string_view::npos) {
      f.value = std::string(arg.substr(arg.find('=') + 1));
    } else if (f.is_bool) {
      f.value = "true";
    } else {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            th::StrCat(command_, ": flag --", name, " needs a value"));
      }
      f.value = args[++i];
    }
    f.set = true;
  }
  return absl::OkStatus();
}

std::optional<int> Flags::ParseCommandLine(const std::vector<std::string>& args) {
  if (Status s = Parse(args); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(Message(s)).c_str());
    return 2;
  }
  if (help_) {
    std::printf("%s", Usage().c_str());
    return 0;
  }
  return std::nullopt;
}

const std::string& Flags::Get(std::string_view name) const {
  return flags_.find(name)->second.value;
}

bool Flags::IsSet(std::string_view name) const {
  auto it = flags_.find(name);
  return it != flags_.end() && it->second.set;
}

std::string Flags::Usage() const {
  std::string out = th::StrCat("usage: tracehouse ", command_, " [flags]",
                               positional_usage_.empty() ? "" : " ", positional_usage_, "\n\n",
                               summary_, "\n\nflags:\n");
  for (const std::string& name : order_) {
    const Flag& f = flags_.find(name)->second;
    th::StrAppend(&out, "  --", name, f.is_bool ? "" : " VALUE", "\n      ", f.help);
    if (!f.default_value.empty()) th::StrAppend(&out, " (default: ", f.default_value, ")");
    out += "\n";
  }
  out += "  --help\n      show this help\n";
  return out;
}

}  // namespace th

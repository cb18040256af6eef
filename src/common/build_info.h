// Build identity of this binary, for `tracehouse version` and /api/status/buildinfo. Values come
// from CMake at configure time (project version, git revision and branch).
#pragma once

#include <string_view>

namespace th::build_info {

std::string_view Version();
std::string_view Revision();
std::string_view Branch();
std::string_view BuildDate();

}  // namespace th::build_info

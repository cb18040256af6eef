// Crash points for crash tests. With TRACEHOUSE_CRASH_AT=<name>[:<n>] in the environment, the
// n-th (default: first) call of Hit(<name>) ends the process at once with _exit(86) — no
// destructors, no buffered output, as kill -9 at that instant would. Without the variable Hit
// costs one relaxed atomic load. Points are named "<stage>.<step>", e.g. "flush.after_publish";
// the names in use are listed where the crash tests use them (tests/e2e/block_crash.test.mjs).
// Thread-safe.
#pragma once

#include <string_view>

namespace th::failpoint {

void Hit(std::string_view name);

}  // namespace th::failpoint

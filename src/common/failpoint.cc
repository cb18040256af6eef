#include "common/failpoint.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

namespace th::failpoint {
namespace {

struct Armed {
  std::string name;  // empty: nothing armed
  long nth = 1;
  std::atomic<long> hits{0};
};

Armed& Get() {
  static Armed* armed = [] {
    auto* a = new Armed();
    const char* env = std::getenv("TRACEHOUSE_CRASH_AT");
    if (env == nullptr || *env == '\0') return a;
    std::string spec(env);
    size_t colon = spec.find(':');
    a->name = spec.substr(0, colon);
    if (colon != std::string::npos) a->nth = std::max(1L, std::atol(spec.c_str() + colon + 1));
    return a;
  }();
  return *armed;
}

}  // namespace

void Hit(std::string_view name) {
  Armed& a = Get();
  if (a.name.empty() || a.name != name) return;
  if (a.hits.fetch_add(1) + 1 < a.nth) return;
  // Say where, unbuffered, so the test can tell this crash from a real one.
  std::string line = "tracehouse: crash point " + a.name + " reached; exiting\n";
  [[maybe_unused]] ssize_t n = ::write(2, line.data(), line.size());
  ::_exit(86);
}

}  // namespace th::failpoint

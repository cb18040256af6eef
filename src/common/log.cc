#include "common/log.h"

#include <atomic>
#include <cstdlib>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include <unistd.h>

namespace th::log {
namespace {

Level InitialLevel() {
  const char* env = std::getenv("TH_LOG_LEVEL");
  if (env == nullptr) return Level::kInfo;
  std::string_view v(env);
  if (v == "debug") return Level::kDebug;
  if (v == "warn") return Level::kWarn;
  if (v == "error") return Level::kError;
  return Level::kInfo;
}

std::atomic<Level>& CurrentLevel() {
  static std::atomic<Level> level{InitialLevel()};
  return level;
}

std::string_view Name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetLevel(Level level) { CurrentLevel().store(level); }
bool Enabled(Level level) { return level >= CurrentLevel().load(std::memory_order_relaxed); }

void Write(Level level, std::string_view msg, std::string_view fields) {
  std::string line =
      th::StrCat("ts=", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                 " level=", Name(level), " msg=\"", msg, "\"");
  if (!fields.empty()) th::StrAppend(&line, " ", fields);
  line.push_back('\n');
  // One write per line keeps lines whole when threads log at once.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace th::log

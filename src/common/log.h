// Logging: one line per event to stderr, `ts=… level=… msg="…" key=value` (logfmt, as Tempo and
// the Collector log), so lines can be grepped and parsed. Thread-safe: each line is written with
// one write(2).
#pragma once

#include <string_view>

#include "common/strings.h"

namespace th::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Lines below this level are dropped. Default kInfo; TH_LOG_LEVEL=debug lowers it.
void SetLevel(Level level);
bool Enabled(Level level);

// Writes `msg` and the already formatted `fields` ("key=value key2=value2").
void Write(Level level, std::string_view msg, std::string_view fields = {});

template <typename... Args>
void Info(std::string_view msg, const Args&... fields) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, msg, th::StrCat(fields...));
}
template <typename... Args>
void Warn(std::string_view msg, const Args&... fields) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, msg, th::StrCat(fields...));
}
template <typename... Args>
void Error(std::string_view msg, const Args&... fields) {
  if (Enabled(Level::kError)) Write(Level::kError, msg, th::StrCat(fields...));
}
template <typename... Args>
void Debug(std::string_view msg, const Args&... fields) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, msg, th::StrCat(fields...));
}

}  // namespace th::log

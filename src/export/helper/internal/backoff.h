// Exponential back-off as the Collector's retry sender computes it (cenkalti/backoff's
// ExponentialBackOff): each wait is the current interval randomised by ±randomization_factor,
// then the interval grows by `multiplier` up to `max_interval`; once the time since the first
// attempt plus the next wait would pass `max_elapsed_time` (0: never), there is no next wait.
// Thread-compatible; the caller supplies the randomness (seeded in tests).
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>

#include "export/helper/settings.h"

namespace th::exporter::helper::internal {

class BackOff {
 public:
  BackOff(const RetrySettings& settings, std::mt19937_64* rng)
      : settings_(settings), rng_(rng), current_(settings.initial_interval) {}

  // The wait before the next attempt, given the time since the first one; nullopt when retrying
  // must stop. `at_least` (a server's Retry-After) raises the wait.
  std::optional<std::chrono::nanoseconds> Next(std::chrono::nanoseconds elapsed,
                                               std::chrono::nanoseconds at_least = {}) {
    double current = static_cast<double>(current_.count());
    double delta = settings_.randomization_factor * current;
    std::uniform_real_distribution<double> dist(current - delta, current + delta);
    auto wait = std::chrono::nanoseconds(static_cast<int64_t>(delta > 0 ? dist(*rng_) : current));
    wait = std::max(wait, at_least);
    double grown = current * settings_.multiplier;
    double max = static_cast<double>(settings_.max_interval.count());
    current_ = std::chrono::nanoseconds(static_cast<int64_t>(std::min(grown, max)));
    if (settings_.max_elapsed_time.count() > 0 && elapsed + wait > settings_.max_elapsed_time) {
      return std::nullopt;
    }
    return wait;
  }

 private:
  RetrySettings settings_;
  std::mt19937_64* rng_;
  std::chrono::nanoseconds current_;
};

}  // namespace th::exporter::helper::internal

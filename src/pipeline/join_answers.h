// JoinAnswers: when one batch is handed on in several parts (a fan-out to several consumers, a
// batch cut into pieces), the sender still gets one answer. The returned callback must be called
// exactly `parts` times, from any threads; on the last call `done` runs once with OK if every part
// was OK, else the first error seen.
#pragma once

#include <cstddef>

#include "pipeline/consumer.h"

namespace th::pipeline {

// Requires: parts > 0.
Done JoinAnswers(size_t parts, Done done);

}  // namespace th::pipeline

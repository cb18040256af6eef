// SHA-256 (FIPS 180-4), for the attribute `hash` action. Self-contained so the processors do
// not pull in a crypto library for one digest. Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace th::pipeline::processor {

std::array<uint8_t, 32> Sha256(std::string_view data);

// Lower-case hex of Sha256(data), 64 characters.
std::string Sha256Hex(std::string_view data);

}  // namespace th::pipeline::processor

// The wall clock as tokenledger reads it: UTC nanoseconds since the Unix epoch. Components take
// a clock function instead of calling this directly, so tests and simulations can drive time.
#pragma once

#include <chrono>
#include <cstdint>

namespace tokenledger {

// Every time in tokenledger: UTC nanoseconds since the Unix epoch (until 2262-04-11).
using TimeNs = std::int64_t;

inline TimeNs system_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tokenledger

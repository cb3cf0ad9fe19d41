// The wall clock as tokenledger reads it: UTC nanoseconds since the Unix epoch. Components take
// a clock function instead of calling this directly, so tests and simulations can drive time.
#pragma once

#include <chrono>

#include "ledger/event.h"

namespace tokenledger {

inline TimeNs system_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace tokenledger

// Always-on assertions for invariants. A failed assertion is a bug in tokenledger, never a
// reaction to outside input (input is validated and reported as a Status). The process stops at
// once; restart rebuilds state from the log, which is the truth. Not compiled out by NDEBUG.
#pragma once

namespace tokenledger::detail {
[[noreturn]] void assertion_failed(const char* expression, const char* file, int line);
}  // namespace tokenledger::detail

#define TL_ASSERT(expression)                                                   \
  do {                                                                          \
    if (!(expression)) [[unlikely]]                                             \
      ::tokenledger::detail::assertion_failed(#expression, __FILE__, __LINE__); \
  } while (false)

#define TL_UNREACHABLE() ::tokenledger::detail::assertion_failed("unreachable", __FILE__, __LINE__)

#include "base/assert.h"

#include <cstdio>
#include <cstdlib>

namespace tokenledger::detail {

void assertion_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "tokenledger: assertion failed: %s at %s:%d\n", expression, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace tokenledger::detail

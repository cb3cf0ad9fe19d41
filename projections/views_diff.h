// What differs between two views built from the same log, named by token, user and customer id:
// how `tokenledger-replay rebuild` reports a stored snapshot that does not match a rebuild.
// Threading: reads both views; the caller keeps them still.
#pragma once

#include <string>
#include <vector>

#include "projections/views.h"

namespace tokenledger {

// Empty when the two agree (then Views::same_as agrees too). At most `count_max` lines.
std::vector<std::string> view_differences(const Views& expected, const Views& actual,
                                          std::size_t count_max = 100);

}  // namespace tokenledger

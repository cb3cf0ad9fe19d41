// Folds log records into views with apply(), in order: what start-up, the replay tool and the
// tests use to build views from a log. One loop, so that every rebuild reads the log the same way.
#pragma once

#include <cstdint>

#include "ledger/log.h"
#include "ledger/status.h"
#include "projections/views.h"

namespace tokenledger {

// Applies records views.sequence()+1 .. up_to_sequence. corruption when one is missing,
// damaged, or does not fit the views.
Status replay_into(Views& views, const Log& log, std::uint64_t up_to_sequence);

}  // namespace tokenledger

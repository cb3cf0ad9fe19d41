// Folds log records into views with apply(), in order: what start-up, the replay tool and the
// tests use to build views from a log. One loop, so that every rebuild reads the log the same way.
#pragma once

#include <cstdint>
#include <functional>

#include "ledger/log.h"
#include "ledger/status.h"
#include "projections/views.h"

namespace tokenledger {

// Applies records views.sequence()+1 .. up_to_sequence. corruption when one is missing,
// damaged, or does not fit the views.
Status replay_into(Views& views, const Log& log, std::uint64_t up_to_sequence);

// The same loop with a stopping point in time and progress, for the replay tool: applies records
// after views.sequence() while their sequence is <= up_to_sequence and their recorded time is
// <= up_to_time_ns (recorded times never go backwards in a log). Unlike replay_into, a log that
// ends earlier is not an error: the views simply end where the log does.
struct ReplayLimits {
  std::uint64_t up_to_sequence = UINT64_MAX;
  TimeNs up_to_time_ns = INT64_MAX;
  std::function<void(std::uint64_t sequence)> progress;  // every progress_interval records
  std::uint64_t progress_interval_records = 100'000;
};
Status replay_within(Views& views, const Log& log, const ReplayLimits& limits);

}  // namespace tokenledger

// Folds log records into views with apply(), in order: what start-up, the replay tool and the
// tests use to build views from a log. One loop, so that every rebuild reads the log the same way.
#pragma once

#include <cstdint>
#include <functional>

#include "base/status.h"
#include "ledger/log.h"
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

// About how many tokens records from..to recorded up to `up_to_time_ns` create (5% over the
// estimate), from a sample of them, so that a long replay can size the token indexes once
// (Views::reserve_token_ids, reserve_token_secrets). A guess: a record that cannot be read is
// left out of the sample, and the replay itself reports it.
std::size_t estimate_token_creations(const Log& log, std::uint64_t from, std::uint64_t to,
                                     TimeNs up_to_time_ns);

}  // namespace tokenledger

// apply(): the one function that folds a log record into the views. The live service and the
// replay tool both call it, record by record in sequence order; there is no second
// implementation. It is pure (no clock, no I/O): the record carries everything it needs.
//
// A record that does not fit the views (an unknown token, a duplicate id, a sequence out of
// order) means the log is damaged or was written by a broken build: apply returns corruption
// naming the sequence and leaves the views unchanged.
#pragma once

#include <span>

#include "base/status.h"
#include "ledger/event.h"
#include "projections/views.h"

namespace tokenledger {

Status apply(Views& views, const Record& record);

// Starts loading into the cache the index slots that apply() will look `record`'s token up in;
// changes nothing. A long replay calls it some records ahead of apply(), so that the random
// memory reads of consecutive records overlap instead of waiting one after another.
void prefetch_for_apply(const Views& views, const Record& record);

// Applies one command's events as the consecutive records first_sequence, first_sequence+1, ...
// all recorded at `recorded_at_ns`, as the log stores them; stops at the first that does not fit.
Status apply_events(Views& views, std::span<const Event> events, std::uint64_t first_sequence,
                    TimeNs recorded_at_ns);

}  // namespace tokenledger

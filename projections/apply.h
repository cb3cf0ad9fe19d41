// apply(): the one function that folds a log record into the views. The live service and the
// replay tool both call it, record by record in sequence order; there is no second
// implementation. It is pure (no clock, no I/O): the record carries everything it needs.
//
// A record that does not fit the views (an unknown token, a duplicate id, a sequence out of
// order) means the log is damaged or was written by a broken build: apply returns corruption
// naming the sequence and leaves the views unchanged.
#pragma once

#include "ledger/event.h"
#include "ledger/status.h"
#include "projections/views.h"

namespace tokenledger {

Status apply(Views& views, const Record& record);

}  // namespace tokenledger

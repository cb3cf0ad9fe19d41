// UTC timestamps in RFC 3339 form with whole seconds and "Z" (2021-01-14T11:47:46Z), the form
// the wire contract and the audit tools print. Pure functions.
#pragma once

#include <string>

#include "ledger/event.h"

namespace tokenledger {

// Truncates to whole seconds (toward the past, also before 1970).
std::string format_rfc3339(TimeNs time_ns);

}  // namespace tokenledger

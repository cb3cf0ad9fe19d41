// UTC timestamps in RFC 3339 form with whole seconds and "Z" (2021-01-14T11:47:46Z), the form
// the wire contract and the audit tools print. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"

namespace tokenledger {

// Truncates to whole seconds (toward the past, also before 1970).
std::string format_rfc3339(TimeNs time_ns);

// Parses an RFC 3339 date-time: "2021-01-14T11:47:46Z", with optional fractional seconds (up to
// nanoseconds) and a "Z" or "+HH:MM"/"-HH:MM" offset; "t", "z" and a space for "T" are accepted
// as RFC 3339 allows. A time without a zone is refused: it names no instant. Returns false for
// anything else, including impossible dates (2021-02-29), input over 64 bytes, and times outside
// what TimeNs holds (before 1677-09-22 or after 2262-04-10).
bool parse_rfc3339(std::string_view text, TimeNs* time_ns);

}  // namespace tokenledger

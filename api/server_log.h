// The server's log: one line per event on standard error, "2026-11-30T07:47:02.123Z level
// message", written with a single write() so that lines from different threads never mix.
// Callers never pass a key, password or secret: request lines carry method, path (with ids),
// status, duration and request id only.
// Threading: log_line() from any thread.
#pragma once

#include <string_view>

namespace tokenledger::api {

enum class LogLevel : std::uint8_t { info, warning, error };

void log_line(LogLevel level, std::string_view message);

}  // namespace tokenledger::api

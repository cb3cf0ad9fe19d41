// The one logging path. Components that report to an operator take a Logger in their options
// (TokenServiceOptions::log, ServerOptions::log, ApiOptions::log) and never write to a stream
// themselves; the program chooses where lines go (tokenledger serve: stderr_logger()), and
// tests can collect them. Callers never pass a key, password or secret: request lines carry
// method, path (with ids), status, duration and request id only.
// Threading: a Logger may be called from any thread; stderr_logger()'s lines never mix.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/clock.h"

namespace tokenledger {

enum class LogLevel : std::uint8_t { info, warning, error };

using Logger = std::function<void(LogLevel level, std::string_view message)>;

// "2026-11-30T07:47:02.123Z info message\n": UTC with milliseconds (for reading request timings
// against each other), the level ("info", "warn", "error"), the message.
std::string format_log_line(TimeNs time_ns, LogLevel level, std::string_view message);

// Lines on standard error, each with one write() so that lines from different threads never
// mix. A line that cannot be written is dropped: a request never fails over its log line.
Logger stderr_logger();

}  // namespace tokenledger

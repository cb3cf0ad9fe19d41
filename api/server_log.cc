#include "api/server_log.h"

#include <unistd.h>

#include <cstdint>
#include <string>

#include "base/clock.h"
#include "base/rfc3339.h"

namespace tokenledger::api {

void log_line(LogLevel level, std::string_view message) {
  const TimeNs now = system_clock_ns();
  std::string line = format_rfc3339(now);
  // Milliseconds, for reading request timings against each other.
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03d", static_cast<int>((now / 1'000'000) % 1000));
  line.insert(line.size() - 1, millis);
  line += level == LogLevel::info ? " info " : level == LogLevel::warning ? " warn " : " error ";
  line += message;
  line += '\n';
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n <= 0) return;  // nowhere to log to; never fail a request over it
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace tokenledger::api

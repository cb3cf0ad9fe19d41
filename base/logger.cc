#include "base/logger.h"

#include <unistd.h>

#include <cstdio>

#include "base/rfc3339.h"

namespace tokenledger {

std::string format_log_line(TimeNs time_ns, LogLevel level, std::string_view message) {
  std::string line = format_rfc3339(time_ns);
  char millis[8];
  const TimeNs within_second_ns = ((time_ns % 1'000'000'000) + 1'000'000'000) % 1'000'000'000;
  std::snprintf(millis, sizeof millis, ".%03d", static_cast<int>(within_second_ns / 1'000'000));
  line.insert(line.size() - 1, millis);
  line += level == LogLevel::info ? " info " : level == LogLevel::warning ? " warn " : " error ";
  line += message;
  line += '\n';
  return line;
}

Logger stderr_logger() {
  return [](LogLevel level, std::string_view message) {
    const std::string line = format_log_line(system_clock_ns(), level, message);
    std::size_t written = 0;
    while (written < line.size()) {
      const ssize_t n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
      if (n <= 0) return;
      written += static_cast<std::size_t>(n);
    }
  };
}

}  // namespace tokenledger

#include <charconv>
#include <cstdio>

#include "base/rfc3339.h"
#include "projections/data_dir.h"
#include "tools/replay/replay_commands.h"

namespace tokenledger::replay {

std::unique_ptr<Log> open_log_read_only(const std::filesystem::path& data) {
  std::error_code missing;
  if (!std::filesystem::exists(log_path(data), missing)) {
    std::fprintf(stderr, "tokenledger-replay: no log in %s (expected %s)\n", data.c_str(),
                 log_path(data).c_str());
    return nullptr;
  }
  LogOptions options;
  options.path = log_path(data);
  options.read_only = true;
  options.create_if_missing = false;
  Result<std::unique_ptr<Log>> log = Log::open(options);
  if (!log.is_ok()) {
    std::fprintf(stderr, "tokenledger-replay: cannot open the log: %s\n",
                 log.status().to_string().c_str());
    return nullptr;
  }
  return std::move(log).value();
}

bool parse_moment(const std::string& text, Moment* moment) {
  std::uint64_t sequence = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), sequence);
  if (error == std::errc() && end == text.data() + text.size()) {
    moment->sequence = sequence;
    return true;
  }
  TimeNs time = 0;
  if (parse_rfc3339(text, &time)) {
    moment->time_ns = time;
    return true;
  }
  return false;
}

}  // namespace tokenledger::replay

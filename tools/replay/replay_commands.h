// The subcommands of tokenledger-replay, each a function from parsed options to an exit code.
// Output goes to stdout, diagnostics to stderr. Exit codes (README, "Replay and audit"):
//   0  done (and, for verify and rebuild, everything checked out)
//   1  a check failed: the chain is broken, or the stored views differ from a rebuild
//   2  wrong usage
//   3  the data directory could not be opened or read
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "ledger/log.h"

namespace tokenledger::replay {

inline constexpr int exit_ok = 0;
inline constexpr int exit_check_failed = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_unreadable = 3;

// Opens DIR/log read-only: safe while the server runs (it takes no lock and writes nothing),
// and it reads what was durable when it opened. Prints the reason and returns null on failure.
std::unique_ptr<Log> open_log_read_only(const std::filesystem::path& data);

// "2026-11-30T08:00:00Z" or a sequence number ("1234").
struct Moment {
  std::optional<std::uint64_t> sequence;
  std::optional<TimeNs> time_ns;
};
bool parse_moment(const std::string& text, Moment* moment);

int run_verify(const std::filesystem::path& data, bool report_all);
int run_rebuild(const std::filesystem::path& data, bool write);
int run_state(const std::filesystem::path& data, const Moment& at, bool json);

struct HistoryQuery {
  std::optional<std::string> token_id;
  std::optional<std::string> user_id;
  std::optional<std::string> customer_id;
  bool secret_from_stdin = false;
  bool json = false;
};
int run_history(const std::filesystem::path& data, const HistoryQuery& query);

int run_export(const std::filesystem::path& data, TimeNs since_ns, TimeNs until_ns);

}  // namespace tokenledger::replay

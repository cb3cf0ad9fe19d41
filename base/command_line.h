// The command lines of both programs (tokenledger, tokenledger-replay), through one parser:
// CLI11 (docs/adr/0013-command-line-parsing.md). Each subcommand declares its own flags, so a
// flag another subcommand uses, or none does, is refused; every subcommand answers --help.
// Exit codes shared by both programs: 0 after --help, 2 for a command line that is wrong.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace tokenledger {

inline constexpr int exit_wrong_usage = 2;

// Checks a flag's value is a whole number from `min` to `max`; otherwise the flag is refused
// as "--name: must be a number from MIN to MAX".
CLI::Validator number_between(std::uint64_t min, std::uint64_t max);

// Parses `argv` into `app`'s flags. Returns nothing when the program should go on; otherwise
// the exit code: 0 after printing the help a --help asked for (stdout), 2 after naming the
// mistake and pointing at --help (stderr).
std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv);

// The same for a list of arguments (tests): the program name is not among them.
std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args,
                                      std::string* error);

}  // namespace tokenledger

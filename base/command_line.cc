#include "base/command_line.h"

#include <charconv>
#include <cstdio>

namespace tokenledger {
namespace {

// --help (and --help-all) arrive as exceptions; they are answers, not mistakes.
bool asked_for_help(const CLI::ParseError& error) {
  return error.get_name() == "CallForHelp" || error.get_name() == "CallForAllHelp";
}

// The subcommand the mistake was made in, for the message: "tokenledger serve".
std::string command_path(const CLI::App& app) {
  std::string path = app.get_name();
  const CLI::App* at = &app;
  while (true) {
    const std::vector<CLI::App*> chosen = at->get_subcommands();
    if (chosen.empty()) break;
    at = chosen.front();
    path += " " + at->get_name();
  }
  return path;
}

}  // namespace

CLI::Validator number_between(std::uint64_t min, std::uint64_t max) {
  const std::string wanted =
      "must be a number from " + std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, wanted](const std::string& text) -> std::string {
        std::uint64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc() || end != text.data() + text.size() || value < min ||
            value > max) {
          return wanted;
        }
        return {};
      },
      std::to_string(min) + ".." + std::to_string(max), "number_between");
}

std::optional<int> parse_command_line(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& error) {
    if (asked_for_help(error)) return app.exit(error);  // prints the help; 0
    std::fprintf(stderr, "%s: %s\nRun `%s --help` for the flags.\n", command_path(app).c_str(),
                 error.what(), command_path(app).c_str());
    return exit_wrong_usage;
  }
}

std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args,
                                      std::string* error) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them backwards
  try {
    app.parse(reversed);
    return std::nullopt;
  } catch (const CLI::ParseError& failure) {
    if (asked_for_help(failure)) return 0;
    *error = failure.what();
    return exit_wrong_usage;
  }
}

}  // namespace tokenledger

// tokenledger-replay: the audit tool over a data directory's log (read-only; safe while the
// server runs). Each subcommand takes only its own flags and answers --help; exit codes are in
// replay_commands.h (0 ok, 1 a check failed, 2 wrong usage, 3 the data could not be read).
#include <cstdio>
#include <optional>
#include <string>

#include "base/command_line.h"
#include "base/rfc3339.h"
#include "tools/replay/replay_commands.h"

namespace {

using namespace tokenledger::replay;

// An RFC 3339 time (2026-11-30T08:00:00Z).
const CLI::Validator rfc3339_time(
    [](const std::string& text) -> std::string {
      tokenledger::TimeNs ignored = 0;
      return tokenledger::parse_rfc3339(text, &ignored) ? "" : "must be an RFC 3339 time";
    },
    "TIME", "rfc3339_time");

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "tokenledger-replay: the audit tool over a data directory's log (read-only; safe while "
      "the server runs). Exit codes: 0 ok, 1 a check failed, 2 wrong usage, 3 the data could "
      "not be read.",
      "tokenledger-replay");
  app.require_subcommand(1);
  std::string data = "./data";
  const auto data_flag = [&data](CLI::App* command) {
    command->add_option("--data", data, "the data directory")->capture_default_str();
  };

  bool report_all = false;
  CLI::App* verify = app.add_subcommand("verify", "walk the whole chain; name the first break");
  data_flag(verify);
  verify->add_flag("--report-all", report_all, "report every break, not only the first");

  bool write = false;
  CLI::App* rebuild =
      app.add_subcommand("rebuild", "rebuild the views and compare them with the stored snapshot");
  data_flag(rebuild);
  rebuild->add_flag("--write", write, "replace the snapshot with the rebuild (server stopped)");

  std::string at;
  bool json = false;
  CLI::App* state = app.add_subcommand("state", "the tokens and users as they were at a moment");
  data_flag(state);
  state->add_option("--at", at, "an RFC 3339 time (2026-11-30T08:00:00Z) or a sequence number")
      ->required();
  state->add_flag("--json", json, "JSON instead of a table");

  HistoryQuery query;
  CLI::App* history = app.add_subcommand("history",
                                         "every event touching a token, a user, a "
                                         "customer or a secret");
  data_flag(history);
  CLI::Option* by_token = history->add_option("--token", query.token_id, "a token id");
  CLI::Option* by_user = history->add_option("--user", query.user_id, "a user id");
  CLI::Option* by_customer = history->add_option("--customer", query.customer_id, "a customer id");
  CLI::Option* by_secret = history->add_flag(
      "--secret", query.secret_from_stdin,
      "the token whose value is read from standard input (only its hash is used)");
  by_token->excludes(by_user)->excludes(by_customer)->excludes(by_secret);
  by_user->excludes(by_customer)->excludes(by_secret);
  by_customer->excludes(by_secret);
  history->add_flag("--json", query.json, "JSON lines instead of text");

  std::string since;
  std::string until;
  std::string format = "jsonl";
  CLI::App* export_command = app.add_subcommand(
      "export", "the events in [since, until) as JSON lines, then the chain head");
  data_flag(export_command);
  export_command->add_option("--since", since, "RFC 3339 time")->required()->check(rfc3339_time);
  export_command->add_option("--until", until, "RFC 3339 time")->required()->check(rfc3339_time);
  export_command->add_option("--format", format, "the only format is jsonl")
      ->check(CLI::IsMember({"jsonl"}));

  if (const std::optional<int> exit_code = tokenledger::parse_command_line(app, argc, argv)) {
    return *exit_code;
  }
  if (verify->parsed()) return run_verify(data, report_all);
  if (rebuild->parsed()) return run_rebuild(data, write);
  if (state->parsed()) {
    Moment moment;
    if (!parse_moment(at, &moment)) {
      std::fprintf(stderr,
                   "tokenledger-replay state: --at must be an RFC 3339 time or a "
                   "sequence number\n");
      return exit_usage;
    }
    return run_state(data, moment, json);
  }
  if (history->parsed()) {
    if (!query.token_id && !query.user_id && !query.customer_id && !query.secret_from_stdin) {
      std::fprintf(stderr,
                   "tokenledger-replay history: needs one of --token, --user, "
                   "--customer, --secret\n");
      return exit_usage;
    }
    return run_history(data, query);
  }
  tokenledger::TimeNs since_ns = 0;
  tokenledger::TimeNs until_ns = 0;
  (void)tokenledger::parse_rfc3339(since, &since_ns);  // checked by rfc3339_time
  (void)tokenledger::parse_rfc3339(until, &until_ns);
  if (until_ns <= since_ns) {
    std::fprintf(stderr, "tokenledger-replay export: --since must be before --until\n");
    return exit_usage;
  }
  return run_export(data, since_ns, until_ns);
}

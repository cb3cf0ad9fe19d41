// tokenledger-replay: the audit tool over a data directory's log (read-only; safe while the
// server runs). Subcommands and exit codes: see usage() and replay_commands.h.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/rfc3339.h"
#include "tools/replay/replay_commands.h"

namespace {

using namespace tokenledger::replay;

int usage() {
  std::fprintf(stderr,
               "usage: tokenledger-replay COMMAND --data DIR [options]\n"
               "  verify [--report-all]           walk the whole chain; name the first break\n"
               "  rebuild [--write]               rebuild the views, compare with the stored\n"
               "                                  snapshot; --write replaces it (server stopped)\n"
               "  state --at TIME|SEQUENCE [--json]   tokens and users as they were then\n"
               "  history --token ID | --user ID | --customer ID | --secret [--json]\n"
               "                                  every event touching it (--secret: the token\n"
               "                                  value is read from stdin and only hashed)\n"
               "  export --since TIME --until TIME [--format jsonl]\n"
               "                                  events in [since, until) as JSON lines, then\n"
               "                                  the chain head\n"
               "TIME is RFC 3339 (2026-11-30T08:00:00Z). Exit codes: 0 ok, 1 a check failed,\n"
               "2 wrong usage, 3 the data could not be read.\n");
  return exit_usage;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string command = argv[1];
  std::string data = "./data";
  bool report_all = false;
  bool write = false;
  bool json = false;
  std::optional<std::string> at;
  std::optional<std::string> since;
  std::optional<std::string> until;
  HistoryQuery query;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    std::optional<std::string> v;
    if (arg == "--report-all") {
      report_all = true;
    } else if (arg == "--write") {
      write = true;
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--secret") {
      query.secret_from_stdin = true;
    } else if (arg == "--data" || arg == "--at" || arg == "--since" || arg == "--until" ||
               arg == "--token" || arg == "--user" || arg == "--customer" || arg == "--format") {
      v = value();
      if (!v) {
        std::fprintf(stderr, "tokenledger-replay: %s needs a value\n", arg.c_str());
        return usage();
      }
      if (arg == "--data") data = *v;
      if (arg == "--at") at = *v;
      if (arg == "--since") since = *v;
      if (arg == "--until") until = *v;
      if (arg == "--token") query.token_id = *v;
      if (arg == "--user") query.user_id = *v;
      if (arg == "--customer") query.customer_id = *v;
      if (arg == "--format" && *v != "jsonl") {
        std::fprintf(stderr, "tokenledger-replay: the only export format is jsonl\n");
        return exit_usage;
      }
    } else {
      std::fprintf(stderr, "tokenledger-replay: unknown option %s\n", arg.c_str());
      return usage();
    }
  }

  if (command == "verify") return run_verify(data, report_all);
  if (command == "rebuild") return run_rebuild(data, write);
  if (command == "state") {
    Moment moment;
    if (!at || !parse_moment(*at, &moment)) {
      std::fprintf(stderr, "tokenledger-replay: state needs --at RFC3339-TIME or SEQUENCE\n");
      return exit_usage;
    }
    return run_state(data, moment, json);
  }
  if (command == "history") {
    query.json = json;
    const int chosen = (query.token_id ? 1 : 0) + (query.user_id ? 1 : 0) +
                       (query.customer_id ? 1 : 0) + (query.secret_from_stdin ? 1 : 0);
    if (chosen != 1) {
      std::fprintf(stderr,
                   "tokenledger-replay: history needs exactly one of --token, --user, "
                   "--customer, --secret\n");
      return exit_usage;
    }
    return run_history(data, query);
  }
  if (command == "export") {
    tokenledger::TimeNs since_ns = 0;
    tokenledger::TimeNs until_ns = 0;
    if (!since || !until || !tokenledger::parse_rfc3339(*since, &since_ns) ||
        !tokenledger::parse_rfc3339(*until, &until_ns) || until_ns <= since_ns) {
      std::fprintf(stderr,
                   "tokenledger-replay: export needs --since and --until as RFC 3339 times, "
                   "since before until\n");
      return exit_usage;
    }
    return run_export(data, since_ns, until_ns);
  }
  return usage();
}

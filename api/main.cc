// tokenledger: the operator's command.
//   tokenledger init --data DIR --customer NAME --login EMAIL   (password on standard input)
//     prints {"customer_id": "...", "user_id": "..."}
//   tokenledger serve [--data DIR] [--listen HOST:PORT] [options]   (tokenledger serve --help)
//   tokenledger migrate-legacy --data DIR --file FILE   (legacy account API keys, JSON lines)
//   tokenledger unlock --data DIR --login EMAIL   (ends a login lock after failed logins)
// Every subcommand answers --help. Exit codes: 0 done (serve: stopped cleanly by SIGTERM or
// SIGINT), 1 failed (the message is on stderr), 2 wrong usage (an unknown, misplaced or
// missing flag, or a value out of range).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <utility>

#include "api/init_command.h"
#include "api/migrate_command.h"
#include "api/serve_command.h"
#include "api/unlock_command.h"
#include "base/command_line.h"
#include "base/json_writer.h"

namespace {

int migrate(const std::string& data, const std::string& file) {
  tokenledger::Result<tokenledger::api::MigrationReport> report =
      tokenledger::api::migrate_legacy_keys(data, file);
  if (!report.is_ok()) {
    std::fprintf(stderr, "tokenledger migrate-legacy: %s\n", report.status().to_string().c_str());
    return 1;
  }
  if (!report->problems.empty()) {
    std::fprintf(stderr, "tokenledger migrate-legacy: nothing was migrated; %zu problem(s):\n",
                 report->problems.size());
    for (const std::string& problem : report->problems) {
      std::fprintf(stderr, "  %s\n", problem.c_str());
    }
    return 1;
  }
  if (report->migrated == 0) {
    std::printf("nothing to do: all %zu keys were migrated before\n", report->unchanged);
  } else {
    std::printf("migrated %zu keys (%zu were migrated before and are unchanged)\n",
                report->migrated, report->unchanged);
  }
  return 0;
}

int unlock(const std::string& data, const std::string& login) {
  tokenledger::Result<tokenledger::api::UnlockReport> report =
      tokenledger::api::unlock_login(data, login);
  if (!report.is_ok()) {
    std::fprintf(stderr, "tokenledger unlock: %s\n", report.status().to_string().c_str());
    return 1;
  }
  if (report->unlocked) {
    std::printf("unlocked the logins of user %s (recorded as login_unlocked, reason operator)\n",
                report->user_id.c_str());
  } else {
    std::printf("the logins of user %s were not locked; nothing changed\n",
                report->user_id.c_str());
  }
  return 0;
}

int init(const std::string& data, const std::string& customer, const std::string& login) {
  if (isatty(STDIN_FILENO)) std::fprintf(stderr, "password for %s: ", login.c_str());
  std::string password;
  if (!std::getline(std::cin, password)) {
    std::fprintf(stderr, "tokenledger init: no password on standard input\n");
    return 1;
  }
  tokenledger::Result<tokenledger::api::InitResult> result = tokenledger::api::initialize_data(
      data, customer, login, password, tokenledger::PasswordCost::interactive());
  if (!result.is_ok()) {
    std::fprintf(stderr, "tokenledger init: %s\n", result.status().to_string().c_str());
    return 1;
  }
  tokenledger::JsonWriter json;
  json.begin_object().key("customer_id").string(result->customer_id);
  json.key("user_id").string(result->user_id).end_object();
  std::printf("%s\n", json.text().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("tokenledger: an event-sourced ledger of API tokens (docs/operations.md)",
               "tokenledger");
  app.require_subcommand(1);
  std::string data = "./data";
  std::string customer;
  std::string login;
  std::string file;
  const auto data_flag = [&data](CLI::App* command) {
    command->add_option("--data", data, "the data directory")->capture_default_str();
  };

  CLI::App* init_command =
      app.add_subcommand("init",
                         "create the first customer and its superuser in a new data directory (the "
                         "password on standard input); prints their ids as JSON");
  data_flag(init_command);
  init_command->add_option("--customer", customer, "the customer's name")->required();
  init_command->add_option("--login", login, "the superuser's login (email)")->required();

  tokenledger::api::ServeOptions serve_options;
  CLI::App* serve_command =
      app.add_subcommand("serve", "serve the API until SIGTERM or SIGINT (docs/api.md)");
  tokenledger::api::add_serve_flags(*serve_command, &serve_options);

  CLI::App* migrate_command =
      app.add_subcommand("migrate-legacy",
                         "migrate legacy account API keys, server stopped (JSON lines: "
                         "{\"customer_id\", \"key\", \"created_at\"})");
  data_flag(migrate_command);
  migrate_command->add_option("--file", file, "the JSON lines file")->required();

  CLI::App* unlock_command = app.add_subcommand(
      "unlock", "end a login's lock after failed password logins, server stopped");
  data_flag(unlock_command);
  unlock_command->add_option("--login", login, "the login to unlock")->required();

  if (const std::optional<int> exit_code = tokenledger::parse_command_line(app, argc, argv)) {
    return *exit_code;
  }
  if (init_command->parsed()) return init(data, customer, login);
  if (serve_command->parsed()) return tokenledger::api::serve(std::move(serve_options));
  if (migrate_command->parsed()) return migrate(data, file);
  return unlock(data, login);
}

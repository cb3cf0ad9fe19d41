// tokenledger: the operator's command.
//   tokenledger init --data DIR --customer NAME --login EMAIL   (password on standard input)
//     prints {"customer_id": "...", "user_id": "..."}
//   tokenledger serve [--data DIR] [--listen HOST:PORT] [options]   (see serve_command.cc)
//   tokenledger migrate-legacy --data DIR --file FILE   (legacy account API keys, JSON lines)
//   tokenledger unlock --data DIR --login EMAIL   (ends a login lock after failed logins)
// Exit codes: 0 done (serve: stopped cleanly by SIGTERM/SIGINT), 1 failed (the message is on
// stderr), 2 wrong usage.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <initializer_list>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>

#include "api/init_command.h"
#include "api/migrate_command.h"
#include "api/serve_command.h"
#include "api/unlock_command.h"
#include "base/json_writer.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: tokenledger init --data DIR --customer NAME --login EMAIL\n"
               "       (the superuser's password is read from standard input)\n"
               "usage: tokenledger migrate-legacy --data DIR --file FILE\n"
               "       (JSON lines: {\"customer_id\", \"key\", \"created_at\"}; server stopped)\n"
               "usage: tokenledger unlock --data DIR --login EMAIL\n"
               "       (ends the login's lock after failed password logins; server stopped)\n%s",
               tokenledger::api::serve_usage);
  return 2;
}

// The arguments after the command word, each a flag of `flags` followed by its value; false for
// anything else (an unknown flag, a flag without a value).
bool parse_flags(int argc, char** argv,
                 std::initializer_list<std::pair<std::string_view, std::string*>> flags) {
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) return false;
    const std::string_view arg = argv[i];
    const auto flag = std::find_if(flags.begin(), flags.end(),
                                   [&](const auto& known) { return known.first == arg; });
    if (flag == flags.end()) return false;
    *flag->second = argv[i + 1];
  }
  return true;
}

int migrate(int argc, char** argv) {
  std::string data = "./data";
  std::string file;
  if (!parse_flags(argc, argv, {{"--data", &data}, {"--file", &file}}) || file.empty()) {
    return usage();
  }
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

int unlock(int argc, char** argv) {
  std::string data = "./data";
  std::string login;
  if (!parse_flags(argc, argv, {{"--data", &data}, {"--login", &login}}) || login.empty()) {
    return usage();
  }
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

int serve(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") {
      std::printf("%s", tokenledger::api::serve_usage);
      return 0;
    }
  }
  tokenledger::api::ServeOptions options;
  std::string error;
  if (!tokenledger::api::parse_serve_arguments(argc - 2, argv + 2, &options, &error)) {
    std::fprintf(stderr, "tokenledger serve: %s\n%s", error.c_str(), tokenledger::api::serve_usage);
    return 2;
  }
  return tokenledger::api::serve(std::move(options));
}

int init(int argc, char** argv) {
  std::string data = "./data";
  std::string customer;
  std::string login;
  if (!parse_flags(argc, argv,
                   {{"--data", &data}, {"--customer", &customer}, {"--login", &login}}) ||
      customer.empty() || login.empty()) {
    return usage();
  }
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
  if (argc >= 2 && std::string(argv[1]) == "init") return init(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "serve") return serve(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "migrate-legacy") return migrate(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "unlock") return unlock(argc, argv);
  return usage();
}

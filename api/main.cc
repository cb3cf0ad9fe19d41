// tokenledger: the operator's command.
//   tokenledger init --data DIR --customer NAME --login EMAIL   (password on standard input)
//     prints {"customer_id": "...", "user_id": "..."}
//   tokenledger serve [--data DIR] [--listen HOST:PORT] [options]   (see serve_command.cc)
// Exit codes: 0 done (serve: stopped cleanly by SIGTERM/SIGINT), 1 failed (the message is on
// stderr), 2 wrong usage.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "api/init_command.h"
#include "ledger/json_writer.h"
#include "api/serve_command.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: tokenledger init --data DIR --customer NAME --login EMAIL\n"
               "       (the superuser's password is read from standard input)\n%s",
               tokenledger::api::serve_usage);
  return 2;
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
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    if (arg == "--data")
      data = argv[++i];
    else if (arg == "--customer")
      customer = argv[++i];
    else if (arg == "--login")
      login = argv[++i];
    else
      return usage();
  }
  if (customer.empty() || login.empty()) return usage();
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
  return usage();
}
